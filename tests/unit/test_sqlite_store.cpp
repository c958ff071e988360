#include <catch2/catch.hpp>

#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>

#include "bot/core/metrics.hpp"
#include "bot/store/sqlite_backup.hpp"
#include "bot/store/sqlite_connection.hpp"
#include "bot/store/sqlite_statement.hpp"
#include "bot/store/sqlite_store.hpp"
#include "bot/store/store_error.hpp"
#include "tests/fakes/daemon_process.hpp"

using namespace bounceback;

namespace {

core::TimePoint at(long long ms) { return core::TimePoint{std::chrono::milliseconds{ms}}; }

core::Person person(core::PersonId id, std::string user, std::string token_hash = "") {
  core::Person p;
  p.id = id;
  p.address = {"websocket", std::move(user)};
  p.token_hash = std::move(token_hash);
  p.created = p.last_seen = at(1000);
  return p;
}

core::Outgoing message(std::int64_t id, const core::Person& to, std::string text) {
  core::Outgoing m;
  m.id = id;
  m.person = to.id;
  m.to = to.address;
  m.text = std::move(text);
  m.created = at(2000);
  return m;
}

store::CommitResult commit(store::Store& s, store::Transaction tx) {
  std::promise<store::CommitResult> result;
  s.submit(std::move(tx), [&](store::CommitResult r) { result.set_value(std::move(r)); });
  return result.get_future().get();
}

}  // namespace

TEST_CASE("people are found by address and by token hash after commit", "[store]") {
  testing::TempDir dir;
  store::SqliteStore s(dir.path() + "/b.db");
  store::Transaction tx;
  tx.people.push_back(person(1, "u1", "hash1"));
  tx.people.push_back(person(2, "u2"));
  REQUIRE(commit(s, tx).ok);

  auto by_address = s.find_person({"websocket", "u2"});
  REQUIRE(by_address);
  CHECK(by_address->id == 2);
  CHECK(by_address->token_hash.empty());
  auto by_token = s.find_person_by_token_hash("hash1");
  REQUIRE(by_token);
  CHECK(*by_token == person(1, "u1", "hash1"));
  CHECK_FALSE(s.find_person_by_token_hash("nope"));
  CHECK(s.max_person_id() == 2);
}

TEST_CASE("the outbox keeps messages until they are delivered, in order", "[store]") {
  testing::TempDir dir;
  store::SqliteStore s(dir.path() + "/b.db");
  auto p = person(1, "u1");
  auto other = person(2, "u2");
  store::Transaction tx;
  tx.people = {p, other};
  auto m1 = message(10, p, "first");
  m1.choices = {{"yes", "Yes"}, {"no", "Not now"}};
  m1.kind = core::MessageKind::celebration;
  auto m2 = message(11, p, "second");
  m2.reply_to = "c1";
  m2.final = true;
  tx.outbox = {m1, m2, message(12, other, "for someone else")};
  REQUIRE(commit(s, tx).ok);

  store::Transaction read;
  read.read_undelivered_for = p.id;
  auto pending = commit(s, read).undelivered;
  REQUIRE(pending.size() == 2);
  CHECK(pending[0] == m1);
  CHECK(pending[1] == m2);
  CHECK(s.max_outbox_id() == 12);

  store::Transaction ack;
  ack.delivered = {{10, p.id}, {12, p.id}};  // 12 is not p's: ignored
  ack.read_undelivered_for = p.id;
  auto after = commit(s, ack).undelivered;
  REQUIRE(after.size() == 1);
  CHECK(after[0].id == 11);

  store::Transaction other_read;
  other_read.read_undelivered_for = other.id;
  CHECK(commit(s, other_read).undelivered.size() == 1);
}

TEST_CASE("one failing transaction does not sink the others in its group commit", "[store]") {
  testing::TempDir dir;
  store::SqliteStore s(dir.path() + "/b.db");
  auto p = person(1, "u1");
  store::Transaction first;
  first.people = {p};
  first.outbox = {message(1, p, "one")};
  REQUIRE(commit(s, first).ok);

  std::promise<store::CommitResult> bad_result, good_result;
  store::Transaction bad;
  bad.outbox = {message(2, p, "two"), message(1, p, "duplicate id")};
  store::Transaction good;
  good.outbox = {message(3, p, "three")};
  s.submit(bad, [&](store::CommitResult r) { bad_result.set_value(r); });
  s.submit(good, [&](store::CommitResult r) { good_result.set_value(r); });
  CHECK_FALSE(bad_result.get_future().get().ok);
  CHECK(good_result.get_future().get().ok);

  store::Transaction read;
  read.read_undelivered_for = p.id;
  auto pending = commit(s, read).undelivered;
  REQUIRE(pending.size() == 2);  // "two" was rolled back with its transaction
  CHECK(pending[0].text == "one");
  CHECK(pending[1].text == "three");
}

TEST_CASE("many transactions submitted together are committed in few group commits", "[store]") {
  testing::TempDir dir;
  core::Metrics metrics;
  store::SqliteStore s(dir.path() + "/b.db", &metrics);
  store::Transaction setup;
  setup.people = {person(1, "u1")};
  REQUIRE(commit(s, setup).ok);
  std::atomic<int> ok{0};
  for (int i = 0; i < 500; ++i) {
    store::Transaction tx;
    tx.outbox = {message(100 + i, person(1, "u1"), "m")};
    s.submit(std::move(tx), [&](store::CommitResult r) { ok += r.ok; });
  }
  s.flush();
  CHECK(ok == 500);
  std::string rendered = metrics.render();
  // 502 transactions (setup, 500, flush) in fewer commits than transactions.
  auto count_pos = rendered.find("bounceback_store_commit_batch_size_count ");
  REQUIRE(count_pos != std::string::npos);
  int commits = std::stoi(rendered.substr(count_pos + std::string("bounceback_store_commit_batch_size_count ").size()));
  CHECK(commits < 502);
}

TEST_CASE("settings are kept by key", "[store]") {
  testing::TempDir dir;
  store::SqliteStore s(dir.path() + "/b.db");
  store::Transaction tx;
  tx.settings = {{"telegram.offset", "41"}};
  REQUIRE(commit(s, tx).ok);
  tx.settings = {{"telegram.offset", "42"}};
  REQUIRE(commit(s, tx).ok);
  CHECK(s.setting("telegram.offset") == "42");
  CHECK_FALSE(s.setting("matrix.next_batch"));
}

TEST_CASE("backup copies the live database consistently", "[store][backup]") {
  testing::TempDir dir;
  store::SqliteStore s(dir.path() + "/live.db");
  store::Transaction tx;
  tx.people = {person(1, "kept")};
  REQUIRE(commit(s, tx).ok);
  store::backup_database(dir.path() + "/live.db", dir.path() + "/copy.db");
  store::SqliteStore copy(dir.path() + "/copy.db");
  CHECK(copy.find_person({"websocket", "kept"}));
  CHECK_THROWS_WITH(store::backup_database(dir.path() + "/missing.db", dir.path() + "/x.db"),
                    Catch::Contains("no database at"));
}

TEST_CASE("nudge settings and due items are kept, replaced and deleted with the person", "[store][schedule]") {
  testing::TempDir dir;
  store::SqliteStore s(dir.path() + "/b.db");
  core::Person p = person(1, "u1");
  p.timezone = "Europe/Berlin";
  p.nudges.times = {9 * 60, 18 * 60 + 30};
  p.nudges.quiet_from = 22 * 60;
  p.nudges.quiet_to = 7 * 60;
  p.nudges.snoozed_until = at(5000);
  p.nudges.remind_at = at(6000);
  p.nudges.paused = true;
  p.nudges.unanswered = 3;
  p.nudges.skipped_last = true;
  p.nudges.last_nudged = at(7000);
  p.nudges.epoch = 4;
  p.nudges.unreachable = true;
  p.nudges.weekly = true;
  store::Transaction tx;
  tx.people.push_back(p);
  tx.due.push_back({at(10'000), 1, 4, 9 * 60, core::DueKind::daily});
  tx.due.push_back({at(20'000), 1, 4, 18 * 60 + 30, core::DueKind::daily});
  tx.due.push_back({at(6000), 1, 4, 0, core::DueKind::remind});
  tx.due.push_back({at(30'000), 1, 4, 18 * 60, core::DueKind::weekly});
  REQUIRE(commit(s, tx).ok);
  CHECK(s.find_person_by_id(1) == p);
  CHECK(s.load_due().size() == 4);
  store::Transaction weekly_done;  // the weekly item is a kind of its own in the due table
  weekly_done.due_done.push_back({at(30'000), 1, 4, 18 * 60, core::DueKind::weekly});
  REQUIRE(commit(s, weekly_done).ok);
  CHECK(s.load_due().size() == 3);

  store::Transaction next;  // a daily item moves on, the reminder is done
  next.due.push_back({at(90'000), 1, 4, 9 * 60, core::DueKind::daily});
  next.due_done.push_back({at(6000), 1, 4, 0, core::DueKind::remind});
  REQUIRE(commit(s, next).ok);
  auto due = s.load_due();
  REQUIRE(due.size() == 2);
  std::sort(due.begin(), due.end(), [](auto& a, auto& b) { return a.due < b.due; });
  CHECK(due[0] == core::DueItem{at(20'000), 1, 4, 18 * 60 + 30, core::DueKind::daily});
  CHECK(due[1] == core::DueItem{at(90'000), 1, 4, 9 * 60, core::DueKind::daily});

  store::Transaction rebuilt;  // a new zone: everything of the person is replaced
  rebuilt.due_cleared.push_back(1);
  rebuilt.due.push_back({at(30'000), 1, 5, 9 * 60, core::DueKind::daily});
  REQUIRE(commit(s, rebuilt).ok);
  CHECK(s.load_due() == std::vector<core::DueItem>{{at(30'000), 1, 5, 9 * 60, core::DueKind::daily}});

  store::Transaction forget;
  forget.forget_person = 1;
  REQUIRE(commit(s, forget).ok);
  CHECK(s.load_due().empty());
  CHECK_FALSE(s.find_person_by_id(1));
}

TEST_CASE("a group's state and its members are kept, then retention of unfinished onboarding spares groups", "[store][groups]") {
  testing::TempDir dir;
  store::SqliteStore s(dir.path() + "/b.db");
  core::Person group = person(10, "#circle");
  group.display_name = "circle";
  group.group.is_group = true;
  group.group.creator = 1;
  group.group.good = 3;
  group.group.add_win({1, "Ana", "", at(5), "0.1"});
  store::Transaction tx;
  tx.people = {person(1, "ana"), person(2, "ben"), group};
  tx.joined = {{10, 1}, {10, 2}, {10, 1}};  // a repeated join is kept once
  tx.at = at(3000);
  REQUIRE(commit(s, tx).ok);
  auto back = s.find_person({"websocket", "#circle"});
  REQUIRE(back);
  CHECK(back->is_group());
  CHECK(back->group == group.group);
  CHECK_FALSE(s.find_person({"websocket", "ana"})->is_group());
  auto members = s.load_memberships();
  std::sort(members.begin(), members.end());
  CHECK(members == std::vector<std::pair<core::PersonId, core::PersonId>>{{10, 1}, {10, 2}});

  // Forgetting Ben takes his membership with him.
  store::Transaction forget;
  forget.forget_person = 2;
  REQUIRE(commit(s, forget).ok);
  CHECK(s.load_memberships() == std::vector<std::pair<core::PersonId, core::PersonId>>{{10, 1}});

  // Nobody in the table finished onboarding; only the people go with the 30-day rule.
  store::Transaction sweep;
  sweep.forget_inactive = std::make_pair(at(0), at(10'000));
  auto swept = commit(s, sweep);
  INFO(swept.error);
  REQUIRE(swept.ok);
  CHECK(swept.forgotten == std::vector<core::Address>{{"websocket", "ana"}});
  CHECK(s.find_person({"websocket", "#circle"}));
  CHECK(s.load_memberships().empty());
}

TEST_CASE("goal books: journal entries after a snapshot are read back in order, then a snapshot replaces them", "[store][goals]") {
  testing::TempDir dir;
  store::SqliteStore s(dir.path() + "/b.db");
  store::Transaction tx;
  tx.people = {person(1, "ana")};
  tx.goal_writes = {{1, true, R"({"goals":[]})"}, {1, false, "e1"}, {1, false, "e2"}};
  REQUIRE(commit(s, tx).ok);
  auto p = s.find_person({"websocket", "ana"});
  REQUIRE(p);
  CHECK(p->goals == R"({"goals":[]})");
  CHECK(p->goal_journal == std::vector<std::string>{"e1", "e2"});
  // The person row is written again without touching the book.
  store::Transaction again;
  again.people = {*p};
  again.people[0].goals = "";
  again.goal_writes = {{1, false, "e3"}};
  REQUIRE(commit(s, again).ok);
  CHECK(s.find_person_by_id(1)->goal_journal == std::vector<std::string>{"e1", "e2", "e3"});
  CHECK(s.find_person_by_id(1)->goals == R"({"goals":[]})");
  // An entry with a line break would become two: the transaction is refused, nothing changes.
  store::Transaction split;
  split.goal_writes = {{1, false, "e3b"}, {1, false, "half\nhalf"}};
  CHECK_FALSE(commit(s, split).ok);
  CHECK(s.find_person_by_id(1)->goal_journal == std::vector<std::string>{"e1", "e2", "e3"});
  store::Transaction snap;
  snap.goal_writes = {{1, false, "e4"}, {1, true, R"({"goals":[1]})"}, {1, false, "e5"}};
  REQUIRE(commit(s, snap).ok);
  auto after = s.find_person_by_id(1);
  CHECK(after->goals == R"({"goals":[1]})");
  CHECK(after->goal_journal == std::vector<std::string>{"e5"});
  store::Transaction forget;
  forget.forget_person = 1;
  REQUIRE(commit(s, forget).ok);
  CHECK_FALSE(s.find_person_by_id(1));
}

TEST_CASE("goal archive parts are kept in order beside the snapshot, exported with it, deleted with the person",
          "[store][goals]") {
  testing::TempDir dir;
  store::SqliteStore s(dir.path() + "/b.db");
  store::Transaction tx;
  tx.people = {person(1, "ana"), person(2, "ben")};
  const std::string part1 = R"({"goals":[{"title":"one","created":1,"steps":[]}],"wins":[{"kind":"step","at":5}]})";
  const std::string part2 = R"({"goals":[{"title":"two","created":2,"steps":[]}],"wins":[]})";
  const std::string live = R"({"goals":[{"title":"three","created":3,"steps":[]}],"wins":[{"kind":"checkin","at":9}]})";
  tx.goal_writes = {{1, false, part1, true}, {1, true, live}, {2, false, part2, true}};
  REQUIRE(commit(s, tx).ok);
  store::Transaction more;
  more.goal_writes = {{1, false, part2, true}};
  REQUIRE(commit(s, more).ok);
  auto ana = s.find_person({"websocket", "ana"});
  REQUIRE(ana);
  CHECK(ana->goal_archive == std::vector<std::string>{part1, part2});
  CHECK(ana->goals == live);
  CHECK(s.find_person_by_id(2)->goal_archive == std::vector<std::string>{part2});

  store::Transaction with_break;  // one part per line when read back: a line break would split it
  with_break.goal_writes = {{1, false, "{\n}", true}};
  CHECK_FALSE(commit(s, with_break).ok);

  store::Transaction broken;  // a part that is not JSON: the export goes on without it
  broken.goal_writes = {{1, false, "{oops", true}};
  REQUIRE(commit(s, broken).ok);

  store::Transaction exported;
  exported.read_export_for = 1;
  auto result = commit(s, exported);
  REQUIRE(result.ok);
  auto j = nlohmann::json::parse(result.export_json);
  REQUIRE(j["goals"]["goals"].size() == 3);  // the parts' goals first, then the live ones
  CHECK(j["goals"]["goals"][0]["title"] == "one");
  CHECK(j["goals"]["goals"][1]["title"] == "two");
  CHECK(j["goals"]["goals"][2]["title"] == "three");
  CHECK(j["goals"]["wins"].size() == 2);

  store::Transaction forget;
  forget.forget_person = 1;
  REQUIRE(commit(s, forget).ok);
  CHECK_FALSE(s.find_person_by_id(1));
  store::SqliteConnection db(dir.path() + "/b.db");
  store::SqliteStatement left(db.handle(), "SELECT person_id FROM goal_archive ORDER BY id");
  std::vector<std::int64_t> owners;
  while (left.step()) owners.push_back(left.column_int(0));
  CHECK(owners == std::vector<std::int64_t>{2});  // ana's parts went with her; ben's stay
}

TEST_CASE("the write-ahead log is copied back by the checkpointer, so it stays small while commits go on", "[store]") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/b.db";
  {
    store::SqliteStore s(path, nullptr, true, /*checkpoint_pages=*/16);
    for (int i = 1; i <= 300; ++i) {  // one commit each, of a few pages
      store::Transaction tx;
      auto p = person(i, "u" + std::to_string(i));
      p.display_name = std::string(2000, static_cast<char>('a' + i % 26));
      tx.people.push_back(p);
      REQUIRE(commit(s, std::move(tx)).ok);
    }
    CHECK(s.background_checkpoints() + s.writer_checkpoints() > 0);
    // Without checkpoints the log would hold every commit: 300 rows of 2 KB, over 600 pages.
    // With them it is rewound once copied: a few times the threshold at most.
    auto wal_bytes = std::filesystem::file_size(path + "-wal");
    CHECK(wal_bytes < 120 * (4096 + 24));
  }
  store::SqliteStore reopened(path);
  for (int i : {1, 150, 300}) {
    auto p = reopened.find_person({"websocket", "u" + std::to_string(i)});
    REQUIRE(p);
    CHECK(p->display_name.size() == 2000);
  }
}

TEST_CASE("after a person is deleted the write-ahead log is truncated, even while the checkpointer is copying",
          "[store][privacy]") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/b.db";
  store::SqliteStore s(path, nullptr, true, /*checkpoint_pages=*/8);  // the checkpointer wakes every 2 pages
  int next = 1;
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 30; ++i, ++next) {  // keeps the checkpointer busy
      store::Transaction tx;
      auto p = person(next, "u" + std::to_string(next));
      p.display_name = std::string(3000, 'x');
      tx.people.push_back(p);
      REQUIRE(commit(s, std::move(tx)).ok);
    }
    store::Transaction forget;
    forget.forget_person = next - 1;
    REQUIRE(commit(s, std::move(forget)).ok);
    INFO("round " << round);
    CHECK(std::filesystem::file_size(path + "-wal") == 0);
  }
}

TEST_CASE("a value that cannot be bound is a StoreError, not a statement run with NULL", "[store]") {
  testing::TempDir dir;
  store::SqliteConnection db(dir.path() + "/b.db");
  db.exec("CREATE TABLE t (a INTEGER, b TEXT)");
  store::SqliteStatement insert(db.handle(), "INSERT INTO t (a, b) VALUES (?, ?)");
  CHECK_THROWS_AS(insert.bind(3, std::int64_t{1}), store::StoreError);
  CHECK_THROWS_WITH(insert.bind(0, "x"), Catch::Contains("cannot bind parameter 0"));
  insert.bind(1, std::int64_t{7}).bind(2, "seven");
  insert.run();
  store::SqliteStatement count(db.handle(), "SELECT COUNT(*) FROM t WHERE b = 'seven'");
  REQUIRE(count.step());
  CHECK(count.column_int(0) == 1);
}
