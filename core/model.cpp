#include "core/model.hpp"

namespace costdeck {

const char* runtime_name(Runtime r) {
  switch (r) {
    case Runtime::Claude: return "claude";
    case Runtime::Codex: return "codex";
  }
  return "unknown";
}

std::optional<Runtime> runtime_from_name(const std::string& name) {
  if (name == "claude" || name == "claude-code") return Runtime::Claude;
  if (name == "codex") return Runtime::Codex;
  return std::nullopt;
}

}  // namespace costdeck
