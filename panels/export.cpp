// Export of tables to CSV and JSON. Builders read the snapshot (immutable, so a click on
// the UI thread copies rows without locks); a background job formats and writes the file
// so a slow disk never stalls a frame.
#include "panels/export.hpp"

#include <imgui.h>

#include <cstdio>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/runs/run.hpp"
#include "core/runs/run_json.hpp"
#include "panels/panel.hpp"
#include "panels/views.hpp"

namespace costdeck::ui {

namespace {

using Cell = ExportCell;

Cell time_cell(std::int64_t ms) {
  return ms > 0 ? Cell::str(runs::format_time_ms(ms)) : Cell::null();
}

std::string number_text(double v) {
  char b[40];
  std::snprintf(b, sizeof b, "%.10g", v);
  return b;
}

bool needs_quotes(const std::string& s) {
  if (s.empty()) return false;
  if (s.front() == ' ' || s.back() == ' ') return true;
  return s.find_first_of(",\"\r\n") != std::string::npos;
}

void add_tokens(std::vector<Cell>& row, const TokenCounts& t) {
  row.push_back(Cell::integ(t.input));
  row.push_back(Cell::integ(t.output));
  row.push_back(Cell::integ(t.cache_write()));
  row.push_back(Cell::integ(t.cache_read));
  row.push_back(Cell::integ(t.total()));
}
const std::vector<std::string> kTokenColumns = {"input_tokens", "output_tokens", "cache_write_tokens",
                                                "cache_read_tokens", "total_tokens"};

ExportTable make(const char* name, std::vector<std::string> columns, bool tokens = false) {
  ExportTable t;
  t.name = name;
  t.columns = std::move(columns);
  if (tokens) t.columns.insert(t.columns.end(), kTokenColumns.begin(), kTokenColumns.end());
  return t;
}

Cell cost_cell(const runs::RunBrief& r) {
  return r.has_cost ? Cell::num(r.cost_usd) : Cell::null();
}
Cell duration_cell(std::int64_t ms) {
  return ms >= 0 ? Cell::integ(ms) : Cell::null();
}

void brief_rows(ExportTable& t, const std::vector<runs::RunBrief>& v) {
  for (const auto& r : v) {
    std::vector<Cell> row{Cell::str(r.key),
                          time_cell(r.started_ms),
                          duration_cell(r.duration_ms),
                          Cell::str(runs::status_name(r.status)),
                          Cell::str(r.title),
                          Cell::str(r.runtime),
                          Cell::str(r.operation),
                          Cell::str(r.tier),
                          Cell::str(r.issue),
                          Cell::str(r.session),
                          Cell::str(r.model),
                          cost_cell(r)};
    add_tokens(row, r.tokens);
    t.rows.push_back(std::move(row));
  }
}
const std::vector<std::string> kBriefColumns = {"id",    "started", "duration_ms", "status",
                                                "title", "runtime", "operation",   "tier",
                                                "issue", "session", "model",       "cost_usd"};

const runs::IssueRow* find_issue(const Snapshot& s, const std::string& key) {
  for (const auto& i : *s.issues)
    if (i.issue == key) return &i;
  return s.issues->empty() ? nullptr : &s.issues->front();
}

// --- the job queue ---
struct Jobs {
  std::mutex mu;
  std::deque<std::string> messages;
  std::vector<std::future<void>> running;
  std::function<void()> wake;
  std::string export_dir;  // resolved by resolve_export_dir's job; empty until then
  ~Jobs() {
    for (auto& f : running)
      if (f.valid()) f.wait();
  }
};
Jobs& jobs() {
  static Jobs j;
  return j;
}

// Runs `job` on its own thread; a non-empty message it returns goes to the status line,
// and the wake hook tells the idle loop to come and show it.
void start_job(std::function<std::string()> job) {
  Jobs& j = jobs();
  std::lock_guard<std::mutex> lk(j.mu);
  // Finished jobs are dropped so the list stays short.
  std::erase_if(j.running, [](std::future<void>& x) {
    return x.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  });
  j.running.push_back(std::async(std::launch::async, [job = std::move(job)] {
    std::string msg = job();
    std::function<void()> wake;
    {
      std::lock_guard<std::mutex> lk2(jobs().mu);
      if (!msg.empty()) jobs().messages.push_back(std::move(msg));
      wake = jobs().wake;
    }
    if (wake) wake();
  }));
}

std::string stamp_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char b[32];
  std::strftime(b, sizeof b, "%Y%m%d-%H%M%S", &tm);
  return b;
}

}  // namespace

std::string to_csv(const ExportTable& t) {
  std::string out;
  auto field = [&](const std::string& s) {
    std::string v = s;
    if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v.insert(v.begin(), '\'');
    if (!needs_quotes(v)) {
      out += v;
      return;
    }
    out += '"';
    for (char c : v) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  };
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    if (i) out += ',';
    field(t.columns[i]);
  }
  out += "\r\n";
  for (const auto& row : t.rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) out += ',';
      const Cell& c = row[i];
      switch (c.kind) {
        case Cell::Kind::Text: field(c.text); break;
        case Cell::Kind::Number: out += number_text(c.number); break;
        case Cell::Kind::Integer: out += std::to_string(c.integer); break;
        case Cell::Kind::Null: break;
      }
    }
    out += "\r\n";
  }
  return out;
}

std::string to_json(const ExportTable& t) {
  using ordered = nlohmann::ordered_json;
  ordered rows = ordered::array();
  for (const auto& row : t.rows) {
    ordered o = ordered::object();
    for (std::size_t i = 0; i < row.size() && i < t.columns.size(); ++i) {
      const Cell& c = row[i];
      switch (c.kind) {
        case Cell::Kind::Text: o[t.columns[i]] = c.text; break;
        case Cell::Kind::Number: o[t.columns[i]] = c.number; break;
        case Cell::Kind::Integer: o[t.columns[i]] = c.integer; break;
        case Cell::Kind::Null: o[t.columns[i]] = nullptr; break;
      }
    }
    rows.push_back(std::move(o));
  }
  // Messages from agents may hold broken UTF-8: replaced, never an exception mid-export.
  return ordered{{"table", t.name}, {"columns", t.columns}, {"rows", std::move(rows)}}.dump(
      2, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> exportable_tables() {
  return {"model_table",    "top_sessions",   "top_runs",       "tiers_table",
          "sessions_table", "files_table",    "error_patterns", "error_occurrences",
          "slowest_table",  "perf_series",    "runtimes_table", "runtime_operations",
          "issues_table",   "issue_sessions", "issue_models",   "activity_events"};
}

std::optional<ExportTable> export_table(const Snapshot& s, const std::string& id, const std::string& key) {
  if (id == "model_table") {
    auto t = make("cost-by-model", {"model", "cost_usd", "share", "responses"}, true);
    for (const auto& r : s.by_model.rows) {
      std::vector<Cell> row{Cell::str(r.key), Cell::num(r.totals.cost),
                            Cell::num(s.range_cost > 0 ? r.totals.cost / s.range_cost : 0),
                            Cell::integ(r.totals.responses)};
      add_tokens(row, r.totals.tokens);
      t.rows.push_back(std::move(row));
    }
    return t;
  }
  if (id == "sessions_table" || id == "top_sessions") {
    auto t = make(id == "top_sessions" ? "top-sessions" : "sessions",
                  {"session", "project", "first_activity", "last_activity", "models", "cost_usd"}, true);
    auto add = [&](const SessionEntry& e) {
      std::vector<Cell> row{
          Cell::str(e.row.key),      Cell::str(e.row.project.empty() ? e.row.project_path : e.row.project),
          time_cell(e.row.first_ms), time_cell(e.row.last_ms),
          Cell::str(e.models_text),  Cell::num(e.row.totals.cost)};
      add_tokens(row, e.row.totals.tokens);
      t.rows.push_back(std::move(row));
    };
    if (id == "top_sessions")
      for (std::size_t k = 0; k < s.sessions_by_cost.size() && k < 10; ++k)
        add(s.sessions[s.sessions_by_cost[k]]);
    else
      for (const auto& e : s.sessions) add(e);
    return t;
  }
  if (id == "top_runs" || id == "slowest_table") {
    auto t = make(id == "top_runs" ? "top-runs" : "slowest-tasks", kBriefColumns, true);
    brief_rows(t, id == "top_runs" ? s.top.runs : s.slowest);
    return t;
  }
  if (id == "tiers_table") {
    auto t = make("tiers", {"tier", "models", "runs", "cost_usd", "share", "unpriced_runs"}, true);
    for (const auto& r : s.tiers.tiers) {
      std::string models;
      for (const auto& m : r.models) models += (models.empty() ? "" : ", ") + m;
      std::vector<Cell> row{Cell::str(r.tier), Cell::str(models),  Cell::integ(r.runs),
                            Cell::num(r.cost), Cell::num(r.share), Cell::integ(r.unpriced_runs)};
      add_tokens(row, r.tokens);
      t.rows.push_back(std::move(row));
    }
    return t;
  }
  if (id == "files_table") {
    auto t = make("source-files", {"path", "bytes", "lines", "usage_lines", "counted_lines", "malformed",
                                   "resets", "last_scan", "missing", "error"});
    for (const auto& f : s.sources.files)
      t.rows.push_back({Cell::str(f.path), Cell::integ(f.size), Cell::integ(f.lines),
                        Cell::integ(f.usage_lines), Cell::integ(f.counted_lines), Cell::integ(f.malformed),
                        Cell::integ(f.resets), time_cell(f.last_scan_ms), Cell::str(f.missing ? "yes" : "no"),
                        Cell::str(f.error)});
    return t;
  }
  if (id == "error_patterns") {
    auto t =
        make("error-patterns", {"pattern", "kind", "source", "count", "first_seen", "last_seen", "example"});
    for (const auto& p : s.errors->patterns)
      t.rows.push_back({Cell::str(p.pattern), Cell::str(p.kind), Cell::str(p.source), Cell::integ(p.count),
                        time_cell(p.first_ms), time_cell(p.last_ms), Cell::str(p.example)});
    return t;
  }
  if (id == "error_occurrences") {
    auto t = make("error-occurrences", {"pattern", "time", "session", "run", "message"});
    for (const auto& p : s.errors->patterns) {
      if (!key.empty() && p.pattern != key) continue;
      for (const auto& o : p.occurrences)
        t.rows.push_back({Cell::str(p.pattern), time_cell(o.ts_ms), Cell::str(o.session),
                          Cell::str(o.run_key), Cell::str(o.message)});
      if (!key.empty()) break;
    }
    return t;
  }
  if (id == "perf_series") {
    auto t = make("success-rate",
                  {"period", "tasks", "successes", "errors", "aborted", "success_rate", "avg_duration_ms"});
    for (const auto& d : s.perf_hourly.empty() ? s.perf.daily : s.perf_hourly)
      t.rows.push_back({Cell::str(d.day), Cell::integ(d.tasks), Cell::integ(d.successes),
                        Cell::integ(d.errors), Cell::integ(d.aborted), Cell::num(d.success_rate),
                        Cell::num(d.avg_duration_ms)});
    return t;
  }
  if (id == "runtimes_table") {
    auto t = make("runtimes",
                  {"runtime", "tasks", "successes", "errors", "success_rate", "avg_duration_ms", "cost_usd",
                   "cost_per_task"},
                  true);
    for (const auto& r : s.runtimes) {
      std::vector<Cell> row{Cell::str(r.runtime),  Cell::integ(r.tasks),      Cell::integ(r.successes),
                            Cell::integ(r.errors), Cell::num(r.success_rate), Cell::num(r.avg_duration_ms),
                            Cell::num(r.cost),     Cell::num(r.cost_per_task)};
      add_tokens(row, r.tokens);
      t.rows.push_back(std::move(row));
    }
    return t;
  }
  if (id == "runtime_operations") {
    auto t = make(
        "runtime-operations",
        {"runtime", "operation", "runs", "successes", "success_rate", "cost_usd", "share", "avg_duration_ms"},
        true);
    for (const auto& r : s.runtimes) {
      if (!key.empty() && r.runtime != key) continue;
      for (const auto& o : r.operations) {
        std::vector<Cell> row{Cell::str(r.runtime),     Cell::str(o.operation),      Cell::integ(o.runs),
                              Cell::integ(o.successes), Cell::num(o.success_rate),   Cell::num(o.cost),
                              Cell::num(o.share),       Cell::num(o.avg_duration_ms)};
        add_tokens(row, o.tokens);
        t.rows.push_back(std::move(row));
      }
    }
    return t;
  }
  if (id == "issues_table") {
    auto t = make("issues", {"issue", "cost_usd", "badge", "sessions", "runs", "first", "last"}, true);
    for (const auto& i : *s.issues) {
      std::vector<Cell> row{Cell::str(i.issue),  Cell::num(i.cost),
                            Cell::str(i.badge),  Cell::integ(static_cast<std::int64_t>(i.sessions.size())),
                            Cell::integ(i.runs), time_cell(i.first_ms),
                            time_cell(i.last_ms)};
      add_tokens(row, i.tokens);
      t.rows.push_back(std::move(row));
    }
    return t;
  }
  if (id == "issue_sessions" || id == "issue_models") {
    const runs::IssueRow* i = find_issue(s, key);
    if (id == "issue_sessions") {
      auto t = make("issue-sessions",
                    {"issue", "session", "phase", "model", "runs", "first", "last", "cost_usd"}, true);
      if (i)
        for (const auto& x : i->sessions) {
          std::vector<Cell> row{Cell::str(i->issue),
                                Cell::str(std::string(i->str(x.session))),
                                Cell::str(std::string(i->str(x.phase))),
                                Cell::str(std::string(i->str(x.model))),
                                Cell::integ(x.runs),
                                time_cell(x.first_ms),
                                time_cell(x.last_ms),
                                Cell::num(x.cost)};
          add_tokens(row, x.tokens);
          t.rows.push_back(std::move(row));
        }
      return t;
    }
    auto t = make("issue-models", {"issue", "model", "cost_usd", "share"}, true);
    if (i)
      for (const auto& m : i->models) {
        std::vector<Cell> row{Cell::str(i->issue), Cell::str(m.model), Cell::num(m.cost), Cell::num(m.share)};
        add_tokens(row, m.tokens);
        t.rows.push_back(std::move(row));
      }
    return t;
  }
  if (id == "activity_events") {
    auto t =
        make("activity", {"time", "event", "type", "status", "title", "session", "model", "cost_usd"}, true);
    for (const auto& e : s.events) {
      std::vector<Cell> row{time_cell(e.ts_ms),
                            Cell::str(event_kind_name(e.kind)),
                            Cell::str(e.is_session ? "session" : "run"),
                            Cell::str(runs::status_name(e.run.status)),
                            Cell::str(e.run.title),
                            Cell::str(e.run.session),
                            Cell::str(e.run.model),
                            cost_cell(e.run)};
      add_tokens(row, e.run.tokens);
      t.rows.push_back(std::move(row));
    }
    return t;
  }
  return std::nullopt;
}

std::string default_export_dir() {
  namespace fs = std::filesystem;
  if (const char* p = std::getenv("COSTDECK_EXPORT_DIR"); p && *p) return p;
  if (const char* p = std::getenv("XDG_DOWNLOAD_DIR"); p && *p) return p;
  if (const char* h = std::getenv("HOME"); h && *h) {
    std::error_code ec;
    if (fs::is_directory(fs::path(h) / "Downloads", ec)) return std::string(h) + "/Downloads";
    return h;
  }
  return ".";
}

void export_async(ExportTable t, ExportFormat f, std::string dir) {
  start_job([t = std::move(t), f, dir = std::move(dir)] {
    namespace fs = std::filesystem;
    const std::string folder = dir.empty() ? default_export_dir() : dir;
    const std::string body = f == ExportFormat::Csv ? to_csv(t) : to_json(t);
    const std::string path =
        folder + "/costdeck-" + t.name + "-" + stamp_now() + (f == ExportFormat::Csv ? ".csv" : ".json");
    const std::string tmp = path + ".part";
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
    out.close();
    std::error_code ec;
    if (!out) {
      fs::remove(tmp, ec);
      return "Could not export " + t.name + ": cannot write " + tmp;
    }
    fs::rename(tmp, path, ec);
    return ec ? "Could not export " + t.name + ": " + ec.message()
              : "Saved " + path + " (" + std::to_string(t.rows.size()) + " rows)";
  });
}

void run_export_job(std::function<std::string()> job) {
  start_job(std::move(job));
}

void resolve_export_dir() {
  start_job([] {
    std::string dir = default_export_dir();
    std::lock_guard<std::mutex> lk(jobs().mu);
    jobs().export_dir = std::move(dir);
    return std::string();
  });
}

std::string export_dir() {
  std::lock_guard<std::mutex> lk(jobs().mu);
  return jobs().export_dir;
}

std::optional<std::string> take_export_status() {
  Jobs& j = jobs();
  std::lock_guard<std::mutex> lk(j.mu);
  if (j.messages.empty()) return std::nullopt;
  std::string m = std::move(j.messages.front());
  j.messages.pop_front();
  return m;
}

void wait_exports() {
  std::vector<std::future<void>> v;
  {
    std::lock_guard<std::mutex> lk(jobs().mu);
    v.swap(jobs().running);
  }
  for (auto& f : v)
    if (f.valid()) f.wait();
}

void set_export_wake(std::function<void()> wake) {
  std::lock_guard<std::mutex> lk(jobs().mu);
  jobs().wake = std::move(wake);
}

void export_buttons(AppState& st, const Snapshot& s, const char* table_id, const std::string& key,
                    bool title_line) {
  if (st.headless || !st.solo_panel.empty()) return;
  ImGui::PushID(table_id);
  const float sc = ImGui::GetFontSize() / 15.0f;
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(6 * sc, 1));
  const float sp = ImGui::GetStyle().ItemSpacing.x;
  const float w = ImGui::CalcTextSize("CSV").x + ImGui::CalcTextSize("JSON").x + 24 * sc + sp;
  const float x = title_line ? take_title_right(w + sp) : 0.0f;
  bool first = true;
  for (ExportFormat f : {ExportFormat::Csv, ExportFormat::Json}) {
    if (first && title_line)
      ImGui::SameLine(x);
    else
      ImGui::SameLine();
    first = false;
    if (ImGui::SmallButton(f == ExportFormat::Csv ? "CSV" : "JSON")) {
      if (auto t = export_table(s, table_id, key)) {
        export_async(std::move(*t), f, export_dir());
        st.status = "Exporting…";
      }
    }
    if (ImGui::IsItemHovered()) {
      const std::string dir = export_dir();
      ImGui::SetTooltip("Export this table as %s to %s", f == ExportFormat::Csv ? "CSV" : "JSON",
                        dir.empty() ? "your downloads folder" : dir.c_str());
    }
  }
  ImGui::PopStyleVar();
  ImGui::PopID();
}

}  // namespace costdeck::ui
