// The core's unit of work and person cache on the fake store, with the strand replaced by a
// queue the test runs: what a failed commit undoes, and when a person is read again.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <functional>

#include "bot/core/clock.hpp"
#include "bot/core/iso8601.hpp"
#include "bot/core/metrics.hpp"
#include "bot/engine/person_cache.hpp"
#include "bot/engine/store_reader.hpp"
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

namespace {

// The core's strand, for a reader thread that posts to it: a queue the test runs.
struct ThreadedStrand {
  std::mutex mutex;
  std::condition_variable posted;
  std::deque<std::function<void()>> queue;
  void post(std::function<void()> f) {
    {
      std::lock_guard lock(mutex);
      queue.push_back(std::move(f));
    }
    posted.notify_all();
  }
  // Runs what was posted until `done`, waiting up to 5 s for more.
  bool run_until(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done()) {
      std::function<void()> f;
      {
        std::unique_lock lock(mutex);
        if (!posted.wait_until(lock, deadline, [&] { return !queue.empty(); })) return false;
        f = std::move(queue.front());
        queue.pop_front();
      }
      f();
    }
    return true;
  }
};

}  // namespace

TEST_CASE("PersonCache: someone not cached is read off the strand, cached people go on meanwhile, one person's turns keep their order",
          "[engine]") {
  Engine e;
  {  // Ana is stored, not cached
    store::Transaction tx;
    core::Person ana;
    ana.id = 7;
    ana.address = {"telegram", "ana"};
    ana.display_name = "Ana";
    tx.people.push_back(ana);
    e.store.submit(std::move(tx), nullptr);
    e.store.commit_all();
  }
  core::Person& ben = e.cache.create({"telegram", "ben"}, "");
  ThreadedStrand strand;
  engine::StoreReader reader([&](std::function<void()> f) { strand.post(std::move(f)); }, /*own_thread=*/true);
  e.cache.use_reader(&reader);

  std::vector<std::string> turns;
  e.store.hold_reads();  // a slow disk
  e.cache.ensure({{{"telegram", "ana"}}, {}, {}}, [&] { turns.push_back("ana 1"); });
  e.cache.ensure({{{"telegram", "ana"}}, {}, {}}, [&] { turns.push_back("ana 2"); });
  e.cache.ensure({{ben.address}, {}, {}}, [&] { turns.push_back("ben"); });
  e.cache.ensure({{{"telegram", "new"}}, {}, {}}, [&] {
    // Known not to exist from the read ahead: no second read on the strand.
    int before = e.store.reads();
    auto found = e.cache.find({"telegram", "new"});
    CHECK(found.person == nullptr);
    CHECK_FALSE(found.failed);
    CHECK(e.store.reads() == before);
    turns.push_back("new");
  });
  CHECK(turns == std::vector<std::string>{"ben"});  // Ben's turn did not wait for the disk
  e.store.release_reads();
  REQUIRE(strand.run_until([&] { return turns.size() == 4; }));
  CHECK(turns == std::vector<std::string>{"ben", "ana 1", "ana 2", "new"});
  auto ana = e.cache.find({"telegram", "ana"});
  REQUIRE(ana.person);
  CHECK(ana.person->display_name == "Ana");
}
