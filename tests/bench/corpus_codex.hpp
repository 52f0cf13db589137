#pragma once
// Codex CLI rollouts for the generated corpus: session_meta, turn_context with the model,
// response items, and token_count events carrying cumulative totals (some repeated
// unchanged, some with info null).

#include <algorithm>
#include <string>

#include "tests/bench/corpus_claude.hpp"

namespace costdeck::bench {

struct CodexPlan {
  std::string rel_path;
  std::string session_id;
  std::string cwd;
  std::string git_branch;
  std::string model;
  std::string second_model;  // non-empty: a later turn_context switches to it
  bool no_turn_context = false;
  std::int64_t start_ms = 0;
  std::size_t target = 0;
};

class CodexWriter {
 public:
  CodexWriter(const TextPool& pool, Rng& rng, CorpusStats& stats, const EmitFile& emit)
      : pool_(pool), rng_(rng), stats_(stats), emit_(emit) {}

  void write(const CodexPlan& p) {
    now_ = p.start_ms;
    total_ = {};
    ctx_ = rng_.range(6000, 14000);
    std::string o;
    o.reserve(p.target + 65536);
    head(o, "session_meta");
    o += "{\"id\":\"";
    o += p.session_id;
    o += "\",\"timestamp\":\"";
    append_iso(o, now_);
    o += "\",\"cwd\":\"";
    o += p.cwd;
    o += "\",\"originator\":\"codex_cli_rs\",\"cli_version\":\"0.46.0\",\"instructions\":null,\"source\":"
         "\"cli\","
         "\"model_provider\":\"openai\",\"git\":{\"commit_hash\":\"";
    append_hex(o, rng_, 40);
    o += "\",\"branch\":\"";
    o += p.git_branch;
    o += "\",\"repository_url\":\"git@github.com:acme/app.git\"}}}\n";
    stats_.add(Kind::CodexSessionMeta);
    item_message(o, "user", "input_text",
                 "<environment_context>\\n  <cwd>/home/dev</cwd>\\n</environment_context>");
    if (p.no_turn_context)
      stats_.add(Kind::CodexNoTurnContext);
    else
      turn_context(o, p, p.model);
    token_count(o, nullptr, true);  // the first event often has no info yet
    bool switched = false;
    while (o.size() < p.target) {
      if (!switched && !p.second_model.empty() && o.size() > p.target / 4) {
        turn_context(o, p, p.second_model);
        stats_.add(Kind::CodexModelSwitch);
        switched = true;
      }
      turn(o, p);
      now_ += rng_.range(30000, 900000);
    }
    emit_(p.rel_path, o, Kind::FileCodex);
  }

 private:
  struct Totals {
    std::int64_t in = 0, cached = 0, out = 0, reasoning = 0;
  };

  void head(std::string& o, const char* type) {
    o += "{\"timestamp\":\"";
    append_iso(o, now_);
    o += "\",\"type\":\"";
    o += type;
    o += "\",\"payload\":";
  }

  void turn_context(std::string& o, const CodexPlan& p, const std::string& model) {
    head(o, "turn_context");
    o += "{\"cwd\":\"";
    o += p.cwd;
    o += "\",\"approval_policy\":\"on-request\",\"sandbox_policy\":{\"mode\":\"workspace-write\","
         "\"network_access\":false},\"model\":\"";
    o += model;
    o += "\",\"effort\":\"medium\",\"summary\":\"auto\"}}\n";
    stats_.add(Kind::CodexTurnContext);
  }

  void item_message(std::string& o, const char* role, const char* part, std::string_view text) {
    head(o, "response_item");
    o += "{\"type\":\"message\",\"role\":\"";
    o += role;
    o += "\",\"content\":[{\"type\":\"";
    o += part;
    o += "\",\"text\":\"";
    o += text;
    o += "\"}]}}\n";
    stats_.add(Kind::CodexResponseItem);
  }

  void event(std::string& o, const char* type, std::string_view message) {
    head(o, "event_msg");
    o += "{\"type\":\"";
    o += type;
    o += "\",\"message\":\"";
    o += message;
    o += "\"}}\n";
    stats_.add(Kind::CodexEventOther);
  }

  static void usage_obj(std::string& o, const Totals& t) {
    o += "{\"input_tokens\":";
    append_int(o, t.in);
    o += ",\"cached_input_tokens\":";
    append_int(o, t.cached);
    o += ",\"output_tokens\":";
    append_int(o, t.out);
    o += ",\"reasoning_output_tokens\":";
    append_int(o, t.reasoning);
    o += ",\"total_tokens\":";
    append_int(o, t.in + t.out);
    o += '}';
  }

  void token_count(std::string& o, const Totals* last, bool null_info) {
    head(o, "event_msg");
    o += "{\"type\":\"token_count\",\"info\":";
    if (null_info) {
      o += "null";
      stats_.add(Kind::CodexTokenNull);
    } else {
      o += "{\"total_token_usage\":";
      usage_obj(o, total_);
      o += ",\"last_token_usage\":";
      usage_obj(o, *last);
      o += ",\"model_context_window\":272000}";
      stats_.add(Kind::CodexTokenCount);
    }
    o += ",\"rate_limits\":{\"primary\":{\"used_percent\":";
    append_int(o, rng_.range(0, 99));
    o += ".0,\"window_minutes\":300,\"resets_in_seconds\":";
    append_int(o, rng_.range(60, 18000));
    o += "},\"secondary\":{\"used_percent\":";
    append_int(o, rng_.range(0, 60));
    o += ".0,\"window_minutes\":10080,\"resets_in_seconds\":";
    append_int(o, rng_.range(3600, 600000));
    o += "}}}}\n";
  }

  void turn(std::string& o, const CodexPlan&) {
    const std::string prompt(pool_.cut(rng_, static_cast<std::size_t>(rng_.lognormal(160, 1.0)) + 8));
    item_message(o, "user", "input_text", prompt);
    event(o, "user_message", prompt);
    const int calls = std::clamp(static_cast<int>(rng_.lognormal(5, 0.8)), 1, 40);
    for (int c = 0; c < calls; ++c) {
      now_ += rng_.range(1500, 40000);
      head(o, "response_item");
      o += "{\"type\":\"reasoning\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"**Planning**\"}],"
           "\"content\":null,\"encrypted_content\":\"gAAAAA";
      append_base62(o, rng_, static_cast<int>(rng_.range(400, 3000)));
      o += "\"}}\n";
      stats_.add(Kind::CodexResponseItem);
      const bool last_call = c == calls - 1;
      std::string call_id = "call_";
      append_base62(call_id, rng_, 24);
      if (!last_call) {
        head(o, "response_item");
        o += "{\"type\":\"function_call\",\"name\":\"shell\",\"arguments\":\"{\\\"command\\\":[\\\"bash\\\","
             "\\\"-lc\\\",\\\"rg -n cursor core\\\"],\\\"workdir\\\":\\\"/home/dev\\\"}\",\"call_id\":\"";
        o += call_id;
        o += "\"}}\n";
        stats_.add(Kind::CodexResponseItem);
      }
      Totals last;
      last.in = ctx_;
      last.cached = std::max<std::int64_t>(0, ctx_ - rng_.range(500, 6000));
      if (c == 0) last.cached = last.cached / 3;
      last.out = std::clamp<std::int64_t>(static_cast<std::int64_t>(rng_.lognormal(300, 1.0)), 5, 20000);
      last.reasoning = last.out * rng_.range(0, 80) / 100;
      total_.in += last.in;
      total_.cached += last.cached;
      total_.out += last.out;
      total_.reasoning += last.reasoning;
      token_count(o, &last, false);
      if (rng_.chance(0.1)) {
        token_count(o, &last, false);  // the same cumulative total again: adds nothing
        stats_.add(Kind::CodexTokenRepeat);
      } else if (rng_.chance(0.03)) {
        token_count(o, nullptr, true);
      }
      ctx_ += last.out + rng_.range(200, 5000);
      if (ctx_ > 240000) {
        head(o, "compacted");
        o += "{\"message\":\"Summary of the conversation so far\"}}\n";
        stats_.add(Kind::CodexEventOther);
        ctx_ = rng_.range(15000, 30000);
      }
      if (!last_call) {
        now_ += rng_.range(200, 30000);
        head(o, "response_item");
        o += "{\"type\":\"function_call_output\",\"call_id\":\"";
        o += call_id;
        o += "\",\"output\":\"";
        pool_.append(
            o, rng_,
            std::clamp<std::size_t>(static_cast<std::size_t>(rng_.lognormal(1200, 1.3)), 20, 300000));
        o += "\"}}\n";
        stats_.add(Kind::CodexResponseItem);
      }
    }
    const std::string answer(pool_.cut(rng_, static_cast<std::size_t>(rng_.lognormal(600, 0.8)) + 8));
    event(o, "agent_message", answer);
    item_message(o, "assistant", "output_text", answer);
  }

  const TextPool& pool_;
  Rng& rng_;
  CorpusStats& stats_;
  const EmitFile& emit_;
  std::int64_t now_ = 0;
  std::int64_t ctx_ = 0;
  Totals total_;
};

}  // namespace costdeck::bench
