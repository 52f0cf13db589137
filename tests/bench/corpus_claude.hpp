#pragma once
// Claude Code transcripts for the generated corpus: one session at a time, with its subagent
// files, in the three on-disk layouts formats.md describes (1.0.x sidechain lines inline,
// 2.0.x agent-<id>.jsonl beside the session, 2.1.x <sessionId>/subagents/ + .meta.json).

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "tests/bench/corpus_types.hpp"

namespace costdeck::bench {

// Where a file goes and what it holds; the generator writes it and counts it.
using EmitFile = std::function<void(const std::string& rel_path, const std::string& content, Kind kind)>;

struct ClaudeSessionPlan {
  std::string project_dir;  // relative: claude/projects/-home-dev-work-foo
  std::string cwd;
  std::string session_id;
  std::string git_branch;
  int era = 2;          // 0: 1.0.x, 1: 2.0.x, 2: 2.1.x
  std::string version;  // as written in every line
  std::string main_model;
  std::int64_t start_ms = 0;
  std::size_t main_target = 0;   // bytes of the session file
  std::size_t agent_target = 0;  // bytes of each subagent file
  int subagents = 0;             // subagent files (eras 1 and 2)
  int big_lines = 0;             // multi-MB tool results to place in this session
  std::size_t big_line_bytes = 0;
  bool long_context = false;  // Sonnet prompts grow past 200k
  bool one_hour_cache = false;
  bool unterminated_last = false;  // the newest session is still being written
  bool tool_result_file = false;
  bool malformed_each =
      false;  // one line of each malformed kind, early   // the first tool result goes to tool-results/*.txt
  const std::vector<std::string>* resume_from = nullptr;  // lines of an earlier session to copy
};

struct ClaudeSessionResult {
  std::vector<std::string> first_lines;  // kept for a later resumed session to copy
};

class ClaudeSessionWriter {
 public:
  ClaudeSessionWriter(const TextPool& pool, Rng& rng, CorpusStats& stats, const EmitFile& emit)
      : pool_(pool), rng_(rng), stats_(stats), emit_(emit) {}

  ClaudeSessionResult write(const ClaudeSessionPlan& plan) {
    plan_ = &plan;
    now_ = plan.start_ms;
    // Long-context sessions are long ones: they arrive here already near 200k.
    ctx_tokens_ = plan.long_context ? rng_.range(150000, 200000) : rng_.range(9000, 24000);
    txt_pending_ = plan.tool_result_file;
    malformed_pending_ = plan.malformed_each ? 3 : 0;
    agents_left_ = plan.subagents;
    bigs_left_ = plan.big_lines;
    Thread main{plan.session_id, "", false, ""};
    std::string buf;
    buf.reserve(plan.main_target + (plan.big_lines ? plan.big_line_bytes * plan.big_lines : 0) + 65536);
    ClaudeSessionResult result;

    if (plan.resume_from) {
      stats_.add(Kind::FileResumed);
      for (int i = 0, n = static_cast<int>(rng_.range(1, 3)); i < n; ++i) summary_line(buf);
      for (const auto& l : *plan.resume_from) {
        buf += l;
        buf += '\n';
        stats_.add(Kind::ResumedCopy);
      }
    }
    if (plan.era >= 1 && rng_.chance(0.3)) {
      other_line(buf, "{\"type\":\"queue-operation\",\"operation\":\"enqueue\",\"timestamp\":\"",
                 Kind::QueueOperation);
    }
    std::size_t keep_until = 0;  // how much of buf a resumed session may copy
    while (buf.size() < plan.main_target || agents_left_ > 0 || bigs_left_ > 0) {
      turn(buf, main);
      if (keep_until == 0 && buf.size() > 40000) keep_until = buf.size();
      now_ += rng_.range(20000, 1200000);  // the user reads, thinks, types
    }
    if (plan.era == 2 && rng_.chance(0.5)) {
      other_line(buf, "{\"type\":\"last-prompt\",\"lastPrompt\":\"continue\",\"timestamp\":\"",
                 Kind::OtherType);
    }
    maybe_malformed(buf, true);
    remember_lines(buf, keep_until ? keep_until : buf.size(), result.first_lines);
    emit_(plan.project_dir + "/" + plan.session_id + ".jsonl", buf, Kind::FileClaudeSession);
    return result;
  }

 private:
  struct Thread {
    std::string session_id;
    std::string agent_id;  // empty: main thread
    bool sidechain;
    std::string last_uuid;
  };

  struct Usage {
    std::int64_t in = 0, out = 0, c5 = 0, c1h = 0, read = 0;
    int web = 0;
  };

  // ---- line pieces -------------------------------------------------------------------
  void quoted(std::string& o, std::string_view s) {
    o += '"';
    o += s;
    o += '"';
  }

  void prefix(std::string& o, Thread& t, bool null_branch = false) {
    o += "{\"parentUuid\":";
    if (t.last_uuid.empty())
      o += "null";
    else
      quoted(o, t.last_uuid);
    o += ",\"isSidechain\":";
    o += t.sidechain ? "true" : "false";
    o += ",\"userType\":\"external\",\"cwd\":";
    quoted(o, plan_->cwd);
    o += ",\"sessionId\":";
    quoted(o, t.session_id);
    o += ",\"version\":";
    quoted(o, plan_->version);
    o += ",\"gitBranch\":";
    if (null_branch)
      o += "null";
    else
      quoted(o, plan_->git_branch);
    if (plan_->era == 2) {
      o += ",\"slug\":\"";
      o += plan_->session_id.substr(0, 8);
      o += "-happy-otter\"";
    }
    if (!t.agent_id.empty()) {
      o += ",\"agentId\":";
      quoted(o, t.agent_id);
    }
  }

  void suffix(std::string& o, Thread& t, std::string_view type) {
    o += ",\"type\":\"";
    o += type;
    o += "\",\"uuid\":\"";
    t.last_uuid = make_uuid(rng_);
    o += t.last_uuid;
    o += "\",\"timestamp\":\"";
    append_iso(o, now_);
    o += "\"}\n";
  }

  void count_line(Thread& t, Kind k) {
    stats_.add(k);
    if (t.sidechain && t.agent_id.empty()) stats_.add(Kind::SidechainInline);
    if (!t.agent_id.empty()) stats_.add(Kind::SubagentLine);
  }

  void summary_line(std::string& o) {
    o += "{\"type\":\"summary\",\"summary\":\"";
    o += pool_.cut(rng_, static_cast<std::size_t>(rng_.range(20, 70)));
    o += "\",\"leafUuid\":\"";
    o += make_uuid(rng_);
    o += "\"}\n";
    stats_.add(Kind::Summary);
  }

  void other_line(std::string& o, const char* head, Kind k) {
    o += head;
    append_iso(o, now_);
    o += "\",\"sessionId\":\"";
    o += plan_->session_id;
    o += "\"}\n";
    stats_.add(k);
  }

  void user_text(std::string& o, Thread& t, std::string_view text, bool meta, Kind k) {
    prefix(o, t);
    o += ",\"message\":{\"role\":\"user\",\"content\":\"";
    o += text;
    o += "\"}";
    if (meta) o += ",\"isMeta\":true";
    suffix(o, t, "user");
    count_line(t, k);
  }

  void prompt(std::string& o, Thread& t) {
    if (t.agent_id.empty() && !t.sidechain && rng_.chance(0.05)) {
      // A slash command: the caveat (meta) line and the command echo are not prompts.
      user_text(o, t, "Caveat: The messages below were generated by the user while running local commands.",
                true, Kind::MetaUser);
      user_text(o, t, "<command-name>/model</command-name>\\n<command-message>model</command-message>", false,
                Kind::SlashCommand);
      now_ += 2000;
    }
    std::string text(pool_.cut(rng_, static_cast<std::size_t>(rng_.lognormal(180, 1.0)) + 8));
    user_text(o, t, text, false, Kind::UserPrompt);
    if (plan_->era >= 1 && t.agent_id.empty() && !t.sidechain) {
      o += "{\"type\":\"file-history-snapshot\",\"messageId\":\"";
      const std::string id = make_uuid(rng_);
      o += id;
      o += "\",\"snapshot\":{\"messageId\":\"";
      o += id;
      o += "\",\"trackedFileBackups\":{\"src/report.cpp\":{\"backupFileName\":\"";
      append_hex(o, rng_, 16);
      o += "@v2\",\"version\":2,\"backupTime\":\"";
      append_iso(o, now_);
      o += "\"}},\"timestamp\":\"";
      append_iso(o, now_);
      o += "\"},\"isSnapshotUpdate\":false}\n";
      stats_.add(Kind::FileHistorySnapshot);
    }
  }

  void usage_json(std::string& o, const Usage& u, std::int64_t out, int null_kind) {
    o += "\"usage\":{\"input_tokens\":";
    append_int(o, u.in);
    o += ",\"cache_creation_input_tokens\":";
    if (null_kind == 3)
      o += "null";
    else
      append_int(o, u.c5 + u.c1h);
    o += ",\"cache_read_input_tokens\":";
    append_int(o, u.read);
    if (null_kind == 1) {
      o += ",\"cache_creation\":null";
    } else if (plan_->era >= 1) {
      o += ",\"cache_creation\":{\"ephemeral_5m_input_tokens\":";
      append_int(o, u.c5);
      o += ",\"ephemeral_1h_input_tokens\":";
      append_int(o, u.c1h);
      o += '}';
    }
    o += ",\"output_tokens\":";
    append_int(o, out);
    if (u.web > 0) {
      o += ",\"server_tool_use\":{\"web_search_requests\":";
      append_int(o, u.web);
      o += ",\"web_fetch_requests\":0}";
    }
    if (null_kind == 2)
      o += ",\"service_tier\":null";
    else if (plan_->era >= 1)
      o += ",\"service_tier\":\"standard\"";
    o += '}';
  }

  // The message object of an assistant line (also embedded in progress lines).
  void message_json(std::string& o, const std::string& model, const std::string& msg_id,
                    std::string_view block, const Usage& u, std::int64_t out, int null_kind) {
    o += "{\"model\":\"";
    o += model;
    o += "\",\"id\":\"";
    o += msg_id;
    o += "\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[";
    o += block;
    o += "],\"stop_reason\":null,\"stop_sequence\":null,";
    usage_json(o, u, out, null_kind);
    o += '}';
  }

  Usage next_usage(bool first_of_turn) {
    Usage u;
    const std::int64_t growth = rng_.range(300, 6000);
    u.in = first_of_turn ? rng_.range(3, 2400) : rng_.range(1, 12);
    u.read = ctx_tokens_;
    const std::int64_t write = growth + (first_of_turn ? rng_.range(0, 3000) : 0);
    if (plan_->era == 0) {
      u.c5 = write;
    } else if (plan_->one_hour_cache) {
      u.c1h = write;
      if (rng_.chance(0.2)) u.c5 = rng_.range(0, 500), u.c1h -= std::min(u.c1h, u.c5);
    } else {
      u.c5 = write;
    }
    u.out = std::clamp<std::int64_t>(static_cast<std::int64_t>(rng_.lognormal(260, 1.1)), 1, 32000);
    if (rng_.chance(0.015)) u.web = static_cast<int>(rng_.range(1, 4));
    ctx_tokens_ += growth + u.out;
    const std::int64_t cap = plan_->long_context ? 420000 : 170000;
    if (ctx_tokens_ > cap) ctx_tokens_ = rng_.range(20000, 40000), compact_pending_ = true;
    return u;
  }

  // One API response written as several lines (thinking / text / tool_use blocks), same
  // message.id and requestId, output_tokens growing to the final count on the last line.
  // Returns the tool_use ids of the response.
  std::vector<std::string> response(std::string& o, Thread& t, const std::string& model, bool first_of_turn,
                                    int tools, std::vector<std::string>* progress_copies) {
    const Usage u = next_usage(first_of_turn);
    std::string msg_id = "msg_01";
    append_base62(msg_id, rng_, 22);
    std::string req_id = "req_011C";
    append_base62(req_id, rng_, 20);
    const bool thinking = model.find("opus") != std::string::npos && rng_.chance(0.5);
    const int text_blocks = tools == 0 ? 1 : static_cast<int>(rng_.below(2));
    const int blocks = (thinking ? 1 : 0) + text_blocks + tools;
    // A response written on one line may lose its requestId to a null without ambiguity.
    int null_kind = rng_.chance(0.02) ? static_cast<int>(rng_.range(1, blocks == 1 ? 5 : 4)) : 0;
    const bool cost_usd = plan_->era == 0 && rng_.chance(0.04);
    std::vector<std::string> tool_ids;
    std::string block, line_start;
    for (int b = 0; b < blocks; ++b) {
      block.clear();
      if (thinking && b == 0) {
        block += "{\"type\":\"thinking\",\"thinking\":\"";
        block += pool_.cut(rng_, static_cast<std::size_t>(rng_.lognormal(700, 0.8)) + 10);
        block += "\",\"signature\":\"";
        append_base62(block, rng_, 120);
        block += "\"}";
      } else if (b < blocks - tools) {
        block += "{\"type\":\"text\",\"text\":\"";
        block += pool_.cut(rng_, static_cast<std::size_t>(rng_.lognormal(650, 0.9)) + 10);
        block += "\"}";
      } else {
        std::string id = "toolu_01";
        append_base62(id, rng_, 22);
        block += "{\"type\":\"tool_use\",\"id\":\"";
        block += id;
        block += "\",\"name\":\"Bash\",\"input\":{\"command\":\"";
        block += pool_.cut(rng_, static_cast<std::size_t>(rng_.lognormal(200, 1.0)) + 10);
        block += "\",\"description\":\"Run the tests\"}}";
        tool_ids.push_back(std::move(id));
      }
      const std::int64_t out =
          b == blocks - 1 ? u.out : std::max<std::int64_t>(1, u.out * (b + 1) / (blocks * 3));
      const std::size_t start = o.size();
      prefix(o, t, null_kind == 4);
      o += ",\"message\":";
      message_json(o, model, msg_id, block, u, out, null_kind);
      o += ",\"requestId\":";
      if (null_kind == 5)
        o += "null";
      else
        quoted(o, req_id);
      if (cost_usd) {
        o += ",\"costUSD\":0.0";
        append_int(o, 1000 + static_cast<std::int64_t>(u.out) % 9000);
      }
      suffix(o, t, "assistant");
      count_line(t, b == 0 ? Kind::AssistantFirst : Kind::AssistantMore);
      if (b == blocks - 1 && progress_copies) {
        // The parent's progress line embeds this message as it was streamed.
        std::string copy = "{\"type\":\"assistant\",\"message\":";
        message_json(copy, model, msg_id, block, u, out, 0);
        copy += ",\"requestId\":\"" + req_id + "\",\"uuid\":\"" + t.last_uuid + "\",\"timestamp\":\"";
        append_iso(copy, now_);
        copy += "\"}";
        progress_copies->push_back(std::move(copy));
      }
      if (b == blocks - 1 && !t.sidechain && rng_.chance(0.01)) {
        // A /btw side question replays the response as a sidechain line with a new requestId.
        line_start.assign(o, start, o.size() - start);
        const auto pos = line_start.find(req_id);
        if (pos != std::string::npos) {
          std::string fresh = "req_011C";
          append_base62(fresh, rng_, 20);
          line_start.replace(pos, req_id.size(), fresh);
          const auto sc = line_start.find("\"isSidechain\":false");
          if (sc != std::string::npos) line_start.replace(sc, 19, "\"isSidechain\":true");
          o += line_start;
          stats_.add(Kind::BtwReplay);
        }
      }
      now_ += rng_.range(200, 4000);
    }
    if (null_kind) stats_.add(Kind::NullFields);
    if (cost_usd) stats_.add(Kind::CostUsd);
    if (u.c1h > 0) stats_.add(Kind::Cache1h);
    if (plan_->era == 0) stats_.add(Kind::NoCacheSplit);
    if (u.web > 0) stats_.add(Kind::WebSearch);
    if (u.in + u.c5 + u.c1h + u.read > 200000) stats_.add(Kind::LongContext);
    if (model.find("opus") != std::string::npos)
      stats_.add(Kind::ModelOpus);
    else if (model.find("sonnet") != std::string::npos)
      stats_.add(Kind::ModelSonnet);
    else if (model.find("haiku") != std::string::npos)
      stats_.add(Kind::ModelHaiku);
    else
      stats_.add(Kind::UnknownModel);
    if (plan_->version.find('-') != std::string::npos) stats_.add(Kind::OddVersion);
    return tool_ids;
  }

  void tool_result(std::string& o, Thread& t, const std::string& id, std::size_t size, Kind k) {
    prefix(o, t);
    o += ",\"message\":{\"role\":\"user\",\"content\":[{\"tool_use_id\":\"";
    o += id;
    o += "\",\"type\":\"tool_result\",\"content\":\"";
    const std::size_t body_start = o.size();
    if (k == Kind::ToolRejected) {
      o += "The user doesn't want to proceed with this tool use. The tool use was rejected.";
    } else if (k == Kind::Interrupted) {
      o += "[Request interrupted by user for tool use]";
    } else {
      if (k == Kind::ToolResultError) o += "Exit code 1\\nerror: ";
      pool_.append(o, rng_, size);
    }
    const std::size_t body_len = o.size() - body_start;
    o += '"';
    if (k != Kind::ToolResult) o += ",\"is_error\":true";
    o += "}]}";
    if (k == Kind::ToolResult && body_len < 20000 && rng_.chance(0.5)) {
      // Claude Code keeps a structured copy of the tool output beside the message.
      o += ",\"toolUseResult\":{\"stdout\":\"";
      o.append(o, body_start, body_len);
      o += "\",\"stderr\":\"\",\"interrupted\":false,\"isImage\":false}";
    }
    suffix(o, t, "user");
    count_line(t, k);
  }

  void system_line(std::string& o, Thread& t, Kind k) {
    prefix(o, t);
    if (k == Kind::SystemTurnDuration) {
      o += ",\"type\":\"system\",\"subtype\":\"turn_duration\",\"durationMs\":";
      append_int(o, now_ - turn_start_);
      o += ",\"messageCount\":";
      append_int(o, turn_messages_);
      o += ",\"isMeta\":false";
    } else if (k == Kind::SystemApiError) {
      const int status = rng_.chance(0.7) ? 529 : 500;
      o += ",\"type\":\"system\",\"subtype\":\"api_error\",\"level\":\"error\",\"error\":{\"status\":";
      append_int(o, status);
      o += ",\"headers\":{},\"requestID\":null,\"error\":{\"type\":\"error\",\"error\":{\"type\":\"";
      o += status == 529 ? "overloaded_error\",\"message\":\"Overloaded\""
                         : "api_error\",\"message\":\"Internal server error\"";
      o += "}}},\"retryInMs\":";
      append_int(o, rng_.range(500, 9000));
      o += ".5,\"retryAttempt\":";
      append_int(o, ++retry_attempt_);
      o += ",\"maxRetries\":10";
    } else {
      o += ",\"type\":\"system\",\"subtype\":\"compact_boundary\",\"content\":\"Conversation compacted\","
           "\"level\":\"info\",\"compactMetadata\":{\"trigger\":\"auto\",\"preTokens\":";
      append_int(o, rng_.range(150000, 170000));
      o += '}';
    }
    // suffix() writes type again for other lines; system lines carry it above, so close here.
    o += ",\"uuid\":\"";
    t.last_uuid = make_uuid(rng_);
    o += t.last_uuid;
    o += "\",\"timestamp\":\"";
    append_iso(o, now_);
    o += "\"}\n";
    count_line(t, k);
  }

  void api_error_message(std::string& o, Thread& t) {
    prefix(o, t);
    o += ",\"message\":{\"id\":\"";
    o += make_uuid(rng_);
    o += "\",\"container\":null,\"model\":\"<synthetic>\",\"role\":\"assistant\",\"stop_reason\":\"stop_"
         "sequence\","
         "\"stop_sequence\":\"\",\"type\":\"message\",\"usage\":{\"input_tokens\":0,\"output_tokens\":0,"
         "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"server_tool_use\":{"
         "\"web_search_requests\":0,\"web_fetch_requests\":0},\"service_tier\":null,\"cache_creation\":{"
         "\"ephemeral_1h_input_tokens\":0,\"ephemeral_5m_input_tokens\":0}},\"content\":[{\"type\":\"text\","
         "\"text\":\"";
    const auto r = rng_.below(3);
    if (r == 0) {
      o += "API Error: 529 {\\\"type\\\":\\\"error\\\",\\\"error\\\":{\\\"type\\\":\\\"overloaded_error\\\","
           "\\\"message\\\":\\\"Overloaded\\\"}}";
    } else if (r == 1) {
      o += "API Error: Request timed out.";
    } else {
      o += "Claude AI usage limit reached|";
      append_int(o, now_ / 1000 + 3600);
    }
    o += "\"}],\"context_management\":null},\"isApiErrorMessage\":true";
    suffix(o, t, "assistant");
    count_line(t, Kind::ApiErrorMessage);
  }

  // ---- structure ---------------------------------------------------------------------
  std::string pick_model(bool subagent) {
    if (subagent && rng_.chance(0.5)) return "claude-haiku-4-5-20251001";
    return plan_->main_model;
  }

  // One turn: a prompt, a chain of responses and tool results, the turn's duration.
  void turn(std::string& o, Thread& t) {
    turn_start_ = now_;
    turn_messages_ = 0;
    retry_attempt_ = 0;
    prompt(o, t);
    const bool main = t.agent_id.empty() && !t.sidechain;
    const int steps = std::clamp(static_cast<int>(rng_.lognormal(4, 0.8)), 1, 40);
    const std::string model = pick_model(!main);
    for (int s = 0; s < steps; ++s) {
      if (main && compact_pending_) {
        system_line(o, t, Kind::SystemCompact);
        compact_pending_ = false;
      }
      if (rng_.chance(0.02)) {
        for (int r = 0, n = static_cast<int>(rng_.range(1, 3)); r < n; ++r) {
          system_line(o, t, Kind::SystemApiError);
          now_ += rng_.range(1000, 20000);
        }
        if (rng_.chance(0.3)) {
          api_error_message(o, t);
          return;  // the turn ended on an API error: no turn_duration
        }
      }
      const bool last = s == steps - 1;
      const bool want_agent =
          main && agents_left_ > 0 && plan_->era >= 1 &&
          (o.size() > plan_->main_target * (plan_->subagents - agents_left_ + 1) / (plan_->subagents + 1) ||
           o.size() >= plan_->main_target);
      const bool inline_agent = main && plan_->era == 0 && rng_.chance(0.04);
      const int tools = last && !want_agent ? 0 : (rng_.chance(0.15) ? 2 : 1);
      std::vector<std::string> copies;
      now_ += rng_.range(1500, 30000);
      auto ids = response(o, t, model, s == 0, tools, nullptr);
      ++turn_messages_;
      for (std::size_t i = 0; i < ids.size(); ++i) {
        now_ += rng_.range(300, 60000);
        if (i == 0 && want_agent) {
          subagent(o, t, ids[i]);
          continue;
        }
        if (i == 0 && inline_agent) inline_sidechain(o, t);
        Kind k = Kind::ToolResult;
        const double r = rng_.unit();
        if (r < 0.06)
          k = Kind::ToolResultError;
        else if (r < 0.07)
          k = Kind::ToolRejected;
        else if (r < 0.08 && main)
          k = Kind::Interrupted;
        std::size_t size =
            std::clamp<std::size_t>(static_cast<std::size_t>(rng_.lognormal(1450, 1.4)), 20, 400000);
        if (main && bigs_left_ > 0 && k == Kind::ToolResult &&
            (o.size() > plan_->main_target / 2 || rng_.chance(0.05))) {
          size = plan_->big_line_bytes;
          --bigs_left_;
          stats_.add(Kind::BigLine);
        } else if (plan_->era == 2 && ((size > 30000 && rng_.chance(0.5)) || txt_pending_)) {
          txt_pending_ = false;
          // 2.1.x keeps large outputs beside the transcript and points at them.
          std::string txt;
          pool_.append(txt, rng_, size);
          emit_(plan_->project_dir + "/" + plan_->session_id + "/tool-results/" + ids[i] + ".txt", txt,
                Kind::FileToolResultTxt);
          size = 200;
        }
        tool_result(o, t, ids[i], size, k);
        if (k == Kind::Interrupted) {
          user_text(o, t, "[Request interrupted by user for tool use]", false, Kind::Interrupted);
          return;  // interrupted turns have no turn_duration
        }
      }
      if (main) maybe_malformed(o, false);
    }
    if (main || rng_.chance(0.5)) system_line(o, t, Kind::SystemTurnDuration);
  }

  // 1.0.x: the subagent's lines sit in the session file itself, marked isSidechain.
  void inline_sidechain(std::string& o, Thread& parent) {
    Thread side{parent.session_id, "", true, ""};
    prompt(o, side);
    for (int s = 0, n = static_cast<int>(rng_.range(1, 4)); s < n; ++s) {
      auto ids = response(o, side, pick_model(true), s == 0, s + 1 < n ? 1 : 0, nullptr);
      for (const auto& id : ids)
        tool_result(o, side, id, static_cast<std::size_t>(rng_.lognormal(600, 1.0)) + 20, Kind::ToolResult);
    }
  }

  // 2.0.x / 2.1.x: the subagent gets its own file; 2.1.x also streams progress copies of its
  // messages into the parent and writes a .meta.json with the agent type.
  void subagent(std::string& o, Thread& parent, const std::string& tool_id) {
    --agents_left_;
    std::string agent_id;
    append_hex(agent_id, rng_, plan_->era == 2 ? 7 : 8);
    Thread sub{parent.session_id, agent_id, true, ""};
    const std::int64_t saved_ctx = ctx_tokens_;
    const bool saved_compact = compact_pending_;
    ctx_tokens_ = rng_.range(8000, 20000);
    std::string file;
    file.reserve(plan_->agent_target + 65536);
    std::vector<std::string> copies;
    const std::int64_t t0 = now_;
    while (file.size() < plan_->agent_target) {
      prompt(file, sub);
      const int steps = std::clamp(static_cast<int>(rng_.lognormal(5, 0.7)), 1, 30);
      const std::string model = pick_model(true);
      for (int s = 0; s < steps && file.size() < plan_->agent_target * 11 / 10; ++s) {
        auto ids =
            response(file, sub, model, s == 0, s + 1 < steps ? 1 : 0, plan_->era == 2 ? &copies : nullptr);
        for (const auto& id : ids) {
          now_ += rng_.range(200, 20000);
          tool_result(file, sub, id,
                      std::clamp<std::size_t>(static_cast<std::size_t>(rng_.lognormal(900, 1.3)), 20, 200000),
                      rng_.chance(0.05) ? Kind::ToolResultError : Kind::ToolResult);
        }
      }
    }
    ctx_tokens_ = saved_ctx;
    compact_pending_ = saved_compact;
    const std::string name = "agent-" + agent_id;
    if (plan_->era == 2) {
      const std::string dir = plan_->project_dir + "/" + plan_->session_id + "/subagents/";
      emit_(dir + name + ".jsonl", file, Kind::FileSubagent21);
      static constexpr const char* kTypes[] = {"Explore", "general-purpose", "Plan", "code-reviewer"};
      emit_(dir + name + ".meta.json", std::string("{\"agentType\":\"") + rng_.pick(kTypes) + "\"}\n",
            Kind::FileMetaJson);
      std::int64_t ts = t0;
      for (const auto& c : copies) {
        ts += rng_.range(100, 5000);
        prefix(o, parent);
        o += ",\"type\":\"progress\",\"data\":{\"message\":";
        o += c;
        o += ",\"normalizedMessages\":[],\"type\":\"agent_progress\",\"prompt\":\"Explore the "
             "code\",\"agentId\":\"";
        o += agent_id;
        o += "\"},\"toolUseID\":\"agent_msg_01";
        append_base62(o, rng_, 20);
        o += "\",\"parentToolUseID\":\"";
        o += tool_id;
        o += "\",\"uuid\":\"";
        o += make_uuid(rng_);
        o += "\",\"timestamp\":\"";
        append_iso(o, ts);
        o += "\"}\n";
        stats_.add(Kind::ProgressAgent);
      }
    } else {
      emit_(plan_->project_dir + "/" + name + ".jsonl", file, Kind::FileAgent20);
    }
    tool_result(o, parent, tool_id, static_cast<std::size_t>(rng_.lognormal(1500, 0.8)) + 50,
                Kind::ToolResult);
  }

  // Real logs hold broken lines: cut by a crash, interleaved writes, preallocated NULs.
  void maybe_malformed(std::string& o, bool at_end) {
    if (at_end) {
      if (plan_->unterminated_last || rng_.chance(0.02)) {
        o += "{\"parentUuid\":\"";
        o += make_uuid(rng_);
        o += "\",\"isSidechain\":false,\"type\":\"assistant\",\"message\":{\"model\":\"claude-";
        stats_.add(Kind::UnterminatedLast);
      }
      return;
    }
    double r = rng_.unit();
    if (malformed_pending_ > 0) r = 0.002 * --malformed_pending_ + 0.003;
    if (r < 0.004) {
      o += "{\"parentUuid\":\"";
      o += make_uuid(rng_);
      o += "\",\"isSidechain\":false,\"userType\":\"external\",\"cwd\":\"/home/dev/wo\n";
      stats_.add(Kind::Truncated);
    } else if (r < 0.006) {
      o.append(static_cast<std::size_t>(rng_.range(16, 4096)), '\0');
      o += '\n';
      stats_.add(Kind::NulRun);
    } else if (r < 0.008) {
      for (int i = 0, n = static_cast<int>(rng_.range(5, 300)); i < n; ++i)
        o += static_cast<char>(rng_.range(0x21, 0x7e));
      o += '\n';
      stats_.add(Kind::Garbage);
    }
  }

  static void remember_lines(const std::string& buf, std::size_t until, std::vector<std::string>& out) {
    std::size_t pos = 0;
    while (pos < until && out.size() < 200) {
      const auto nl = buf.find('\n', pos);
      if (nl == std::string::npos) break;
      if (nl - pos < 100000 && buf[pos] == '{' && buf[nl - 1] == '}') out.emplace_back(buf, pos, nl - pos);
      pos = nl + 1;
    }
  }

  const TextPool& pool_;
  Rng& rng_;
  CorpusStats& stats_;
  const EmitFile& emit_;
  const ClaudeSessionPlan* plan_ = nullptr;
  std::int64_t now_ = 0;
  std::int64_t ctx_tokens_ = 0;
  std::int64_t turn_start_ = 0;
  std::int64_t turn_messages_ = 0;
  std::int64_t retry_attempt_ = 0;
  bool compact_pending_ = false;
  bool txt_pending_ = false;
  int malformed_pending_ = 0;
  int agents_left_ = 0;
  int bigs_left_ = 0;
};

}  // namespace costdeck::bench
