#include "core/runs/attribution.hpp"

#include "core/runs/run.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

namespace costdeck::runs {
namespace {

bool icontains(const std::string& hay, const std::string& needle) {
  if (needle.empty()) return true;
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string match_issue(const std::regex& re, const std::string& branch) {
  std::smatch m;
  if (branch.empty() || !std::regex_search(branch, m, re)) return {};
  for (std::size_t i = 1; i < m.size(); ++i)
    if (m[i].matched && m[i].length() > 0) return upper(m[i].str());
  return upper(m[0].str());
}

}  // namespace

std::string tier_by_rules(const Config& config, const TierInput& in) {
  const std::string runtime = normalize_runtime(in.runtime);
  for (const auto& r : config.tier_rules) {
    if (!icontains(in.agent, r.agent)) continue;
    if (!r.agent.empty() && in.agent.empty()) continue;
    if (r.subagent && *r.subagent != in.subagent) continue;
    if (!r.model.empty() && !icontains(in.model, r.model)) continue;
    if (!r.runtime.empty() && normalize_runtime(r.runtime) != runtime) continue;
    if (!r.project.empty() && !icontains(in.project, r.project)) continue;
    if (r.min_duration_ms && (!in.duration_ms || *in.duration_ms < *r.min_duration_ms)) continue;
    return r.tier;
  }
  return config.default_tier;
}

std::string issue_from_branch(const std::string& pattern, const std::string& branch) {
  try {
    return match_issue(std::regex(pattern), branch);
  } catch (const std::regex_error&) {
    return {};
  }
}

struct IssueMatcher::Impl {
  std::optional<std::regex> re;
  std::unordered_map<std::string, std::string> cache;
};

IssueMatcher::IssueMatcher(std::string pattern) : impl_(std::make_unique<Impl>()) {
  try {
    impl_->re.emplace(pattern);
  } catch (const std::regex_error&) {
    // load_config rejects bad patterns; a bad one here simply matches nothing.
  }
}
IssueMatcher::~IssueMatcher() = default;

const std::string& IssueMatcher::issue_for(const std::string& branch) {
  auto it = impl_->cache.find(branch);
  if (it != impl_->cache.end()) return it->second;
  std::string issue = impl_->re ? match_issue(*impl_->re, branch) : std::string();
  return impl_->cache.emplace(branch, std::move(issue)).first->second;
}

}  // namespace costdeck::runs
