#pragma once
// CSV and JSON export of the tables the views show. The table is built from the snapshot
// on the UI thread (a copy of a few thousand rows at most, on a click); formatting and
// writing the file happen in a background job, whose result comes back as a status line.
// "Save PNG" hands its file to the same jobs.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/snapshot.hpp"

namespace costdeck::ui {

struct AppState;

// A cell keeps its type so JSON gets numbers as numbers; CSV prints every kind as text.
struct ExportCell {
  enum class Kind : std::uint8_t { Text, Number, Integer, Null } kind = Kind::Null;
  std::string text;
  double number = 0;
  std::int64_t integer = 0;
  static ExportCell str(std::string s) { return {Kind::Text, std::move(s), 0, 0}; }
  static ExportCell num(double v) { return {Kind::Number, {}, v, 0}; }
  static ExportCell integ(std::int64_t v) { return {Kind::Integer, {}, 0, v}; }
  static ExportCell null() { return {}; }
};

struct ExportTable {
  std::string name;  // file stem and JSON "table": "error-patterns"
  std::vector<std::string> columns;
  std::vector<std::vector<ExportCell>> rows;  // each as long as columns
};

// RFC 4180: CRLF line ends; a field with a comma, quote, CR, LF or edge spaces is quoted
// and its quotes doubled. Text starting with = + - @ (a formula to spreadsheets) gets a
// leading apostrophe so opening the file runs nothing.
std::string to_csv(const ExportTable& t);
// {"table": name, "columns": [...], "rows": [{column: value, ...}, ...]}
std::string to_json(const ExportTable& t);

// The tables of every view by id (the ids note_table records), rows in the snapshot's
// order. `key` picks the selection a detail table shows (a pattern, an issue, a runtime,
// a session). nullopt for an unknown id.
std::optional<ExportTable> export_table(const Snapshot& s, const std::string& table_id,
                                        const std::string& key = "");
std::vector<std::string> exportable_tables();

enum class ExportFormat { Csv, Json };
// $COSTDECK_EXPORT_DIR, $XDG_DOWNLOAD_DIR, ~/Downloads if it exists, else the home folder.
// It asks the filesystem, so only background jobs call it.
std::string default_export_dir();
// Starts a job that resolves default_export_dir() once (the window does at start-up);
// export_dir() returns the answer, or "" until it is known, so the UI never waits for it.
void resolve_export_dir();
std::string export_dir();
// Formats and writes <dir>/costdeck-<name>-<stamp>.<csv|json> on a background job (write to a
// temporary name, then rename); an empty `dir` is resolved on the job. The message comes back
// through take_export_status.
void export_async(ExportTable t, ExportFormat f, std::string dir);
// Any other file a click writes (PNG): `job` runs on a background thread like the exports;
// the message it returns (none when empty) comes back through take_export_status.
void run_export_job(std::function<std::string()> job);
// "Saved /path (123 rows)" or "Could not export ...": the oldest unread message, once.
std::optional<std::string> take_export_status();
void wait_exports();  // blocks until every job has finished (tests, shutdown)
// Called from the job's thread when it finishes (the window posts an empty event).
void set_export_wake(std::function<void()> wake);

// "CSV" and "JSON" small buttons; the table is built only on a click. `title_line`: at the
// right end of the panel's title line (left of "PNG"), else right after the last item.
// Nothing is drawn headless (screenshots).
void export_buttons(AppState& st, const Snapshot& s, const char* table_id, const std::string& key = "",
                    bool title_line = true);

}  // namespace costdeck::ui
