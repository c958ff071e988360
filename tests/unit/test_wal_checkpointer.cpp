#include <catch2/catch.hpp>

#include <chrono>
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

TEST_CASE("a checkpoint overtaken by a commit still syncs the database it copied into", "[store]") {
  // SQLite syncs the database after a checkpoint only when no commit came while it copied;
  // under load one always does, and the copied pages stayed unsynced until the writer's
  // checkpoint at the limit synced them all while its messages waited.
  testing::SyncCountingVfs vfs;
  testing::TempDir dir;
  const std::string path = dir.path() + "/c.db";
  store::SqliteConnection writer(path);
  writer.exec("PRAGMA journal_mode=WAL");
  writer.exec("PRAGMA synchronous=NORMAL");
  writer.exec("CREATE TABLE t (x TEXT)");
  store::WalCheckpointer checkpointer(path, false, /*limit_pages=*/400);  // woken after 100 pages
  checkpointer.attach(writer.handle());
  const int syncs_before = vfs.database_syncs();

  vfs.hold_next_write();  // the checkpointer's first copy into the database waits
  for (int i = 0; i < 1000 && checkpointer.pages_written() < 100; ++i)
    writer.exec("INSERT INTO t VALUES (printf('%.3000c', 'x'))");
  REQUIRE(checkpointer.pages_written() >= 100);
  REQUIRE(vfs.wait_for_held_write(std::chrono::seconds(10)));

  // A commit while it copies, from a connection that does not wake the checkpointer again
  // (a second pass would copy the rest undisturbed, and SQLite would sync after that one).
  store::SqliteConnection other(path);
  other.exec("PRAGMA wal_autocheckpoint=0");
  other.exec("INSERT INTO t VALUES ('overtaking')");
  vfs.release_write();

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (checkpointer.background_checkpoints() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // waiting for the pass to end, not ordering
  REQUIRE(checkpointer.background_checkpoints() == 1);
  CHECK(vfs.database_syncs() > syncs_before);
}
