#include <catch2/catch.hpp>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

#include "bot/store/sqlite_connection.hpp"
#include "bot/store/wal_checkpointer.hpp"
#include "tests/fakes/daemon_process.hpp"
#include "tests/fakes/sync_counting_vfs.hpp"

using namespace bounceback;
using Step = store::WalCheckpointer::WriterStep;

TEST_CASE("the writer wakes the checkpointer every quarter of the limit and copies only the last few pages itself",
          "[store]") {
  testing::TempDir dir;
  // limit 4096 pages: woken every 1024, the writer copies the rest when 64 or fewer are left
  store::WalCheckpointer checkpointer(dir.path() + "/c.db", false, 4096);

  SECTION("below the limit: the checkpointer is woken once a quarter more has been appended") {
    CHECK(checkpointer.writer_step(1000, 0, false) == Step::nothing);
    CHECK(checkpointer.writer_step(1024, 0, false) == Step::wake_checkpointer);
    CHECK(checkpointer.writer_step(2000, 1024, false) == Step::nothing);
    CHECK(checkpointer.writer_step(2048, 1024, false) == Step::wake_checkpointer);
    CHECK(checkpointer.writer_step(4000, 3990, false) == Step::nothing);  // close behind, but no need yet
  }
  SECTION("at the limit, far behind: the checkpointer chases, the commit does not wait for a copy") {
    CHECK(checkpointer.writer_step(4096, 3000, false) == Step::wake_checkpointer);
    CHECK(checkpointer.writer_step(5000, 4900, false) == Step::wake_checkpointer);  // 100 left: still chasing
  }
  SECTION("at the limit, close behind: the writer copies the few pages left so the log starts over") {
    CHECK(checkpointer.writer_step(4100, 4050, false) == Step::copy_the_rest);
    CHECK(checkpointer.writer_step(6000, 5936, false) == Step::copy_the_rest);
  }
  SECTION("while the checkpointer copies or syncs, the writer's sync would wait behind it: it waits for the pass") {
    CHECK(checkpointer.writer_step(4100, 4050, true) == Step::nothing);
    CHECK(checkpointer.writer_step(4100, 3000, true) == Step::wake_checkpointer);  // one more pass after this
  }
  SECTION("at twice the limit the checkpointer cannot keep up: the writer copies all that is left") {
    CHECK(checkpointer.writer_step(8192, 0, false) == Step::copy_the_rest);
    CHECK(checkpointer.writer_step(8192, 0, true) == Step::copy_the_rest);
  }
}

namespace {

// A database in WAL mode whose writer is watched by a checkpointer woken after 100 pages
// (limit 400). Open it after the SyncCountingVfs: a connection keeps the VFS it opened with.
struct WatchedLog {
  testing::TempDir dir;
  std::string path = dir.path() + "/c.db";
  store::SqliteConnection writer{path};
  std::unique_ptr<store::WalCheckpointer> checkpointer;

  WatchedLog() {
    writer.exec("PRAGMA journal_mode=WAL");
    writer.exec("PRAGMA synchronous=NORMAL");
    writer.exec("CREATE TABLE t (x TEXT)");
    checkpointer = std::make_unique<store::WalCheckpointer>(path, false, /*limit_pages=*/400);
    checkpointer->attach(writer.handle());
  }

  void append_until(std::uint64_t pages) {
    for (int i = 0; i < 10000 && checkpointer->pages_written() < pages; ++i)
      writer.exec("INSERT INTO t VALUES (printf('%.3000c', 'x'))");
    REQUIRE(checkpointer->pages_written() >= pages);  // the commit hook counts what commits append
  }

  // The checkpointer's first pass, overtaken by a commit while it copies (as under load):
  // its first copy into the database is held, another connection commits, then it goes on.
  // That connection does not wake the checkpointer again: a second pass would copy the
  // rest undisturbed, and SQLite would sync after that one.
  void overtake_first_pass(testing::SyncCountingVfs& vfs) {
    vfs.hold_next_write();
    append_until(100);
    REQUIRE(vfs.wait_for_held_write(std::chrono::seconds(10)));
    store::SqliteConnection other(path);
    other.exec("PRAGMA wal_autocheckpoint=0");
    other.exec("INSERT INTO t VALUES ('overtaking')");
    vfs.release_write();
  }
};

// The default logger's lines while it lives (the previous logger back afterwards).
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256)), previous_(spdlog::default_logger()) {
    sink_->set_pattern("%l %v");
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink_));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  long count(const std::string& text) const {
    auto lines = sink_->last_formatted();
    return std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; });
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

// Waits (up to 10 s) for something another thread does; true once it is so.
bool eventually(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return done();
}

}  // namespace

TEST_CASE("a checkpoint overtaken by a commit still syncs the database it copied into", "[store]") {
  // SQLite syncs the database after a checkpoint only when no commit came while it copied;
  // under load one always does, and the copied pages stayed unsynced until the writer's
  // checkpoint at the limit synced them all while its messages waited.
  testing::SyncCountingVfs vfs;
  WatchedLog db;
  const int syncs_before = vfs.database_syncs();
  db.overtake_first_pass(vfs);
  REQUIRE(eventually([&] { return db.checkpointer->background_checkpoints() > 0; }));
  REQUIRE(db.checkpointer->background_checkpoints() == 1);
  CHECK(vfs.database_syncs() > syncs_before);
}

TEST_CASE("a failing database sync is reported as one, once, and checkpoints count again once one works", "[store]") {
  LogCapture log;  // first: it outlives the checkpointer's thread
  testing::SyncCountingVfs vfs;
  WatchedLog db;

  // The sync of an overtaken pass is the checkpointer's own, made past SQLite.
  vfs.fail_database_syncs(true);
  db.overtake_first_pass(vfs);
  REQUIRE(eventually([&] { return log.count("checkpoint failed") > 0; }));
  // SQLite's error message knows nothing of a sync made past it: the failure is named.
  CHECK(log.count("checkpoint failed: syncing the database: disk I/O error") == 1);
  CHECK(db.checkpointer->background_checkpoints() == 0);  // copied but not synced: not counted

  const int syncs = vfs.database_syncs();
  db.append_until(200);  // more passes, failing the same way
  REQUIRE(eventually([&] { return vfs.database_syncs() > syncs; }));
  CHECK(log.count("checkpoint failed") == 1);  // once while it lasts

  vfs.fail_database_syncs(false);
  db.append_until(300);
  REQUIRE(eventually([&] { return db.checkpointer->background_checkpoints() > 0; }));
  CHECK(eventually([&] { return log.count("checkpoints work again") == 1; }));
}
