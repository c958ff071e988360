// The scheduler at scale: PEOPLE people with three daily nudge times each, in varied zones.
//
//   build/bin/bench_nudges queue PEOPLE   the due-queue itself: a day of items popped and
//                                         re-planned (next local time), items/s
//   build/bin/bench_nudges start PEOPLE   the real daemon on a database of that many people:
//                                         time to load the due-queue, to "listening on", RSS
//   build/bin/bench_nudges full PEOPLE    the full path in-process: PEOPLE nudges due at one
//                                         instant, each looked up, decided, rendered, committed
//                                         to SQLite and handed to a connector that discards
//
// Figures are for this machine; run the modes side by side to compare.
#include <date/tz.h>
#include <sqlite3.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <random>
#include <regex>
#include <string>
#include <thread>

#include "bot/app/core.hpp"
#include "bot/app/dialog_files.hpp"
#include "bot/coach/coach.hpp"
#include "bot/core/clock.hpp"
#include "bot/core/connector.hpp"
#include "bot/core/iso8601.hpp"
#include "bot/core/metrics.hpp"
#include "bot/safety/safety_policy.hpp"
#include "bot/schedule/due_queue.hpp"
#include "bot/schedule/local_time.hpp"
#include "bot/store/sqlite_store.hpp"
#include "tests/fakes/daemon_process.hpp"

using namespace bounceback;
using Steady = std::chrono::steady_clock;

namespace {

const char* kZones[] = {"America/New_York", "Europe/Berlin",   "Asia/Kolkata",     "Australia/Lord_Howe",
                        "America/Los_Angeles", "Europe/London", "Asia/Tokyo",       "America/Sao_Paulo",
                        "Africa/Lagos",     "Australia/Sydney", "Pacific/Auckland", "UTC"};

double seconds_since(Steady::time_point t) { return std::chrono::duration<double>(Steady::now() - t).count(); }

long status_kb(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field) + 1));
  return -1;
}

struct Plan {
  std::vector<core::DueItem> items;
  std::vector<std::string> zone_of;  // by person index
  std::vector<std::array<std::uint16_t, 3>> times;
};

// Three distinct times a day per person, in a zone from the list; first due after `now`.
Plan make_plan(std::size_t people, core::TimePoint now) {
  Plan plan;
  plan.items.reserve(people * 3);
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> zone(0, std::size(kZones) - 1), minute(0, 479);
  for (std::size_t i = 0; i < people; ++i) {
    const char* z = kZones[zone(rng)];
    const date::time_zone* tz = date::locate_zone(z);
    std::array<std::uint16_t, 3> t = {static_cast<std::uint16_t>(minute(rng)),
                                      static_cast<std::uint16_t>(480 + minute(rng)),
                                      static_cast<std::uint16_t>(960 + minute(rng))};
    for (auto m : t)
      plan.items.push_back({schedule::next_daily(tz, m, now), static_cast<core::PersonId>(i + 1), 1, m,
                            core::DueKind::daily});
    plan.zone_of.push_back(z);
    plan.times.push_back(t);
  }
  return plan;
}

void exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite: %s\n", error ? error : "?");
    std::exit(1);
  }
}

// A database with the schema (made by the store) and the plan's people and due rows.
void write_database(const std::string& path, const Plan& plan) {
  { store::SqliteStore schema(path); }
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  exec(db, "PRAGMA synchronous=OFF");
  exec(db, "BEGIN");
  sqlite3_stmt* person = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO people (id, connector, platform_user, display_name, timezone, created_at, last_seen_at, "
                     "dialog_state, nudge_times, schedule_epoch) VALUES (?, 'bench', ?, '', ?, 0, ?, '', ?, 1)",
                     -1, &person, nullptr);
  sqlite3_stmt* due = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO due (person_id, kind, slot, due_at, epoch) VALUES (?, 1, ?, ?, 1)", -1, &due, nullptr);
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (std::size_t i = 0; i < plan.zone_of.size(); ++i) {
    std::string times;
    for (auto m : plan.times[i]) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "%02d:%02d", m / 60, m % 60);
      times += (times.empty() ? "" : ",") + std::string(buf);
    }
    std::string user = "p" + std::to_string(i + 1);
    sqlite3_bind_int64(person, 1, static_cast<sqlite3_int64>(i + 1));
    sqlite3_bind_text(person, 2, user.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(person, 3, plan.zone_of[i].c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(person, 4, now_ms);
    sqlite3_bind_text(person, 5, times.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(person);
    sqlite3_reset(person);
  }
  for (const auto& d : plan.items) {
    sqlite3_bind_int64(due, 1, d.person);
    sqlite3_bind_int(due, 2, d.slot);
    sqlite3_bind_int64(due, 3, d.due.time_since_epoch().count());
    sqlite3_step(due);
    sqlite3_reset(due);
  }
  sqlite3_finalize(person);
  sqlite3_finalize(due);
  exec(db, "COMMIT");
  sqlite3_close(db);
}

int queue_mode(std::size_t people) {
  auto now = core::TimePoint{std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())};
  Plan plan = make_plan(people, now);
  std::vector<const date::time_zone*> zones;
  for (const auto& z : plan.zone_of) zones.push_back(date::locate_zone(z));
  auto t0 = Steady::now();
  schedule::DueQueue queue(std::move(plan.items));
  double heapify = seconds_since(t0);
  // A simulated day in one-minute ticks: everything due is popped and planned again for
  // its next local occurrence, as the core does (without the person and the store).
  std::size_t handled = 0;
  t0 = Steady::now();
  for (auto tick = now; tick <= now + std::chrono::hours(24); tick += std::chrono::minutes(1))
    for (auto& item : queue.pop_due(tick)) {
      item.due = schedule::next_daily(zones[static_cast<std::size_t>(item.person - 1)], item.slot, tick);
      queue.push(item);
      ++handled;
    }
  double took = seconds_since(t0);
  std::printf("queue: %zu people, %zu items (%.0f MB): heapify %.3f s; one day: %zu items popped and re-planned in %.2f s = %.0f items/s\n",
              people, queue.size(), queue.memory_bytes() / 1e6, heapify, handled, took, handled / took);
  return handled == people * 3 ? 0 : 1;
}

int start_mode(std::size_t people) {
  testing::TempDir dir;
  auto now = core::TimePoint{std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())};
  auto t0 = Steady::now();
  write_database(dir.path() + "/bounceback.db", make_plan(people, now + std::chrono::hours(1)));
  std::printf("start: database of %zu people, %zu due items written in %.1f s\n", people, people * 3, seconds_since(t0));
  t0 = Steady::now();
  testing::DaemonProcess daemon(dir.path(), {"--set", "log.level=info"});
  double to_listening = seconds_since(t0);
  std::smatch m;
  std::string log = daemon.log();
  std::regex loaded("schedule: (\\d+) due items loaded in ([0-9.]+) s");
  if (!std::regex_search(log, m, loaded)) {
    std::fprintf(stderr, "no schedule line in the log:\n%s\n", log.c_str());
    return 1;
  }
  std::printf("start: daemon loaded %s due items in %s s; listening %.2f s after exec; RSS %.0f MB (peak %.0f MB)\n",
              m[1].str().c_str(), m[2].str().c_str(), to_listening, status_kb(daemon.pid(), "VmRSS:") / 1024.0,
              status_kb(daemon.pid(), "VmHWM:") / 1024.0);
  return std::stoul(m[1].str()) == people * 3 ? 0 : 1;
}

class Discard final : public core::Connector {
 public:
  std::string_view name() const override { return "bench"; }
  void deliver(const core::Outgoing&) override { ++count; }
  std::atomic<std::size_t> count{0};
};

int full_mode(std::size_t people) {
  testing::TempDir dir;
  // Everyone has one nudge at 09:00 UTC; the clock stands just before it.
  auto due = *core::parse_iso8601("2026-03-10T09:00:00Z");
  Plan plan;
  for (std::size_t i = 0; i < people; ++i) {
    plan.items.push_back({due, static_cast<core::PersonId>(i + 1), 1, 9 * 60, core::DueKind::daily});
    plan.zone_of.push_back("UTC");
    plan.times.push_back({9 * 60, 9 * 60, 9 * 60});
  }
  write_database(dir.path() + "/bounceback.db", plan);
  std::vector<core::Diagnostic> problems;
  auto policy = std::make_shared<const safety::SafetyPolicy>(
      safety::load_safety_policy(BOUNCEBACK_SOURCE_DIR "/config/safety/en.yaml", problems));
  coach::Coach coach(std::make_shared<const dialog::DialogSet>(app::load_daemon_dialogs(BOUNCEBACK_SOURCE_DIR "/dialogs").set));
  core::ManualClock clock(due - std::chrono::minutes(1));
  core::Metrics metrics;
  store::SqliteStore store(dir.path() + "/bounceback.db", &metrics);
  boost::asio::io_context io;
  app::Core::Settings settings{"UTC", "", {}, policy, 365, 30, {}, true};

  app::Core core(io, store, clock, metrics, coach, settings);
  Discard sink;
  core.attach(sink);
  auto work = boost::asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });
  clock.set(due);
  std::promise<void> finished;
  auto t0 = Steady::now();
  core.run_due([&] { finished.set_value(); });
  finished.get_future().wait();
  double took = seconds_since(t0);
  // Half an hour later, with nothing else going on, the nudged people leave the cache.
  double cached = metrics.value("bounceback_people_cached");
  clock.advance(std::chrono::minutes(31));
  std::promise<void> evicted;
  core.evict_idle([&] { evicted.set_value(); });
  evicted.get_future().wait();
  std::printf("full: people in the core's cache: %.0f after the nudges, %.0f after evict_idle\n", cached,
              metrics.value("bounceback_people_cached"));
  work.reset();
  io.stop();
  loop.join();
  std::printf("full: %zu nudges due at once: looked up, decided, rendered, committed and handed over in %.2f s = %.0f nudges/s (%zu delivered)\n",
              people, took, people / took, sink.count.load());
  return sink.count.load() == people ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "queue";
  std::size_t people = argc > 2 ? std::stoul(argv[2]) : 100000;
  if (mode == "queue") return queue_mode(people);
  if (mode == "start") return start_mode(people);
  if (mode == "full") return full_mode(people);
  std::fprintf(stderr, "usage: bench_nudges queue|start|full PEOPLE\n");
  return 2;
}
