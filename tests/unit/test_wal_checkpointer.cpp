#include <catch2/catch.hpp>

#include "bot/store/wal_checkpointer.hpp"
#include "tests/fakes/daemon_process.hpp"

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
