#pragma once
// The price table's lookup for session-file runs, memoized per model: normalizing and
// matching model ids for every response of every turn was a large share of a cold ingest.

#include <string>
#include <unordered_map>

#include "core/runs/run.hpp"

namespace costdeck::runs {

class PriceMemo {
 public:
  const ModelPrice* find(const std::string& model) {
    auto [it, inserted] = memo_.try_emplace(model, nullptr);
    if (inserted) it->second = run_price(model);
    return it->second;
  }

 private:
  std::unordered_map<std::string, const ModelPrice*> memo_;
};

}  // namespace costdeck::runs
