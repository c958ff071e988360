// The core's unit of work and person cache on the fake store, with the strand replaced by a
// queue the test runs: what a failed commit undoes, and when a person is read again.
#include <catch2/catch.hpp>

#include <deque>
#include <functional>

#include "bot/core/clock.hpp"
#include "bot/core/iso8601.hpp"
#include "bot/core/metrics.hpp"
#include "bot/engine/person_cache.hpp"
#include "bot/engine/unit_of_work.hpp"
#include "tests/fakes/fake_store.hpp"

using namespace bounceback;

namespace {

struct Engine {
  testing::FakeStore store;
  core::ManualClock clock{*core::parse_iso8601("2026-03-10T09:00:00Z")};
  core::Metrics metrics;
  engine::PersonCache cache{store, clock, metrics};
  std::deque<std::function<void()>> strand;  // what the store's answers posted, run by run_strand()
  std::vector<core::Outgoing> handed_over;
  engine::UnitOfWork work{store,
                          cache,
                          clock,
                          metrics,
                          [this](std::function<void()> f) { strand.push_back(std::move(f)); },
                          [this](const core::Outgoing& m) { handed_over.push_back(m); },
                          1};

  void run_strand() {
    while (!strand.empty()) {
      auto f = std::move(strand.front());
      strand.pop_front();
      f();
    }
  }
  // A person's change with one reply, committed; the result lands in `durable`.
  void change(core::Person& person, const std::string& reply, std::optional<bool>& durable) {
    store::Transaction tx;
    tx.people.push_back(person);
    work.address(person, {{core::MessageKind::reply, reply, {}}}, "c1", tx.outbox);
    work.commit(std::move(tx), true, [&durable](store::CommitResult r) { durable = r.ok; });
  }
};

}  // namespace

TEST_CASE("UnitOfWork: a committed change is handed over and reported durable", "[engine]") {
  Engine e;
  core::Person& ana = e.cache.create({"websocket", "ana"}, "");
  ana.display_name = "Ana";
  std::optional<bool> durable;
  e.change(ana, "hello Ana", durable);
  e.store.commit_all();
  CHECK(e.handed_over.empty());  // not before the strand learns the outcome
  e.run_strand();
  REQUIRE(durable);
  CHECK(*durable);
  REQUIRE(e.handed_over.size() == 1);
  CHECK(e.handed_over[0].text == "hello Ana");
  CHECK(e.handed_over[0].final);
  CHECK(e.cache.cached(1) == &ana);  // still cached: nothing to read again
}

TEST_CASE("UnitOfWork: a failed commit sends nothing, says so, and the person is read from the store again",
          "[engine]") {
  Engine e;
  core::Person& ana = e.cache.create({"websocket", "ana"}, "");
  std::optional<bool> durable;
  e.change(ana, "stored", durable);
  e.store.commit_all();
  e.run_strand();
  REQUIRE(durable == true);

  core::Person& cached = *e.cache.find({"websocket", "ana"}).person;
  cached.display_name = "Zebracorn42";  // a change in memory whose commit will fail
  durable.reset();
  e.handed_over.clear();
  e.change(cached, "never sent", durable);
  e.store.fail_next_commit();
  e.store.commit_all();
  e.run_strand();
  REQUIRE(durable == false);
  CHECK(e.handed_over.empty());
  CHECK(e.cache.cached(1) == nullptr);  // out of the cache
  auto again = e.cache.find({"websocket", "ana"});
  REQUIRE(again.person);
  CHECK(again.person->display_name.empty());  // as stored, without the lost change
}

TEST_CASE("PersonCache: a person whose commit failed stays cached until their later commit lands, then is read again",
          "[engine]") {
  Engine e;
  core::Person& ana = e.cache.create({"websocket", "ana"}, "");
  std::optional<bool> first, second;
  ana.display_name = "lost";
  e.change(ana, "one", first);
  e.store.fail_next_commit();
  e.store.commit_all();  // failed; its answer waits on the strand
  ana.display_name = "Ana";
  e.change(ana, "two", second);  // submitted before the failure is known
  e.store.commit_all();

  // The failure is known, the later commit still on its way: reading the store now would
  // miss it, so the cached record stays.
  auto first_answer = std::move(e.strand.front());
  e.strand.pop_front();
  first_answer();
  CHECK(first == false);
  CHECK(e.cache.cached(1) == &ana);
  e.run_strand();
  CHECK(second == true);
  CHECK(e.cache.cached(1) == nullptr);  // now read again, with what the later commit stored
  auto again = e.cache.find({"websocket", "ana"});
  REQUIRE(again.person);
  CHECK(again.person->display_name == "Ana");
}

TEST_CASE("PersonCache: an evicted person whose goal journal lost an entry writes a whole snapshot when read again",
          "[engine]") {
  Engine e;
  core::Person& ana = e.cache.create({"websocket", "ana"}, "");
  std::optional<bool> durable;
  e.change(ana, "welcome", durable);  // stored, with no goals
  e.store.commit_all();
  e.run_strand();
  REQUIRE(durable == true);
  {
    store::Transaction tx;
    e.cache.book(ana).start_goal("Find a flat", e.clock.now());
    e.cache.book_record(ana).write(ana.id, tx);
    REQUIRE(tx.goal_writes.size() == 1);
    CHECK_FALSE(tx.goal_writes[0].snapshot);  // a journal entry
    tx.people.push_back(ana);
    e.work.commit(std::move(tx), true, [&](store::CommitResult r) { durable = r.ok; });
  }
  e.store.fail_next_commit();
  e.store.commit_all();
  e.run_strand();
  REQUIRE(durable == false);
  REQUIRE(e.cache.cached(1) == nullptr);

  auto found = e.cache.find_by_id(1);
  REQUIRE(found.person);
  core::Person& again = *found.person;
  CHECK(e.cache.book(again).goals().empty());  // the lost goal is not there
  store::Transaction tx;
  e.cache.book_record(again).write(again.id, tx);  // no change, but the snapshot is owed
  REQUIRE(tx.goal_writes.size() == 1);
  CHECK(tx.goal_writes[0].snapshot);
}

TEST_CASE("PersonCache: idle people leave, those touched since or with a commit on its way stay", "[engine]") {
  Engine e;
  e.cache.create({"websocket", "a"}, "");
  core::Person& b = e.cache.create({"websocket", "b"}, "");
  e.cache.create({"websocket", "c"}, "");
  e.clock.advance(std::chrono::minutes(40));
  auto cutoff = e.clock.now() - std::chrono::minutes(30);
  e.cache.find({"websocket", "c"});  // touched now
  std::optional<bool> durable;
  e.change(b, "on its way", durable);  // submitted, not yet committed
  CHECK(e.cache.evict_idle(cutoff) == 1);
  CHECK(e.cache.cached(1) == nullptr);
  CHECK(e.cache.cached(2) != nullptr);
  CHECK(e.cache.cached(3) != nullptr);
}

TEST_CASE("PersonCache: a forgotten address stays dropped until it may come back", "[engine]") {
  Engine e;
  e.cache.create({"telegram", "42"}, "");
  e.cache.forget({"telegram", "42"});
  CHECK(e.cache.forgotten({"telegram", "42"}));
  CHECK(e.cache.cached(1) == nullptr);
  e.cache.may_come_back({"telegram", "42"});
  CHECK_FALSE(e.cache.forgotten({"telegram", "42"}));
}
