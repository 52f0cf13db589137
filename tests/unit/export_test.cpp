// Table export: CSV quoting (RFC 4180 plus the spreadsheet-formula guard), JSON shape and
// types, the tables every view offers, and the background jobs that write the files (the
// tables' and Save PNG's) and look up the export folder.
#include "panels/export.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "app/png.hpp"

using namespace costdeck;
using costdeck::ui::ExportCell;
using costdeck::ui::ExportTable;
namespace fs = std::filesystem;

namespace {

ExportTable sample() {
  ExportTable t;
  t.name = "sample";
  t.columns = {"name", "count", "cost", "note"};
  t.rows.push_back(
      {ExportCell::str("plain"), ExportCell::integ(3), ExportCell::num(0.25), ExportCell::null()});
  t.rows.push_back({ExportCell::str("a, b"), ExportCell::integ(-1), ExportCell::num(1234.5),
                    ExportCell::str("say \"hi\"\nnext line")});
  t.rows.push_back({ExportCell::str("=SUM(A1:A2)"), ExportCell::integ(0), ExportCell::num(-0.5),
                    ExportCell::str(" padded ")});
  return t;
}

// A tiny RunTable: two failed runs with one pattern, one success, on two runtimes and issues.
runs::RunTable tiny_runs() {
  runs::RunTable t;
  t.strings = {"claude-code", "codex", "MIN-1", "MIN-2", "s1", "s2", "claude-sonnet-4-5-20250929"};
  auto row = [&](std::int64_t id, std::int32_t rt, std::int32_t issue, std::int32_t sess, runs::RunStatus st,
                 const char* err, double cost) {
    runs::RunRow r;
    r.id = id;
    r.key = t.add_text("run-" + std::to_string(id));
    r.started_ms = 1'768'400'000'000 + id * 60'000;
    r.duration_ms = 1000 * id;
    r.runtime = rt;
    r.issue = issue;
    r.session = sess;
    r.model = 6;
    r.status = st;
    r.error = t.add_text(err);
    r.cost_usd = cost;
    r.has_cost = true;
    r.tokens.input = 100 * id;
    r.tokens.output = 10 * id;
    r.title = t.add_text("task " + std::to_string(id));
    t.rows.push_back(r);
  };
  row(1, 0, 2, 4, runs::RunStatus::Error, "timeout after 30s", 1.5);
  row(2, 0, 2, 4, runs::RunStatus::Error, "timeout after 12s", 2.0);
  row(3, 1, 3, 5, runs::RunStatus::Success, "", 0.5);
  return t;
}

std::shared_ptr<Snapshot> tiny_snapshot(const runs::RunTable& t) {
  static Config cfg = default_config();
  SnapshotInputs in;
  in.runs = &t;
  in.config = &cfg;
  ViewFilter f;
  f.range = RangeKind::All;
  f.timezone = "UTC";
  auto s = std::make_shared<Snapshot>();
  build_snapshot(in, f, 1'768'489'200'000, *s);
  return s;
}

}  // namespace

// RFC 4180: commas, quotes and line breaks force quotes, quotes are doubled, CRLF ends rows,
// null is an empty field; a leading '=' gets an apostrophe so spreadsheets run no formula.
TEST(ExportCsv, QuotingAndFormulaGuard) {
  std::string csv = ui::to_csv(sample());
  EXPECT_EQ(csv,
            "name,count,cost,note\r\n"
            "plain,3,0.25,\r\n"
            "\"a, b\",-1,1234.5,\"say \"\"hi\"\"\nnext line\"\r\n"
            "'=SUM(A1:A2),0,-0.5,\" padded \"\r\n");
}

// Numbers keep their precision (a cost of 0.0042 must not print as 0).
TEST(ExportCsv, SmallNumbersKeepPrecision) {
  ExportTable t;
  t.name = "n";
  t.columns = {"v"};
  t.rows.push_back({ExportCell::num(0.0042)});
  t.rows.push_back({ExportCell::num(123456789.125)});
  EXPECT_EQ(ui::to_csv(t), "v\r\n0.0042\r\n123456789.1\r\n");
}

// JSON: {"table", "columns", "rows": [{column: typed value}]}; text stays text, null is null,
// and the formula guard is a CSV matter only.
TEST(ExportJson, ShapeAndTypes) {
  auto j = nlohmann::json::parse(ui::to_json(sample()));
  EXPECT_EQ(j["table"], "sample");
  ASSERT_EQ(j["columns"].size(), 4u);
  EXPECT_EQ(j["columns"][3], "note");
  ASSERT_EQ(j["rows"].size(), 3u);
  EXPECT_TRUE(j["rows"][0]["count"].is_number_integer());
  EXPECT_EQ(j["rows"][0]["count"], 3);
  EXPECT_DOUBLE_EQ(j["rows"][0]["cost"].get<double>(), 0.25);
  EXPECT_TRUE(j["rows"][0]["note"].is_null());
  EXPECT_EQ(j["rows"][1]["note"], "say \"hi\"\nnext line");
  EXPECT_EQ(j["rows"][2]["name"], "=SUM(A1:A2)");
}

// Broken UTF-8 in a message (agents print anything) is replaced, not an exception.
TEST(ExportJson, InvalidUtf8IsReplaced) {
  ExportTable t;
  t.name = "bad";
  t.columns = {"m"};
  t.rows.push_back({ExportCell::str(std::string("ok \xff\xfe end"))});
  std::string out;
  ASSERT_NO_THROW(out = ui::to_json(t));
  EXPECT_NE(out.find("ok "), std::string::npos);
}

// Every table id the views use has a builder, and each row is as wide as its columns.
TEST(ExportTables, EveryTableHasABuilder) {
  runs::RunTable t = tiny_runs();
  auto s = tiny_snapshot(t);
  for (const auto& id : ui::exportable_tables()) {
    auto table = ui::export_table(*s, id);
    ASSERT_TRUE(table) << id;
    EXPECT_FALSE(table->name.empty()) << id;
    for (const auto& row : table->rows) EXPECT_EQ(row.size(), table->columns.size()) << id;
  }
  EXPECT_FALSE(ui::export_table(*s, "no_such_table"));
}

// The run tables carry the analytics' numbers: one pattern for both timeouts, issues by cost.
TEST(ExportTables, RunTablesMatchTheSnapshot) {
  runs::RunTable t = tiny_runs();
  auto s = tiny_snapshot(t);
  auto patterns = ui::export_table(*s, "error_patterns");
  ASSERT_EQ(patterns->rows.size(), 1u);
  EXPECT_EQ(patterns->rows[0][0].text, "timeout after <n>");
  EXPECT_EQ(patterns->rows[0][3].integer, 2);
  auto occ = ui::export_table(*s, "error_occurrences", "timeout after <n>");
  EXPECT_EQ(occ->rows.size(), 2u);
  auto issues = ui::export_table(*s, "issues_table");
  ASSERT_EQ(issues->rows.size(), 2u);
  EXPECT_EQ(issues->rows[0][0].text, "MIN-1");
  EXPECT_DOUBLE_EQ(issues->rows[0][1].number, 3.5);
  EXPECT_EQ(issues->rows[0][2].text, "green");
  auto ops = ui::export_table(*s, "runtime_operations", "codex");
  ASSERT_EQ(ops->rows.size(), 1u);
  EXPECT_EQ(ops->rows[0][0].text, "codex");
  auto slow = ui::export_table(*s, "slowest_table");
  ASSERT_EQ(slow->rows.size(), 3u);
  EXPECT_EQ(slow->rows[0][0].text, "run-3");  // longest first
  EXPECT_EQ(slow->rows[0][2].integer, 3000);
}

// The background job writes the exact text of to_csv / to_json and reports the path.
TEST(ExportJob, WritesTheFileAndReports) {
  fs::path dir = fs::temp_directory_path() / ("costdeck-export-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  while (ui::take_export_status()) {
  }
  ui::export_async(sample(), ui::ExportFormat::Csv, dir.string());
  ui::export_async(sample(), ui::ExportFormat::Json, dir.string());
  ui::wait_exports();
  auto m1 = ui::take_export_status(), m2 = ui::take_export_status();
  ASSERT_TRUE(m1 && m2);
  EXPECT_EQ(m1->rfind("Saved ", 0), 0u) << *m1;
  EXPECT_NE(m1->find("(3 rows)"), std::string::npos);
  std::size_t csv = 0, json = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(in)), {});
    if (e.path().extension() == ".csv") {
      ++csv;
      EXPECT_EQ(body, ui::to_csv(sample()));
    }
    if (e.path().extension() == ".json") {
      ++json;
      EXPECT_EQ(body, ui::to_json(sample()));
    }
    EXPECT_EQ(e.path().filename().string().rfind("costdeck-sample-", 0), 0u);
  }
  EXPECT_EQ(csv, 1u);
  EXPECT_EQ(json, 1u);
  // A folder that does not exist: a message, no crash, no file.
  ui::export_async(sample(), ui::ExportFormat::Csv, (dir / "missing" / "deeper").string());
  ui::wait_exports();
  auto m3 = ui::take_export_status();
  ASSERT_TRUE(m3);
  EXPECT_EQ(m3->rfind("Could not export", 0), 0u) << *m3;
  fs::remove_all(dir);
}

namespace {

// A tiny image with four distinct pixels, so a wrong row order or channel shows.
app::Image small_image() {
  app::Image img;
  img.width = 2;
  img.height = 2;
  img.rgba = {255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255};
  return img;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// Sets an environment variable for one scope.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(const char* n, const std::string& v) : name(n) {
    if (const char* o = std::getenv(n)) old = o;
    ::setenv(n, v.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old)
      ::setenv(name.c_str(), old->c_str(), 1);
    else
      ::unsetenv(name.c_str());
  }
};

}  // namespace

// "Save PNG": the file is encoded and written on a job's thread, not the caller's; it holds
// exactly encode_png's bytes, no temporary file is left, and the wake hook fires.
TEST(PngJob, WritesAValidPngFromABackgroundThread) {
  fs::path dir = fs::temp_directory_path() / ("costdeck-png-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  while (ui::take_export_status()) {
  }
  std::mutex mu;
  std::vector<std::thread::id> woken_on;
  ui::set_export_wake([&] {
    std::lock_guard<std::mutex> lk(mu);
    woken_on.push_back(std::this_thread::get_id());
  });
  app::save_png_async(small_image(), "costdeck-test.png", dir.string());
  ui::wait_exports();
  ui::set_export_wake(nullptr);
  auto m = ui::take_export_status();
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, "Saved " + (dir / "costdeck-test.png").string());
  const std::string bytes = read_all(dir / "costdeck-test.png");
  ASSERT_GT(bytes.size(), 8u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  const auto expected = app::encode_png(small_image());
  EXPECT_EQ(bytes, std::string(expected.begin(), expected.end()));
  ASSERT_EQ(woken_on.size(), 1u);
  EXPECT_NE(woken_on[0], std::this_thread::get_id());
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1u) << "no .part file left behind";

  // No folder given: the pictures folder, resolved on the job.
  {
    ScopedEnv pictures("XDG_PICTURES_DIR", dir.string());
    app::save_png_async(small_image(), "default.png");
    ui::wait_exports();
  }
  m = ui::take_export_status();
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, "Saved " + (dir / "default.png").string());
  EXPECT_TRUE(fs::exists(dir / "default.png"));

  // A folder that does not exist: a message, no crash, no file.
  app::save_png_async(small_image(), "x.png", (dir / "missing").string());
  ui::wait_exports();
  m = ui::take_export_status();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rfind("Could not save the PNG: ", 0), 0u) << *m;
  fs::remove_all(dir);
}

TEST(PngJob, FileName) {
  std::tm tm{};
  tm.tm_year = 2026 - 1900;
  tm.tm_mon = 0;
  tm.tm_mday = 15;
  tm.tm_hour = 15;
  tm.tm_min = 4;
  tm.tm_sec = 5;
  tm.tm_isdst = -1;
  const std::time_t t = std::mktime(&tm);  // local time, as the name uses
  EXPECT_EQ(app::png_file_name("costs.daily", 2.0f, t), "costdeck-costs-daily-20260115-150405@2x.png");
  EXPECT_EQ(app::png_file_name("dash.today", 1.0f, t), "costdeck-dash-today-20260115-150405.png");
}

// The export folder is looked up once, on a job; after that the UI reads the answer
// without asking the filesystem again (the folder going away does not change it).
TEST(ExportDir, ResolvedOnceOffTheCallersThread) {
  fs::path home = fs::temp_directory_path() / ("costdeck-home-" + std::to_string(::getpid()));
  fs::remove_all(home);
  fs::create_directories(home / "Downloads");
  {
    ScopedEnv h("HOME", home.string());
    ScopedEnv a("COSTDECK_EXPORT_DIR", "");
    ScopedEnv b("XDG_DOWNLOAD_DIR", "");
    while (ui::take_export_status()) {
    }
    ui::resolve_export_dir();
    ui::wait_exports();
    EXPECT_EQ(ui::export_dir(), (home / "Downloads").string());
    EXPECT_FALSE(ui::take_export_status()) << "the lookup has nothing to report";
    fs::remove_all(home / "Downloads");
    EXPECT_EQ(ui::export_dir(), (home / "Downloads").string());
    EXPECT_EQ(ui::default_export_dir(), home.string());

    // A table exported with no folder known yet goes where default_export_dir says, found
    // on the job.
    ui::export_async(sample(), ui::ExportFormat::Csv, "");
    ui::wait_exports();
    auto m = ui::take_export_status();
    ASSERT_TRUE(m);
    EXPECT_EQ(m->rfind("Saved " + home.string() + "/costdeck-sample-", 0), 0u) << *m;
  }
  fs::remove_all(home);
}
