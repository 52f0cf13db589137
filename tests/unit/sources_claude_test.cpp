#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/sources/claude_line.hpp"
#include "core/sources/session_file.hpp"

namespace fs = std::filesystem;
using namespace costdeck::sources;

namespace {

const std::string kDir = std::string(COSTDECK_FIXTURES_DIR) + "/claude/";

FileReadResult read_fixture(const std::string& name, const FileCursor& from = {}) {
  return read_session_file(FileKind::ClaudeTranscript, kDir + name, from);
}

// A fresh scratch folder per test, removed afterwards.
struct Scratch {
  fs::path dir;
  Scratch() {
    dir = fs::temp_directory_path() / ("costdeck-sources-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
  std::string write(const std::string& name, const std::string& bytes, bool append = false) {
    const fs::path p = dir / name;
    std::ofstream(p, append ? std::ios::binary | std::ios::app : std::ios::binary) << bytes;
    return p.string();
  }
};

const std::string kAssistant =
    R"({"type":"assistant","timestamp":"2025-10-01T10:00:00.000Z","sessionId":"s1","version":"2.0.1","requestId":"r1","message":{"id":"m1","model":"claude-sonnet-4-5","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":10,"output_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}})";

ClaudeLine parse_ok(const std::string& text) {
  ClaudeLine l;
  std::string err;
  EXPECT_TRUE(parse_claude_line(text, l, &err)) << err;
  return l;
}

}  // namespace

TEST(SourcesClaudeLine, CacheWritesSplitWhenCacheCreationPresent) {
  // formats.md: cache writes = ephemeral_5m + ephemeral_1h when cache_creation is present,
  // else cache_creation_input_tokens (all counted as 5-minute writes).
  const auto r = read_fixture("cache_split.jsonl");
  ASSERT_EQ(r.usage.size(), 2u);
  EXPECT_EQ(r.usage[0].tokens.cache_write_5m, 300);
  EXPECT_EQ(r.usage[0].tokens.cache_write_1h, 200);
  EXPECT_EQ(r.usage[1].tokens.cache_write_5m, 400);
  EXPECT_EQ(r.usage[1].tokens.cache_write_1h, 0);
}

TEST(SourcesClaudeLine, OneResponseOnSeveralLinesGivesOneEventPerLine) {
  // One API response is written as several lines with growing output_tokens; the reader
  // reports each copy (with its offset) and the store keeps the largest.
  const auto r = read_fixture("multi_line_response.jsonl");
  ASSERT_EQ(r.usage.size(), 3u);
  EXPECT_EQ(r.usage[0].tokens.output, 1);
  EXPECT_EQ(r.usage[1].tokens.output, 40);
  EXPECT_EQ(r.usage[2].tokens.output, 120);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(r.usage[i].message_id, "msg_A");
    EXPECT_EQ(r.usage[i].request_id, "req_A");
    EXPECT_EQ(r.usage[i].line_no, i + 1);
    EXPECT_EQ(r.usage[i].tokens.cache_read, 2000);
  }
  EXPECT_LT(r.usage[0].offset, r.usage[1].offset);
  ASSERT_EQ(r.activity.size(), 3u);
  ASSERT_EQ(r.activity[1].content.size(), 1u);
  EXPECT_EQ(r.activity[1].content[0].type, "tool_use");
  EXPECT_EQ(r.activity[1].content[0].tool_name, "Bash");
  EXPECT_EQ(r.activity[1].content[0].tool_use_id, "toolu_1");
  EXPECT_EQ(r.usage[0].ts_ms, 1759312800000);  // 2025-10-01T10:00:00Z
}

TEST(SourcesClaudeLine, SidechainReplayKeepsItsFlag) {
  // A /btw replay repeats message.id with a new requestId and isSidechain:true.
  const auto r = read_fixture("sidechain_replay.jsonl");
  ASSERT_EQ(r.usage.size(), 2u);
  EXPECT_FALSE(r.usage[0].sidechain);
  EXPECT_TRUE(r.usage[1].sidechain);
  EXPECT_EQ(r.usage[1].message_id, r.usage[0].message_id);
  EXPECT_EQ(r.usage[1].request_id, "req_B_replay");
}

TEST(SourcesClaudeLine, ResumedSessionCopiesKeepTheirIds) {
  // A resumed session copies earlier lines into the new file: same message.id + requestId.
  const auto a = read_fixture("resumed/sess-old.jsonl");
  const auto b = read_fixture("resumed/sess-new.jsonl");
  ASSERT_EQ(a.usage.size(), 1u);
  ASSERT_EQ(b.usage.size(), 2u);
  EXPECT_EQ(b.usage[0].message_id, a.usage[0].message_id);
  EXPECT_EQ(b.usage[0].request_id, a.usage[0].request_id);
  EXPECT_EQ(b.usage[0].tokens, a.usage[0].tokens);
}

TEST(SourcesClaudeLine, NullFieldsAreNotGivenAndCcusageSkipsSome) {
  // null is "not given", never a reason to drop; ccusage 20.0.24 drops null sessionId and a
  // non-N.N.N version but keeps null isSidechain / service_tier (checked with its binary).
  const auto r = read_fixture("null_fields.jsonl");
  ASSERT_EQ(r.usage.size(), 4u);
  EXPECT_TRUE(r.usage[0].ccusage_skips);
  EXPECT_EQ(r.usage[0].session_id, "");
  EXPECT_FALSE(r.usage[1].ccusage_skips);
  EXPECT_FALSE(r.usage[2].ccusage_skips);
  EXPECT_TRUE(r.usage[3].ccusage_skips);
  EXPECT_EQ(r.usage[3].version, "dev-build");
  EXPECT_EQ(r.malformed_count, 0);
}

TEST(SourcesClaudeLine, CostUsdIsKept) {
  // Very old lines carry costUSD; auto mode prefers it.
  const auto r = read_fixture("cost_usd.jsonl");
  ASSERT_EQ(r.usage.size(), 1u);
  ASSERT_TRUE(r.usage[0].cost_usd.has_value());
  EXPECT_DOUBLE_EQ(*r.usage[0].cost_usd, 0.5);
  EXPECT_FALSE(read_fixture("cache_split.jsonl").usage[0].cost_usd.has_value());
}

TEST(SourcesClaudeLine, WebSearchAndFastSpeed) {
  // server_tool_use web_search/web_fetch requests and usage.speed are carried.
  const auto r = read_fixture("web_search.jsonl");
  ASSERT_EQ(r.usage.size(), 1u);
  EXPECT_EQ(r.usage[0].web_search_requests, 2);
  EXPECT_EQ(r.usage[0].web_fetch_requests, 1);
  EXPECT_TRUE(r.usage[0].fast);
}

TEST(SourcesClaudeLine, SyntheticApiErrorIsActivityNotUsage) {
  // <synthetic> API error lines have zero usage: not usage, but ccusage makes a zero row of them.
  const auto r = read_fixture("synthetic_api_error.jsonl");
  EXPECT_TRUE(r.usage.empty());
  ASSERT_EQ(r.ccusage_only.size(), 1u);
  EXPECT_FALSE(r.ccusage_only[0].daily_only);
  EXPECT_EQ(r.ccusage_only[0].event.tokens.total(), 0);
  ASSERT_EQ(r.activity.size(), 1u);
  EXPECT_TRUE(r.activity[0].is_api_error);
  EXPECT_EQ(r.activity[0].model, "<synthetic>");
  ASSERT_EQ(r.activity[0].content.size(), 1u);
  EXPECT_EQ(r.activity[0].content[0].text.rfind("API Error: 529 {\"type\"", 0), 0u);
}

// A duration written as a float is read as a float; one no 64-bit count can hold (found by
// the fuzz target: 81E34) is unknown, as if absent, never a converted garbage value.
TEST(SourcesClaudeLine, FloatDurationsOutOfRangeAreUnknown) {
  auto line = [](const std::string& d) {
    return R"({"type":"system","subtype":"turn_duration","durationMs":)" + d +
           R"(,"timestamp":"2025-10-08T10:00:00.000Z","uuid":"s1","sessionId":"x"})";
  };
  EXPECT_EQ(parse_ok(line("1.5E3")).duration_ms, 1500);
  EXPECT_EQ(parse_ok(line("81E34")).duration_ms, -1);
  EXPECT_EQ(parse_ok(line("-81E34")).duration_ms, -1);
}

TEST(SourcesClaudeLine, SystemAndUserActivity) {
  // turn_duration (durationMs, messageCount), api_error retries, tool_result is_error; other
  // line types (file-history-snapshot, summary, unknown) are not activity and not errors.
  const auto r = read_fixture("system_lines.jsonl");
  EXPECT_EQ(r.malformed_count, 0);
  EXPECT_EQ(r.lines, 7);
  ASSERT_EQ(r.activity.size(), 4u);
  EXPECT_EQ(r.activity[0].subtype, "turn_duration");
  EXPECT_EQ(r.activity[0].duration_ms, 81234);
  EXPECT_EQ(r.activity[0].message_count, 12);
  EXPECT_EQ(r.activity[1].subtype, "api_error");
  EXPECT_EQ(r.activity[1].retry_in_ms, 1200);
  EXPECT_EQ(r.activity[1].retry_attempt, 2);
  EXPECT_EQ(r.activity[1].max_retries, 10);
  EXPECT_EQ(r.activity[1].error_status, 529);
  ASSERT_EQ(r.activity[2].content.size(), 1u);
  EXPECT_EQ(r.activity[2].content[0].type, "tool_result");
  EXPECT_TRUE(r.activity[2].content[0].is_error);
  EXPECT_EQ(r.activity[2].content[0].tool_use_id, "toolu_1");
  EXPECT_EQ(r.activity[2].content[0].text, "Exit code 1\nboom");
  EXPECT_TRUE(r.activity[3].content_is_string);
  EXPECT_EQ(r.activity[3].content[0].text, "fix the \"tests\" please");
  EXPECT_TRUE(r.usage.empty());
}

TEST(SourcesClaudeLine, ProgressCopiesAreNotCounted) {
  // progress lines of subtype agent_progress embed subagent messages: not counted by us;
  // `ccusage claude daily` 20.0.24 counts them (checked with its binary), so they are
  // handed over as daily-only ccusage events with the embedded message's fields.
  const auto r = read_fixture("progress_copy.jsonl");
  EXPECT_TRUE(r.usage.empty());
  EXPECT_TRUE(r.activity.empty());
  ASSERT_EQ(r.ccusage_only.size(), 1u);
  const auto& ev = r.ccusage_only[0];
  EXPECT_TRUE(ev.daily_only);
  EXPECT_EQ(ev.event.tokens.input, 11);
  EXPECT_EQ(ev.event.tokens.output, 22);
  EXPECT_EQ(ev.event.request_id, "req_P");
  EXPECT_EQ(ev.event.message_id, "msg_P");
  EXPECT_TRUE(ev.event.sidechain);
  EXPECT_EQ(ev.event.ts_ms, 1759312800000 + 8LL * 86400000);  // embedded 2025-10-09T10:00:00Z
}

TEST(SourcesClaudeLine, CcusageTextualAndFormatRules) {
  // ccusage scans for `"<field>":null` anywhere (even in tool input), needs the exact
  // `"usage":{` bytes and a YYYY-MM-DDTHH:MM:SS[.mmm](Z|±hh:mm) timestamp.
  auto with = [](std::string from, std::string to) {
    std::string s = kAssistant;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  EXPECT_FALSE(parse_ok(kAssistant).ccusage_skips);
  const ClaudeLine nested = parse_ok(with(R"("text":"hi"})", R"("text":"hi","input":{"model":null}})"));
  EXPECT_TRUE(nested.has_usage);
  EXPECT_TRUE(nested.ccusage_skips);
  EXPECT_TRUE(parse_ok(with(R"("usage":{)", R"("usage": {)")).ccusage_skips);
  // ... anywhere: a compact "usage":{ in another object (a Task result's totals) is enough,
  // before or after the message's.
  const std::string spaced = with(R"("usage":{)", R"("usage": {)");
  EXPECT_FALSE(
      parse_ok(with(R"({"type":"assistant",)", R"({"toolUseResult":{"usage":{"x":1}},"type":"assistant",)"))
          .ccusage_skips);
  EXPECT_FALSE(
      parse_ok(spaced.substr(0, spaced.size() - 1) + R"(,"toolUseResult":{"usage":{"x":1}}})").ccusage_skips);
  EXPECT_TRUE(parse_ok(spaced.substr(0, spaced.size() - 1) + R"(,"toolUseResult":{"usage": {"x":1}}})")
                  .ccusage_skips);
  const ClaudeLine micro = parse_ok(with("10:00:00.000Z", "10:00:00.123456Z"));
  EXPECT_TRUE(micro.ccusage_skips);
  EXPECT_TRUE(micro.has_ts);
  EXPECT_EQ(micro.ts_ms, 1759312800123);
  EXPECT_FALSE(parse_ok(with("10:00:00.000Z", "12:00:00+02:00")).ccusage_skips);
  EXPECT_EQ(parse_ok(with("10:00:00.000Z", "12:00:00+02:00")).ts_ms, 1759312800000);
  EXPECT_TRUE(parse_ok(with(R"("requestId":"r1")", R"("requestId":"")")).ccusage_skips);
  EXPECT_TRUE(parse_ok(with(R"("input_tokens":10)", R"("input_tokens":10.0)")).ccusage_skips);
  EXPECT_EQ(parse_ok(with(R"("input_tokens":10)", R"("input_tokens":10.0)")).tokens.input, 10);
  EXPECT_FALSE(parse_ok(with(R"("version":"2.0.1")", R"("version":"2.0.1-beta")")).ccusage_skips);
  EXPECT_TRUE(parse_ok(with(R"("version":"2.0.1")", R"("version":"2.0")")).ccusage_skips);
}

TEST(SourcesClaudeLine, MalformedReasons) {
  // Not an object, broken JSON and two objects glued together are refused with a reason.
  ClaudeLine l;
  std::string err;
  EXPECT_FALSE(parse_claude_line("[1,2]", l, &err));
  EXPECT_EQ(err, "not an object");
  EXPECT_FALSE(parse_claude_line(R"({"type":"user","message":{"content":"x"})", l, &err));
  EXPECT_NE(err.find("invalid JSON"), std::string::npos);
  EXPECT_FALSE(parse_claude_line(R"({"type":"user"}{"type":"assistant"})", l, &err));
  EXPECT_NE(err.find("invalid JSON"), std::string::npos);
  EXPECT_FALSE(parse_claude_line(std::string("{\"type\":\"u\0ser\"}", 17), l, &err));
  EXPECT_EQ(err, "NUL bytes");
}

TEST(SourcesSessionFile, BadLinesAreCountedAndSkipped) {
  // NUL runs, garbage from interleaved writes and empty lines: skipped, counted (empty lines
  // silently), reading goes on.
  Scratch s;
  std::string bytes = kAssistant + "\n";
  bytes += std::string(300, '\0') + "\n";
  bytes += "{\"type\":\"assis{\"type\":\"user\"}\n";
  bytes += "\n   \n";
  bytes += "garbage \xff\xfe\n";
  bytes += kAssistant + "\n";
  const auto r = read_session_file(FileKind::ClaudeTranscript, s.write("bad.jsonl", bytes), {});
  EXPECT_TRUE(r.error.empty());
  EXPECT_EQ(r.lines, 7);
  EXPECT_EQ(r.usage.size(), 2u);
  ASSERT_EQ(r.malformed_count, 3);
  ASSERT_EQ(r.malformed.size(), 3u);
  EXPECT_EQ(r.malformed[0].line_no, 2);
  EXPECT_EQ(r.malformed[0].reason, "NUL bytes");
  EXPECT_EQ(r.malformed[0].offset, static_cast<std::int64_t>(kAssistant.size() + 1));
  EXPECT_EQ(r.malformed[1].line_no, 3);
  EXPECT_EQ(r.malformed[2].line_no, 6);
  EXPECT_EQ(r.usage[1].line_no, 7);
  // The usage-only mode does not parse lines without "usage": it still finds NUL runs and
  // lines that are not brace-delimited, but not garbage between the braces (line 3).
  ReadOptions fast;
  fast.keep_activity = false;
  const auto f = read_session_file(FileKind::ClaudeTranscript, s.dir.string() + "/bad.jsonl", {}, fast);
  EXPECT_EQ(f.malformed_count, 2);
  EXPECT_EQ(f.usage.size(), 2u);
  EXPECT_TRUE(f.activity.empty());
}

// The line parser validates what it reads and what it skips differently: a usage line
// broken inside its content (found by the fuzz target) fails the usage-only parse, which
// skips the content, but not the full one. The usage-only read then reads it whole, so a
// usage report and a full read count it alike.
TEST(SourcesSessionFile, UsageOnlyReadCountsWhatAFullReadCounts) {
  std::string line = kAssistant;
  const std::string block = R"({"type":"text","text":"hi"})";
  line.replace(line.find(block), block.size(), R"({"type":"x","message":{"a":1}},"text":"ok"-})");
  line += "\n";
  ReadOptions usage_only;
  usage_only.keep_activity = false;
  const auto u = read_session_bytes(FileKind::ClaudeTranscript, line, {}, usage_only);
  const auto f = read_session_bytes(FileKind::ClaudeTranscript, line, {}, ReadOptions{});
  ASSERT_EQ(f.malformed_count, 0);
  EXPECT_EQ(u.malformed_count, 0);
  ASSERT_EQ(u.usage.size(), 1u);
  ASSERT_EQ(f.usage.size(), 1u);
  EXPECT_EQ(u.usage[0].tokens.output, f.usage[0].tokens.output);
  EXPECT_EQ(u.usage[0].ccusage_skips, f.usage[0].ccusage_skips);
}

TEST(SourcesSessionFile, LastLineWaitsForItsNewline) {
  // A last line without its newline is not read until the newline arrives.
  Scratch s;
  const std::string path = s.write("t.jsonl", kAssistant + "\n" + kAssistant.substr(0, 40));
  const auto first = read_session_file(FileKind::ClaudeTranscript, path, {});
  EXPECT_EQ(first.usage.size(), 1u);
  EXPECT_EQ(first.malformed_count, 0);
  EXPECT_EQ(first.next.offset, static_cast<std::int64_t>(kAssistant.size() + 1));
  EXPECT_EQ(first.next.line_no, 1);
  const auto again = read_session_file(FileKind::ClaudeTranscript, path, first.next);
  EXPECT_EQ(again.lines, 0);
  EXPECT_EQ(again.next.offset, first.next.offset);
  s.write("t.jsonl", kAssistant.substr(40) + "\n", true);
  const auto rest = read_session_file(FileKind::ClaudeTranscript, path, first.next);
  ASSERT_EQ(rest.usage.size(), 1u);
  EXPECT_EQ(rest.usage[0].line_no, 2);
  EXPECT_EQ(rest.usage[0].offset, first.next.offset);
  EXPECT_EQ(rest.next.offset, static_cast<std::int64_t>(2 * (kAssistant.size() + 1)));
}

TEST(SourcesSessionFile, EmptyMissingAndShrunkFiles) {
  // Empty files are fine; unreadable ones set error (no throw); a file shorter than the
  // cursor is reported as shrunk.
  Scratch s;
  const auto empty = read_session_file(FileKind::ClaudeTranscript, s.write("e.jsonl", ""), {});
  EXPECT_TRUE(empty.error.empty());
  EXPECT_EQ(empty.lines, 0);
  const auto missing = read_session_file(FileKind::ClaudeTranscript, s.dir.string() + "/nope.jsonl", {});
  EXPECT_NE(missing.error.find("cannot open"), std::string::npos);
  const auto dir = read_session_file(FileKind::ClaudeTranscript, s.dir.string(), {});
  EXPECT_FALSE(dir.error.empty());
  FileCursor far;
  far.offset = 1000;
  const auto shrunk =
      read_session_file(FileKind::ClaudeTranscript, s.write("x.jsonl", kAssistant + "\n"), far);
  EXPECT_TRUE(shrunk.shrank);
  EXPECT_EQ(shrunk.next.offset, 1000);
}

TEST(SourcesSessionFile, MultiMegabyteLines) {
  // Lines of several MB (bigger than the read buffer) are read whole; text is cut.
  Scratch s;
  const std::string big(20u << 20, 'x');
  const std::string user =
      R"({"type":"user","timestamp":"2025-10-01T10:00:00.000Z","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":")" +
      big + R"("}]}})";
  const auto r = read_session_file(FileKind::ClaudeTranscript,
                                   s.write("big.jsonl", user + "\n" + kAssistant + "\n"), {});
  EXPECT_EQ(r.malformed_count, 0);
  EXPECT_EQ(r.usage.size(), 1u);
  ASSERT_EQ(r.activity.size(), 2u);
  // Not an error: only the start of a tool result's text is kept.
  EXPECT_EQ(r.activity[0].content[0].text.size(), ClaudeLine::kMaxToolResultText);
  EXPECT_EQ(r.usage[0].offset, static_cast<std::int64_t>(user.size() + 1));
}

TEST(SourcesSessionFile, ErrorToolResultsKeepTheirTextWhateverTheKeyOrder) {
  // is_error after the content (as Claude Code writes it) or before: an error's text is kept
  // to kMaxBlockText, its parts joined by newlines; a success keeps only its start.
  Scratch s;
  const std::string big(5u << 20, 'e'), a(300, 'a'), b(400, 'b');
  auto line = [](const std::string& block) {
    return R"({"type":"user","timestamp":"2025-10-01T10:00:00.000Z","message":{"role":"user","content":[)" +
           block + "]}}\n";
  };
  const std::string text =
      line(R"({"type":"tool_result","tool_use_id":"t1","content":")" + big + R"(","is_error":true})") +
      line(R"({"type":"tool_result","tool_use_id":"t2","is_error":true,"content":")" + big + R"("})") +
      line(R"({"type":"tool_result","tool_use_id":"t3","content":[{"type":"text","text":")" + a +
           R"("},{"type":"image"},{"type":"text","text":"line\nbreak )" + b + R"("}],"is_error":true})") +
      line(R"({"type":"tool_result","tool_use_id":"t4","content":[{"type":"text","text":")" + a +
           R"("},{"type":"text","text":")" + b + R"("}],"is_error":false})");
  const auto r = read_session_file(FileKind::ClaudeTranscript, s.write("errors.jsonl", text), {});
  ASSERT_EQ(r.activity.size(), 4u);
  EXPECT_EQ(r.activity[0].content[0].text, std::string(ClaudeLine::kMaxBlockText, 'e'));
  EXPECT_EQ(r.activity[1].content[0].text, std::string(ClaudeLine::kMaxBlockText, 'e'));
  EXPECT_EQ(r.activity[2].content[0].text, a + "\nline\nbreak " + b);
  EXPECT_TRUE(r.activity[2].content[0].is_error);
  EXPECT_EQ(r.activity[3].content[0].text, a.substr(0, ClaudeLine::kMaxToolResultText));
}

TEST(SourcesSessionFile, ResumeFromCursorMatchesOneRead) {
  // Reading in two steps from a cursor gives the same events as one read.
  const auto whole = read_fixture("multi_line_response.jsonl");
  FileCursor mid;
  mid.offset = whole.usage[1].offset;
  mid.line_no = 1;
  const auto tail = read_fixture("multi_line_response.jsonl", mid);
  ASSERT_EQ(tail.usage.size(), 2u);
  EXPECT_EQ(tail.usage[0].line_no, 2);
  EXPECT_EQ(tail.usage[1].tokens, whole.usage[2].tokens);
  EXPECT_EQ(tail.next.offset, whole.next.offset);
}
