#pragma once
// Small byte-level helpers shared by the session-file readers: timestamps, JSON string
// prefixes and the textual checks ccusage 20.0.24 applies before it parses a line.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace costdeck::sources {

// ISO 8601 / RFC 3339 date-time ("2025-10-01T10:00:00.123Z", any number of fraction digits,
// "Z" or "+hh:mm" / "-hh:mm" / "+hhmm", optional seconds). Milliseconds since the epoch, UTC.
bool parse_iso8601_ms(std::string_view text, std::int64_t& ms);

// The stricter form ccusage 20.0.24 accepts: exactly YYYY-MM-DDTHH:MM:SS[.mmm](Z|±hh:mm).
bool ccusage_accepts_timestamp(std::string_view text);

// ccusage's version check: the string starts with digits.digits.digit.
bool ccusage_semver_prefix(std::string_view version);

// ccusage's textual pre-check: some `"<field>":null` appears anywhere in the line for a
// field its loader cannot take as null (found by a byte scan, not by JSON structure).
bool ccusage_has_unsupported_null(std::string_view line);

// Decodes the JSON string starting at `raw` (just after the opening quote) into `out`,
// stopping after `max_bytes` output bytes or at the closing quote, never reading at or past
// `end`. The output is cut on a UTF-8 character boundary.
void unescape_json_prefix(const char* raw, const char* end, std::size_t max_bytes, std::string& out);
// Shortens `s` to at most `max_bytes`, not inside a UTF-8 character.
void cut_utf8(std::string& s, std::size_t max_bytes);

// glibc's memmem is much faster than string_view::find on multi-MB lines.
std::size_t find_bytes(std::string_view hay, std::string_view needle, std::size_t from = 0);
inline bool contains(std::string_view hay, std::string_view needle) {
  return find_bytes(hay, needle) != std::string_view::npos;
}

}  // namespace costdeck::sources
