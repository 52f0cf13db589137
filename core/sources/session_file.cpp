#include "core/sources/session_file.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/sources/codex_rollout.hpp"
#include "core/sources/line_scan.hpp"
#include "core/sources/text_scan.hpp"

namespace costdeck::sources {
namespace {

constexpr std::size_t kChunk = 8u << 20;  // read size; lines longer than this grow the buffer
constexpr std::size_t kMinRead = 64u << 10;

bool blank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

// Feeds complete lines to a per-kind handler. `line` is always followed by kPaddingBytes
// readable bytes, so the JSON parser works in place.
class LineSink {
 public:
  LineSink(FileKind kind, const FileCursor& from, const ReadOptions& opts, const std::string& path,
           FileReadResult& out)
      : kind_(kind), opts_(opts), out_(out), line_no_(from.line_no) {
    if (kind_ == FileKind::CodexRollout) {
      codex_ = CodexState::decode(from.state);
      codex_fallback_id_ = codex_session_id_from_path(path);
    }
    parse_opts_.content = opts.keep_activity;
  }

  // `marks`: what the reader's scan found in the line, if it scanned it (else searched here).
  void line(std::string_view line, std::int64_t offset, const LineEnd* marks = nullptr) {
    marks_ = marks;
    ++line_no_;
    if (offset >= opts_.usage_from) ++out_.lines;
    if (blank(line)) return;
    if (kind_ == FileKind::CodexRollout) {
      CodexLine* act = opts_.on_codex_activity ? &cx_ : nullptr;
      if (!parse_codex_line_padded(line, line_no_, offset, codex_fallback_id_, codex_, out_, &error_, act))
        malformed(offset, line.size());
      else if (act && act->event != CodexEvent::None)
        opts_.on_codex_activity(*act);
      return;
    }
    claude(line, offset);
  }

  std::int64_t line_no() const { return line_no_; }
  std::string state() const { return kind_ == FileKind::CodexRollout ? codex_.encode() : std::string(); }

 private:
  bool usage_key(std::string_view line) const {
    return marks_ ? marks_->usage_key : contains(line, "\"usage\"");
  }

  void claude(std::string_view line, std::int64_t offset) {
    parse_opts_.nul_free = marks_ && !marks_->nul;
    if (offset < opts_.usage_from) {
      if (opts_.keep_activity) claude_activity(line, offset);
      return;
    }
    // A usage-only read parses only lines with "usage" (no other line can carry any) and
    // counts the cheap signs of a broken line in the others.
    if (!opts_.keep_activity && !usage_key(line)) {
      if (const char* why = claude_line_shape_error(line, parse_opts_.nul_free)) {
        error_ = why;
        malformed(offset, line.size());
      }
      return;
    }
    if (!parse_claude_line_padded(line, cl_, &error_, parse_opts_) && !parse_whole(line)) {
      malformed(offset, line.size());
      return;
    }
    if (usage_from_claude_line(cl_, ev_)) {
      copy(offset, CopyKind::Counted);
    } else if (cl_.has_usage && !cl_.has_ts) {
      error_ = "usage line without a valid timestamp";
      malformed(offset, line.size());
    }
    if (ccusage_only_usage_from_claude_line(cl_, ev_))
      copy(offset, cl_.is_progress_copy ? CopyKind::CcusageDailyOnly : CopyKind::CcusageOnly);
    if (opts_.keep_activity) activity(cl_);
  }

  // A line a usage-only read took already, read for its activity alone: what that read
  // counted as malformed (a line with "usage" it could not parse, the cheap signs in the
  // others) is not counted again.
  void claude_activity(std::string_view line, std::int64_t offset) {
    const bool had_usage_key = usage_key(line);
    if (!had_usage_key && claude_line_shape_error(line, parse_opts_.nul_free) != nullptr) return;
    if (!parse_claude_line_padded(line, cl_, &error_, parse_opts_)) {
      if (!had_usage_key) malformed(offset, line.size());
      return;
    }
    activity(cl_);
  }

  void copy(std::int64_t offset, CopyKind kind) {
    ev_.offset = offset;
    ev_.line_no = line_no_;
    if (opts_.on_usage)
      opts_.on_usage(ev_, kind);
    else if (kind == CopyKind::Counted)
      out_.usage.push_back(ev_);
    else
      out_.ccusage_only.push_back({ev_, kind == CopyKind::CcusageDailyOnly});
  }

  // A usage-only parse that failed, tried again reading everything: the parser does not
  // validate what it skips and what it reads the same way, and a line a full read accepts
  // is read as a full read reads it (so a usage report and the window count it alike).
  bool parse_whole(std::string_view line) {
    if (parse_opts_.content) return false;
    ClaudeParseOptions whole = parse_opts_;
    whole.content = true;
    return parse_claude_line_padded(line, cl_, &error_, whole);
  }

  void activity(ClaudeLine& l) {
    if (l.type != "user" && l.type != "assistant" && l.type != "system") return;
    if (opts_.on_activity) {
      opts_.on_activity(l);
    } else {
      // Moved, not copied: the parser refills every field of cl_ on the next line.
      out_.activity.push_back(std::move(l));
    }
  }

  void malformed(std::int64_t offset, std::size_t size) {
    ++out_.malformed_count;
    if (out_.malformed.size() >= FileReadResult::kMaxMalformedKept) return;
    MalformedLine m;
    m.line_no = line_no_;
    m.offset = offset;
    m.reason = error_;
    if (size >= (1u << 20)) m.reason += " (line of " + std::to_string(size >> 20) + " MB)";
    out_.malformed.push_back(std::move(m));
  }

  FileKind kind_;
  const ReadOptions& opts_;
  FileReadResult& out_;
  std::int64_t line_no_;
  ClaudeLine cl_;
  UsageEvent ev_;  // reused copy after copy, as cl_
  const LineEnd* marks_ = nullptr;
  ClaudeParseOptions parse_opts_;
  CodexState codex_;
  CodexLine cx_;  // reused line after line, as cl_
  std::string codex_fallback_id_;
  std::string error_;
};

std::vector<char>& thread_buffer() {
  thread_local std::vector<char> buf;
  return buf;
}

std::vector<LineEnd>& thread_line_ends() {
  thread_local std::vector<LineEnd> ends;
  return ends;
}

}  // namespace

FileReadResult read_session_bytes(FileKind kind, std::string_view data, const FileCursor& from,
                                  const ReadOptions& opts, const std::string& path_hint) {
  FileReadResult out;
  out.next = from;
  const std::size_t last = data.rfind('\n');
  if (last == std::string_view::npos) return out;
  // Parse in place where kPaddingBytes follow; copy only the tail lines.
  std::string tail;
  LineSink sink(kind, from, opts, path_hint, out);
  std::size_t start = 0;
  while (start <= last) {
    const char* nl = static_cast<const char*>(std::memchr(data.data() + start, '\n', last + 1 - start));
    const std::size_t end = static_cast<std::size_t>(nl - data.data());
    std::string_view line = data.substr(start, end - start);
    if (end + kPaddingBytes > data.size()) {
      tail.assign(line);
      tail.append(kPaddingBytes, '\0');
      line = std::string_view(tail.data(), line.size());
    }
    sink.line(line, from.offset + static_cast<std::int64_t>(start));
    start = end + 1;
  }
  out.bytes = static_cast<std::int64_t>(last + 1);
  out.next.offset = from.offset + out.bytes;
  out.next.line_no = sink.line_no();
  out.next.state = sink.state();
  return out;
}

FileReadResult read_session_file(FileKind kind, const std::string& path, const FileCursor& from,
                                 const ReadOptions& opts) {
  FileReadResult out;
  out.next = from;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.error = "cannot open " + path + ": " + std::strerror(errno);
    return out;
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0) {
    out.error = "cannot read " + path + ": " + std::strerror(errno);
    return out;
  }
  if (size < from.offset) {
    out.shrank = true;
    out.error = path + " is shorter than what was already read (replaced or truncated)";
    return out;
  }

  // Sized to what is left to read (a live append is a few hundred bytes): a fresh reader
  // thread would otherwise zero a whole chunk's pages before reading one line.
  std::vector<char>& buf = thread_buffer();
  std::vector<LineEnd>& ends = thread_line_ends();
  const std::size_t want =
      std::clamp<std::size_t>(static_cast<std::size_t>(size - from.offset), kMinRead, kChunk);
  if (buf.size() < want + kPaddingBytes) buf.resize(want + kPaddingBytes);
  LineSink sink(kind, from, opts, path, out);
  std::int64_t pos = from.offset;  // file offset of buf[0]
  std::size_t have = 0;
  // The first and the last kHashWindow bytes consumed (those before the cursor).
  constexpr std::size_t kWindow = FileReadResult::kHashWindow;
  std::string head, tail;
  auto keep_window = [&](const char* p, std::size_t n) {
    if (head.size() < kWindow) head.append(p, std::min(n, kWindow - head.size()));
    if (n >= kWindow) {
      tail.assign(p + n - kWindow, kWindow);
    } else {
      tail.append(p, n);
      if (tail.size() > kWindow) tail.erase(0, tail.size() - kWindow);
    }
  };
  for (;;) {
    if (have + kPaddingBytes >= buf.size()) buf.resize(buf.size() * 2);  // one line fills the buffer
    const std::size_t room = buf.size() - kPaddingBytes - have;
    const ssize_t n = ::pread(fd, buf.data() + have, room, pos + static_cast<std::int64_t>(have));
    if (n < 0) {
      if (errno == EINTR) continue;
      out.error = "cannot read " + path + ": " + std::strerror(errno);
      break;
    }
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
    std::size_t start = 0;
    find_lines(buf.data(), have, ends);  // kPaddingBytes follow `have` in buf
    for (const LineEnd& e : ends) {
      sink.line(std::string_view(buf.data() + start, e.end - start), pos + static_cast<std::int64_t>(start),
                &e);
      start = e.end + 1;
    }
    if (start > 0) {
      if (from.offset == 0) keep_window(buf.data(), start);
      std::memmove(buf.data(), buf.data() + start, have - start);
      pos += static_cast<std::int64_t>(start);
      have -= start;
    }
  }
  out.bytes = pos - from.offset;
  out.next.offset = pos;
  out.next.line_no = sink.line_no();
  out.next.state = sink.state();
  if (from.offset == 0 && out.error.empty()) {
    // tail holds min(pos, kWindow) bytes, as many as the head's window.
    const std::size_t n = std::min(static_cast<std::size_t>(pos), kWindow);
    out.has_window_hashes = true;
    out.head_hash = n == 0 ? 0 : XXH3_64bits(head.data(), n);
    out.tail_hash = n == 0 ? 0 : XXH3_64bits(tail.data() + tail.size() - n, n);
  }
  // A multi-MB line must not pin its buffer for the rest of the program.
  if (buf.size() > 4 * (kChunk + kPaddingBytes)) std::vector<char>().swap(buf);
  return out;
}

}  // namespace costdeck::sources
