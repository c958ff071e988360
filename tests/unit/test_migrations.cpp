#include <catch2/catch.hpp>
#include <sqlite3.h>

#include "bot/core/metrics.hpp"
#include "bot/store/migrations.hpp"
#include "bot/store/sqlite_connection.hpp"
#include "bot/store/sqlite_statement.hpp"
#include "bot/store/sqlite_store.hpp"
#include "bot/store/store_error.hpp"
#include "tests/fakes/daemon_process.hpp"

using namespace bounceback;

namespace {
bool has_table(sqlite3* db, const std::string& name) {
  store::SqliteStatement q(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  q.bind(1, name);
  return q.step();
}
}  // namespace

TEST_CASE("an empty database gets every migration", "[store][migrations]") {
  testing::TempDir dir;
  store::SqliteConnection db(dir.path() + "/x.db");
  CHECK(store::schema_version(db.handle()) == 0);
  store::migrate(db.handle());
  CHECK(store::schema_version(db.handle()) == store::latest_schema_version());
  CHECK(has_table(db.handle(), "people"));
  CHECK(has_table(db.handle(), "outbox"));
  CHECK(has_table(db.handle(), "settings"));
}

TEST_CASE("migrations are numbered 1, 2, 3 ... without gaps", "[store][migrations]") {
  int expected = 1;
  for (const auto& m : store::migrations()) CHECK(m.version == expected++);
}

TEST_CASE("an older database is brought up to date and keeps its data", "[store][migrations]") {
  testing::TempDir dir;
  std::string path = dir.path() + "/old.db";
  {
    store::SqliteConnection db(path);
    store::migrate(db.handle(), 1);  // as an older bounceback left it
    CHECK(store::schema_version(db.handle()) == 1);
    CHECK_FALSE(has_table(db.handle(), "outbox"));
    db.exec("INSERT INTO people (id, connector, platform_user, created_at, last_seen_at) "
            "VALUES (7, 'websocket', 'old-friend', 0, 0)");
  }
  store::SqliteStore upgraded(path);
  auto person = upgraded.find_person({"websocket", "old-friend"});
  REQUIRE(person);
  CHECK(person->id == 7);
  store::SqliteConnection check(path);
  CHECK(store::schema_version(check.handle()) == store::latest_schema_version());
  CHECK(has_table(check.handle(), "outbox"));
}

TEST_CASE("migration 9 moves goal books out of the people row", "[store][migrations][goals]") {
  testing::TempDir dir;
  std::string path = dir.path() + "/v8.db";
  {
    store::SqliteConnection db(path);
    store::migrate(db.handle(), 8);
    db.exec("INSERT INTO people (id, connector, platform_user, created_at, last_seen_at, goals) "
            "VALUES (3, 'websocket', 'stepper', 0, 0, '{\"goals\":[{\"title\":\"Walk\"}]}')");
  }
  store::SqliteStore upgraded(path);
  auto person = upgraded.find_person({"websocket", "stepper"});
  REQUIRE(person);
  CHECK(person->goals == R"({"goals":[{"title":"Walk"}]})");
  CHECK(person->goal_journal.empty());
  store::SqliteConnection check(path);
  CHECK(has_table(check.handle(), "goal_books"));
}

TEST_CASE("migration 10 moves the goal journal into the people row, in order", "[store][migrations][goals]") {
  testing::TempDir dir;
  std::string path = dir.path() + "/v9.db";
  {
    store::SqliteConnection db(path);
    store::migrate(db.handle(), 9);
    db.exec("INSERT INTO people (id, connector, platform_user, created_at, last_seen_at) "
            "VALUES (3, 'websocket', 'stepper', 0, 0), (4, 'websocket', 'quiet', 0, 0)");
    db.exec("INSERT INTO goal_books (person_id, book) VALUES (3, '{\"goals\":[{\"title\":\"Walk\"}]}')");
    // written out of id order on purpose: the journal's order is its ids'
    db.exec("INSERT INTO goal_journal (id, person_id, entry) VALUES (12, 3, '{\"op\":\"done\",\"at\":2,\"n\":1}'), "
            "(11, 3, '{\"op\":\"step\",\"at\":1,\"text\":\"shoes\"}')");
  }
  store::SqliteStore upgraded(path);
  auto person = upgraded.find_person({"websocket", "stepper"});
  REQUIRE(person);
  CHECK(person->goal_journal == std::vector<std::string>{R"({"op":"step","at":1,"text":"shoes"})",
                                                         R"({"op":"done","at":2,"n":1})"});
  auto quiet = upgraded.find_person({"websocket", "quiet"});
  REQUIRE(quiet);
  CHECK(quiet->goal_journal.empty());
  store::SqliteConnection check(path);
  CHECK_FALSE(has_table(check.handle(), "goal_journal"));
}

TEST_CASE("migration 11 adds the goal archive, then books stored before it load as they were", "[store][migrations][goals]") {
  testing::TempDir dir;
  std::string path = dir.path() + "/v10.db";
  {
    store::SqliteConnection db(path);
    store::migrate(db.handle(), 10);
    db.exec("INSERT INTO people (id, connector, platform_user, created_at, last_seen_at, goal_journal) "
            "VALUES (3, 'websocket', 'stepper', 0, 0, '{\"op\":\"step\",\"at\":1,\"text\":\"shoes\"}' || char(10))");
    db.exec("INSERT INTO goal_books (person_id, book) VALUES (3, '{\"goals\":[{\"title\":\"Walk\"}]}')");
  }
  store::SqliteStore upgraded(path);
  auto person = upgraded.find_person({"websocket", "stepper"});
  REQUIRE(person);
  CHECK(person->goals == R"({"goals":[{"title":"Walk"}]})");
  CHECK(person->goal_journal.size() == 1);
  CHECK(person->goal_archive.empty());
  store::SqliteConnection check(path);
  CHECK(has_table(check.handle(), "goal_archive"));
}

TEST_CASE("a database from a newer bounceback is refused, untouched", "[store][migrations]") {
  testing::TempDir dir;
  std::string path = dir.path() + "/new.db";
  {
    store::SqliteConnection db(path);
    store::migrate(db.handle());
    db.exec("INSERT INTO schema_version (version, applied_at) VALUES (999, 0)");
  }
  try {
    store::SqliteStore s(path);
    FAIL("opened a newer database");
  } catch (const store::StoreError& e) {
    CHECK_THAT(e.what(), Catch::Contains("schema version 999"));
    CHECK_THAT(e.what(), Catch::Contains("newer bounceback"));
  }
  store::SqliteConnection db(path);
  CHECK(store::schema_version(db.handle()) == 999);
}
