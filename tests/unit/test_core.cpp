#include <catch2/catch.hpp>

#include <utility>

#include <boost/asio/io_context.hpp>

#include "bot/app/core.hpp"
#include "bot/app/dialog_files.hpp"
#include "bot/safety/safety_policy.hpp"
#include "bot/coach/coach.hpp"
#include "bot/coach/goal_book.hpp"
#include "bot/core/clock.hpp"
#include "bot/core/connector.hpp"
#include "bot/core/iso8601.hpp"
#include "bot/core/metrics.hpp"
#include "tests/fakes/fake_store.hpp"

using namespace bounceback;

namespace {

class RecordingConnector final : public core::Connector {
 public:
  std::string_view name() const override { return "websocket"; }
  void deliver(const core::Outgoing& message) override { sent.push_back(message); }
  std::vector<core::Outgoing> sent;
};

std::shared_ptr<const safety::SafetyPolicy> shipped_safety_policy() {
  std::vector<core::Diagnostic> problems;
  auto policy = safety::load_safety_policy(BOUNCEBACK_SOURCE_DIR "/config/safety/en.yaml", problems);
  REQUIRE(problems.empty());
  return std::make_shared<const safety::SafetyPolicy>(std::move(policy));
}

struct World {
  boost::asio::io_context io;
  testing::FakeStore store;
  core::ManualClock clock{*core::parse_iso8601("2026-03-08T06:00:00Z")};
  core::Metrics metrics;
  coach::Coach coach{std::make_shared<const dialog::DialogSet>(app::load_daemon_dialogs(BOUNCEBACK_SOURCE_DIR "/dialogs").set)};
  app::Core core{io, store, clock, metrics, coach, {"UTC", "", {"Your doctor"}, shipped_safety_policy(), 365, 30, {}, true}};
  RecordingConnector web;

  World() { core.attach(web); }

  // Runs everything that is ready on the io_context (the core strand).
  void settle() {
    io.restart();
    io.poll();
  }
  // Commits what the core submitted and runs what follows the commit.
  void commit() {
    settle();
    store.commit_all();
    settle();
  }
  // The same, with the store refusing the commit.
  void fail_commit() {
    settle();
    store.fail_next_commit();
    store.commit_all();
    settle();
  }

  core::WebHelloResult hello(const std::string& token = "") {
    std::optional<core::WebHelloResult> result;
    core.web_hello(token, [&](core::WebHelloResult r) { result = std::move(r); });
    commit();
    REQUIRE(result);
    return *result;
  }
};

}  // namespace

TEST_CASE("a new web person gets an id, a 128-bit-or-more token and the welcome as backlog", "[core]") {
  World w;
  auto result = w.hello();
  CHECK(result.status == core::WebHelloResult::Status::ok);
  CHECK_FALSE(result.user.empty());
  CHECK(result.token.size() >= 22);  // base64url: 22 characters carry 128 bits
  CHECK_FALSE(result.backlog.empty());
  CHECK(w.web.sent.empty());  // the welcome travels as backlog, never twice
  CHECK(w.metrics.value("bounceback_people_created_total", {{"connector", "websocket"}}) == 1);
}

TEST_CASE("a known token resumes the same person, an unknown one is refused", "[core]") {
  World w;
  auto first = w.hello();
  auto again = w.hello(first.token);
  CHECK(again.status == core::WebHelloResult::Status::ok);
  CHECK(again.user == first.user);
  CHECK(again.token.empty());  // the token is only ever shown once

  auto stranger = w.hello("not-a-token");
  CHECK(stranger.status == core::WebHelloResult::Status::unauthorized);
}

TEST_CASE("a reply is handed to the connector only after its commit", "[core]") {
  World w;
  auto me = w.hello();
  core::Incoming in;
  in.from = {"websocket", me.user};
  in.text = "I had a rough day";
  in.correlation_id = "c1";
  w.core.receive(in);
  w.settle();
  REQUIRE(w.store.pending() == 1);
  CHECK(w.web.sent.empty());  // submitted, not committed: nothing leaves

  w.store.commit_all();
  w.settle();
  REQUIRE_FALSE(w.web.sent.empty());
  const auto& last = w.web.sent.back();
  CHECK(last.reply_to == "c1");
  CHECK(last.final);
  for (std::size_t i = 0; i + 1 < w.web.sent.size(); ++i) CHECK_FALSE(w.web.sent[i].final);
  CHECK(w.store.outbox().back().id == last.id);
}

TEST_CASE("when the commit fails, nothing is sent", "[core]") {
  World w;
  auto me = w.hello();
  core::Incoming in;
  in.from = {"websocket", me.user};
  in.text = "hello?";
  w.core.receive(in);
  w.fail_commit();
  CHECK(w.web.sent.empty());
}

TEST_CASE("outbox ids keep increasing across messages", "[core]") {
  World w;
  auto me = w.hello();
  for (int i = 0; i < 3; ++i) {
    core::Incoming in;
    in.from = {"websocket", me.user};
    in.text = "message " + std::to_string(i);
    w.core.receive(in);
    w.commit();
  }
  REQUIRE(w.web.sent.size() >= 3);
  for (std::size_t i = 1; i < w.web.sent.size(); ++i) CHECK(w.web.sent[i].id > w.web.sent[i - 1].id);
}

TEST_CASE("delivered acknowledgements are recorded only for the person's own messages", "[core]") {
  World w;
  auto me = w.hello();
  auto id = me.backlog.front().id;
  w.core.delivered({"websocket", me.user}, {id});
  w.commit();
  // Not a transaction of its own: it goes with the next commit, here the person's next message.
  CHECK(w.store.delivered().empty());
  core::Incoming in;
  in.from = {"websocket", me.user};
  in.text = "/steps";
  w.core.receive(in);
  w.commit();
  CHECK(w.store.delivered() == std::vector<std::int64_t>{id});

  // With no commit coming, a short timer writes it on its own.
  auto second = w.web.sent.front().id;
  w.core.delivered({"websocket", me.user}, {second});
  w.settle();
  w.io.restart();
  w.io.run_one_for(std::chrono::seconds(5));  // the timer's handler, which commits
  w.commit();
  CHECK(w.store.delivered() == std::vector<std::int64_t>{id, second});

  w.core.delivered({"websocket", "someone-unknown"}, {id + 1});
  w.commit();
  w.io.restart();
  w.io.run_one_for(std::chrono::milliseconds(200));
  w.commit();
  CHECK(w.store.delivered().size() == 2);
}

TEST_CASE("a crisis message is answered by the safety screen first, and pauses celebrations", "[core][safety]") {
  World w;
  auto me = w.hello();
  core::Incoming in;
  in.from = {"websocket", me.user};
  in.text = "I don't want to live anymore";
  in.correlation_id = "c1";
  w.core.receive(in);
  w.commit();
  REQUIRE(w.web.sent.size() == 1);
  CHECK(w.web.sent[0].kind == core::MessageKind::safety);
  CHECK(w.web.sent[0].reply_to == "c1");
  CHECK(w.web.sent[0].final);
  CHECK(w.metrics.value("bounceback_safety_hits_total", {{"category", "suicide_self_harm"}}) == 1);

  // "I'm safe, continue": a calm word, then the question the person was at.
  core::Incoming safe;
  safe.from = in.from;
  safe.choice_id = "safety.safe";
  w.core.receive(safe);
  w.commit();
  REQUIRE(w.web.sent.size() >= 3);
  CHECK(w.web.sent[1].kind == core::MessageKind::safety);
  CHECK_THAT(w.web.sent.back().text, Catch::Contains("Is that okay with you?"));

  // A made-up id that only looks like a safety button is no safety answer: the open
  // question is asked again instead.
  core::Incoming forged;
  forged.from = in.from;
  forged.choice_id = "safety.anything";
  std::size_t before = w.web.sent.size();
  w.core.receive(forged);
  w.commit();
  REQUIRE(w.web.sent.size() > before);
  for (std::size_t i = before; i < w.web.sent.size(); ++i) CHECK(w.web.sent[i].kind != core::MessageKind::safety);
  CHECK_THAT(w.web.sent.back().text, Catch::Contains("Is that okay with you?"));
}

namespace {
// A person of `w` who typed `words`; everything committed.
void say(World& w, const std::string& user, const std::string& words) {
  core::Incoming in;
  in.from = {"websocket", user};
  in.text = words;
  in.correlation_id = "c";
  w.core.receive(in);
  w.commit();
}

// The text of the first message answering what the person typed.
std::string first_answer(World& w, const std::string& user, const std::string& words) {
  auto before = w.web.sent.size();
  say(w, user, words);
  REQUIRE(w.web.sent.size() > before);
  return w.web.sent[before].text;
}

void run_due_at(World& w, const char* iso) {
  w.clock.set(*core::parse_iso8601(iso));
  bool done = false;
  w.core.run_due([&] { done = true; });
  for (int i = 0; i < 10 && !done; ++i) w.commit();
  REQUIRE(done);
}

std::size_t unprompted(const World& w, core::MessageKind kind) {
  return std::count_if(w.web.sent.begin(), w.web.sent.end(),
                       [&](const core::Outgoing& m) { return m.reply_to.empty() && m.kind == kind; });
}
}  // namespace

TEST_CASE("a nudge time becomes one due item, then a new zone plans it again, the old item is dropped", "[core][nudges]") {
  World w;  // the clock: 2026-03-08T06:00:00Z
  auto me = w.hello();
  say(w, me.user, "/tz Europe/Berlin");
  say(w, me.user, "/nudge 09:00");
  auto due = w.store.due();
  REQUIRE(due.size() == 1);
  CHECK(core::format_iso8601(due[0].due) == "2026-03-08T08:00:00Z");
  say(w, me.user, "/tz Asia/Kolkata");
  due = w.store.due();
  REQUIRE(due.size() == 1);
  CHECK(core::format_iso8601(due[0].due) == "2026-03-09T03:30:00Z");  // 09:00 in Kolkata has passed today

  run_due_at(w, "2026-03-08T08:30:00Z");  // the Berlin item is still queued, under the old epoch
  CHECK(unprompted(w, core::MessageKind::checkin) == 0);
  CHECK(w.metrics.value("bounceback_nudges_total", {{"result", "sent"}}) == 0);
  run_due_at(w, "2026-03-09T03:31:00Z");
  CHECK(unprompted(w, core::MessageKind::checkin) == 1);
  CHECK(core::format_iso8601(w.store.due().at(0).due) == "2026-03-10T03:30:00Z");
}

TEST_CASE("a due nudge leaves only after its commit, then a failed commit sends nothing and it is tried again", "[core][nudges]") {
  World w;
  auto me = w.hello();
  say(w, me.user, "/nudge 07:00");  // UTC, the default zone
  auto sent_before = w.web.sent.size();
  w.clock.set(*core::parse_iso8601("2026-03-08T07:00:00Z"));
  w.core.run_due();
  w.settle();
  CHECK(w.web.sent.size() == sent_before);  // submitted, not committed
  w.fail_commit();
  CHECK(w.web.sent.size() == sent_before);
  run_due_at(w, "2026-03-08T07:01:00Z");  // the next run (the timer, or the test clock) tries it again
  CHECK(unprompted(w, core::MessageKind::checkin) == 1);
  CHECK(w.metrics.value("bounceback_due_items") == 1);  // tomorrow's, once: not also queued by the failed try
  run_due_at(w, "2026-03-09T07:00:00Z");  // and the next day's comes once
  CHECK(unprompted(w, core::MessageKind::checkin) == 2);
}

TEST_CASE("nudges past their lateness are dropped from the backlog of a returning person", "[core][nudges]") {
  World w;
  auto me = w.hello();
  say(w, me.user, "/goal Sleep better");
  say(w, me.user, "/step no phone in bed");
  say(w, me.user, "/nudge 07:00");
  run_due_at(w, "2026-03-08T07:00:00Z");
  REQUIRE(unprompted(w, core::MessageKind::nudge) == 1);  // sent, never acknowledged
  w.clock.set(*core::parse_iso8601("2026-03-08T08:00:00Z"));
  auto soon = w.hello(me.token);
  CHECK(std::count_if(soon.backlog.begin(), soon.backlog.end(), [](auto& m) { return m.kind == core::MessageKind::nudge; }) == 1);
  w.clock.set(*core::parse_iso8601("2026-03-08T09:30:00Z"));  // 2.5 h: over the 2 h a nudge may be late
  auto late = w.hello(me.token);
  CHECK(std::count_if(late.backlog.begin(), late.backlog.end(), [](auto& m) { return m.kind == core::MessageKind::nudge; }) == 0);
  CHECK_FALSE(late.backlog.empty());  // the replies are still there
}

TEST_CASE("any answer brings the usual rhythm back after unanswered nudges", "[core][nudges]") {
  World w;
  auto me = w.hello();
  say(w, me.user, "/nudge 07:00");
  for (const char* day : {"2026-03-08T07:00:00Z", "2026-03-09T07:00:00Z", "2026-03-10T07:00:00Z",
                          "2026-03-11T07:00:00Z"})
    run_due_at(w, day);
  CHECK(unprompted(w, core::MessageKind::checkin) == 3);  // the fourth was held back (half rate)
  bool announced = false;
  for (const auto& m : w.web.sent) announced = announced || m.text.find("half as often") != std::string::npos;
  CHECK(announced);
  say(w, me.user, "hi");
  run_due_at(w, "2026-03-12T07:00:00Z");
  CHECK(unprompted(w, core::MessageKind::checkin) == 4);
}

TEST_CASE("/pause holds nudges back and /resume brings them again", "[core][nudges]") {
  World w;
  auto me = w.hello();
  say(w, me.user, "/nudge 07:00");
  say(w, me.user, "/pause");
  run_due_at(w, "2026-03-08T07:00:00Z");
  CHECK(unprompted(w, core::MessageKind::checkin) == 0);
  CHECK(w.metrics.value("bounceback_nudges_total", {{"result", "paused"}}) == 1);
  say(w, me.user, "/resume");
  run_due_at(w, "2026-03-09T07:00:00Z");
  CHECK(unprompted(w, core::MessageKind::checkin) == 1);
}

TEST_CASE("idle people leave the cache after their writes are on disk, and come back from the store", "[core][cache]") {
  World w;
  auto me = w.hello();
  say(w, me.user, "/goal Sleep better");
  say(w, me.user, "/step no phone in bed");
  auto other = w.hello();
  CHECK(w.metrics.value("bounceback_people_cached") == 2);
  w.clock.advance(std::chrono::minutes(20));
  say(w, other.user, "hi");  // the other one stays active
  w.clock.advance(std::chrono::minutes(15));
  bool done = false;
  w.core.evict_idle([&] { done = true; });
  w.commit();
  REQUIRE(done);
  CHECK(w.metrics.value("bounceback_people_cached") == 1);  // 35 minutes idle: out; 15: in
  auto sent = w.web.sent.size();
  say(w, me.user, "/steps");  // read back from the store
  REQUIRE(w.web.sent.size() > sent);
  CHECK_THAT(w.web.sent[sent].text, Catch::Contains("no phone in bed"));
  CHECK(w.metrics.value("bounceback_people_cached") == 2);
  auto again = w.hello(me.token);  // the token still finds them
  CHECK(again.user == me.user);
}

TEST_CASE("nudge commands with bad input say how to write them and change nothing", "[core][nudges]") {
  World w;
  auto me = w.hello();
  auto answer = [&](const std::string& words) { return first_answer(w, me.user, words); };
  CHECK_THAT(answer("/quiet 25:00-07:00"), Catch::Contains("I couldn't read \"25:00-07:00\" as quiet hours") &&
                                                 Catch::Contains("like /quiet 22:00-07:00"));
  CHECK_THAT(answer("/quiet 22:00"), Catch::Contains("I couldn't read \"22:00\" as quiet hours"));
  CHECK_THAT(answer("/quiet 07:00-07:00"), Catch::Contains("I couldn't read \"07:00-07:00\" as quiet hours"));
  CHECK_THAT(answer("/snooze 3d"), Catch::Contains("/snooze 30m"));
  CHECK_THAT(answer("/snooze 100h"), Catch::Contains("/snooze 30m"));
  CHECK_THAT(answer("/nudge off 10:00"), Catch::Contains("You have no nudge at 10:00"));
  // Not a time: said plainly, with examples (not the list, as if it had been understood).
  CHECK_THAT(answer("/nudge 9 o'clock"), Catch::Contains("I couldn't read \"9 o'clock\" as a time") &&
                                             Catch::Contains("/nudge 9am"));
  for (int hour = 6; hour < 12; ++hour) answer("/nudge " + std::to_string(hour) + ":00");
  CHECK_THAT(answer("/nudge 13:00"), Catch::Contains("You already have 6 daily nudges"));
  auto due = w.store.due();
  CHECK(due.size() == 6);  // nothing for 13:00
  CHECK_THAT(answer("/quiet 22:00 - 07:00"), Catch::Contains("Quiet hours: 22:00-07:00"));  // spaces are fine
  // Every settings answer reads back what is stored.
  CHECK_THAT(answer("/quiet 11pm-6:30am"), Catch::Contains("Quiet hours: 23:00-06:30"));
  CHECK_THAT(answer("/quiet off"), Catch::Contains("Quiet hours are off"));
  CHECK_THAT(answer("/nudges"), !Catch::Contains("23:00-06:30"));
  CHECK_THAT(answer("/quiet 22:30-07:00"), Catch::Contains("Quiet hours: 22:30-07:00"));
}

TEST_CASE("nudge times as people write them: 9am, 21h, 9:30pm", "[core][nudges]") {
  World w;
  auto me = w.hello();
  auto answer = [&](const std::string& words) { return first_answer(w, me.user, words); };
  answer("/nudge 9am");
  answer("/nudge 21h");
  CHECK_THAT(answer("/nudge 9:30pm"), Catch::Contains("09:00, 21:00, 21:30"));
}

TEST_CASE("goal changes are stored as journal entries, with a snapshot now and then, then the book comes back whole", "[core][goals]") {
  World w;
  auto me = w.hello();
  say(w, me.user, "/goal Learn to rest");
  for (int i = 1; i <= 70; ++i) say(w, me.user, "/step step number " + std::to_string(i));
  auto stored = w.store.find_person({"websocket", me.user});
  REQUIRE(stored);
  CHECK_FALSE(stored->goals.empty());            // a snapshot was written on the way
  CHECK(stored->goal_journal.size() < 64);       // and the entries before it dropped
  CHECK_FALSE(stored->goal_journal.empty());     // the latest ones since
  // Out of the cache and back: the snapshot with the entries replayed.
  w.clock.advance(std::chrono::hours(1));
  w.core.evict_idle();
  w.commit();
  CHECK(w.metrics.value("bounceback_people_cached") == 0);
  auto sent = w.web.sent.size();
  say(w, me.user, "/steps");
  REQUIRE(w.web.sent.size() > sent);
  CHECK_THAT(w.web.sent[sent].text, Catch::Contains("70. step number 70") && Catch::Contains("1. step number 1"));
}

TEST_CASE("long journal entries are folded into a snapshot before they outgrow the person's row", "[core][goals]") {
  World w;
  auto me = w.hello();
  say(w, me.user, "/goal Write it all down");
  for (int i = 1; i <= 20; ++i) say(w, me.user, "/step " + std::string(280, static_cast<char>('a' + i)));
  auto stored = w.store.find_person({"websocket", me.user});
  REQUIRE(stored);
  CHECK_FALSE(stored->goals.empty());  // snapshots on the way, long before 64 entries
  std::size_t bytes = 0;
  for (const auto& e : stored->goal_journal) bytes += e.size() + 1;
  CHECK(bytes < 2048 + 400);  // at most one entry past the limit
  CHECK(stored->goal_journal.size() < 8);
}

TEST_CASE("a goal change whose commit failed is undone in memory: the person is told, nothing of it survives", "[core][goals]") {
  World w;
  auto me = w.hello();
  say(w, me.user, "/goal Learn to rest");
  say(w, me.user, "/step walk after lunch");
  std::vector<bool> acks;
  auto send = [&](const std::string& text) {
    core::Incoming in;
    in.from = {"websocket", me.user};
    in.text = text;
    w.core.receive(in, [&acks](bool durable) { acks.push_back(durable); });
  };
  auto sent = w.web.sent.size();
  send("/done 1");
  w.fail_commit();
  send("/step read a chapter");
  w.fail_commit();
  CHECK(acks == std::vector<bool>{false, false});  // the connector hears it was not kept
  CHECK(w.web.sent.size() == sent);                // and nothing was said as if it were
  // Space is back: the step is still open, the failed one was never added.
  send("/steps");
  w.commit();
  CHECK(acks.back());
  REQUIRE(w.web.sent.size() > sent);
  CHECK_THAT(w.web.sent[sent].text, Catch::Contains("walk after lunch"));
  CHECK_THAT(w.web.sent[sent].text, !Catch::Contains("read a chapter"));
  sent = w.web.sent.size();
  send("/done 1");
  w.commit();
  bool celebrated = false;
  for (std::size_t i = sent; i < w.web.sent.size(); ++i) celebrated |= w.web.sent[i].kind == core::MessageKind::celebration;
  CHECK(celebrated);  // not "already done"
  auto stored = w.store.find_person({"websocket", me.user});
  REQUIRE(stored);
  std::string everything = stored->goals;
  for (const auto& e : stored->goal_journal) everything += e;
  CHECK_THAT(everything, !Catch::Contains("read a chapter"));
}

TEST_CASE("a group check-in whose commit failed is posted once when tried again, and once the next day", "[core][groups]") {
  World w;  // 2026-03-08T06:00:00Z
  auto me = w.hello();
  auto in_room = [&](const std::string& text) {
    core::Incoming in;
    in.from = {"websocket", me.user};
    in.group = {"websocket", "#circle"};
    in.group_title = "circle";
    in.text = text;
    w.core.receive(in);
    w.commit();
  };
  in_room("");  // joins: the room's first member, its admin
  in_room("/checkin 07:00 UTC");
  auto posted = [&] {
    return std::count_if(w.web.sent.begin(), w.web.sent.end(), [](const core::Outgoing& m) {
      return m.to.user == "#circle" && m.kind == core::MessageKind::checkin;
    });
  };
  w.clock.set(*core::parse_iso8601("2026-03-08T07:00:00Z"));
  w.core.run_due();
  w.fail_commit();
  CHECK(posted() == 0);
  run_due_at(w, "2026-03-08T07:01:00Z");
  CHECK(posted() == 1);
  CHECK(w.metrics.value("bounceback_due_items") == 1);  // tomorrow's check-in, once
  run_due_at(w, "2026-03-08T07:05:00Z");
  CHECK(posted() == 1);
  run_due_at(w, "2026-03-09T07:00:30Z");
  CHECK(posted() == 2);
}

TEST_CASE("finished goals leave the snapshot for archive parts stored once, then the book comes back whole", "[core][goals]") {
  World w;
  auto me = w.hello();
  for (int g = 1; g <= 30; ++g) {
    say(w, me.user, "/goal goal number " + std::to_string(g));
    say(w, me.user, "/step step of goal " + std::to_string(g));
    say(w, me.user, "/done 1");
  }
  auto stored = w.store.find_person({"websocket", me.user});
  REQUIRE(stored);
  REQUIRE_FALSE(stored->goal_archive.empty());
  CHECK_THAT(stored->goal_archive.front(), Catch::Contains("goal number 1\""));
  CHECK_THAT(stored->goals, !Catch::Contains("goal number 1\""));  // the snapshot left it behind
  std::size_t parts = stored->goal_archive.size();

  w.clock.advance(std::chrono::hours(1));  // out of the cache and back
  w.core.evict_idle();
  w.commit();
  REQUIRE(w.metrics.value("bounceback_people_cached") == 0);
  auto sent = w.web.sent.size();
  say(w, me.user, "/goal one more");
  say(w, me.user, "/step the last one");
  say(w, me.user, "/steps");
  auto steps_listed = std::any_of(w.web.sent.begin() + static_cast<std::ptrdiff_t>(sent), w.web.sent.end(),
                                  [](const core::Outgoing& m) { return m.text.find("1. the last one") != std::string::npos; });
  CHECK(steps_listed);
  for (int i = 0; i < 40; ++i) say(w, me.user, "/step more " + std::to_string(i));  // a snapshot or two
  stored = w.store.find_person({"websocket", me.user});
  CHECK(stored->goal_archive.size() >= parts);  // parts are added, never rewritten
  auto book = coach::GoalBook::from_parts(stored->goal_archive, stored->goals);
  for (const auto& e : stored->goal_journal) book.replay(e);
  REQUIRE(book.goals().size() == 31);
  CHECK(book.goals()[0].title == "goal number 1");
  CHECK(book.goals()[29].completed_at);
  CHECK(book.goals()[30].steps.size() == 41);
  CHECK(book.recent_steps(*core::parse_iso8601("2026-03-08T00:00:00Z"), 0).count == 30);
}

TEST_CASE("an archive part whose commit failed is cut again: no finished goal goes missing", "[core][goals]") {
  World w;
  auto me = w.hello();
  w.store.fail_next_archive();  // the first transaction carrying a part fails (its answer is not sent)
  for (int g = 1; g <= 30; ++g) {
    say(w, me.user, "/goal goal number " + std::to_string(g));
    say(w, me.user, "/step step of goal " + std::to_string(g));
    say(w, me.user, "/done 1");
  }
  for (int i = 0; i < 70; ++i) say(w, me.user, "/step more " + std::to_string(i));  // the next snapshots
  auto stored = w.store.find_person({"websocket", me.user});
  REQUIRE(stored);
  REQUIRE_FALSE(stored->goal_archive.empty());
  auto book = coach::GoalBook::from_parts(stored->goal_archive, stored->goals);
  for (const auto& e : stored->goal_journal) book.replay(e);
  REQUIRE(book.goals().size() == 30);
  for (std::size_t i = 0; i < 30; ++i) CHECK(book.goals()[i].title == "goal number " + std::to_string(i + 1));
}

TEST_CASE("after a crisis, a finished step is acknowledged calmly, and celebrated again once the pause is over",
          "[core][safety]") {
  World w;
  auto me = w.hello();
  say(w, me.user, "/goal Get through this week");
  say(w, me.user, "/step call the doctor");
  say(w, me.user, "/step eat something warm");
  say(w, me.user, "I don't want to live anymore");
  auto kinds_from = [&](std::size_t from) {
    std::vector<core::MessageKind> kinds;
    for (std::size_t i = from; i < w.web.sent.size(); ++i) kinds.push_back(w.web.sent[i].kind);
    return kinds;
  };
  auto before = w.web.sent.size();
  say(w, me.user, "/done 1");
  auto during = kinds_from(before);
  REQUIRE_FALSE(during.empty());
  CHECK(std::count(during.begin(), during.end(), core::MessageKind::celebration) == 0);

  w.clock.advance(std::chrono::hours(24 * 3));  // past any pause
  before = w.web.sent.size();
  say(w, me.user, "/done 2");
  auto after = kinds_from(before);
  CHECK(std::count(after.begin(), after.end(), core::MessageKind::celebration) >= 1);
}

TEST_CASE("a Telegram chat that was forgotten is someone new when it writes again, and screened", "[core][privacy]") {
  World w;
  auto from_chat = [&](const std::string& text, const std::string& choice = "") {
    core::Incoming in;
    in.from = {"telegram", "4242"};
    in.text = text;
    in.choice_id = choice;
    w.core.receive(in);
    w.commit();
  };
  auto created = [&] { return w.metrics.value("bounceback_people_created_total", {{"connector", "telegram"}}); };
  from_chat("/start");
  REQUIRE(created() == 1);
  from_chat("/forget");
  from_chat("", "forget_yes");
  // Writing again: someone new, not dropped (it was, until a restart), and a crisis is answered.
  from_chat("I don't want to live anymore");
  CHECK(created() == 2);
  CHECK(w.metrics.value("bounceback_safety_hits_total", {{"category", "suicide_self_harm"}}) == 1);
}

TEST_CASE("/help shows the person's own crisis resources: their country's services, then the directory", "[core][safety]") {
  World w;
  auto me = w.hello();
  auto help = [&] { return first_answer(w, me.user, "/help"); };
  auto in_utc = help();
  CHECK_THAT(in_utc, Catch::Contains("Find A Helpline"));
  CHECK_THAT(in_utc, !Catch::Contains("TelefonSeelsorge"));
  say(w, me.user, "/tz Europe/Berlin");
  auto in_berlin = help();
  CHECK_THAT(in_berlin, Catch::Contains("TelefonSeelsorge: call 0800 111 0 111"));
  CHECK_THAT(in_berlin, Catch::Contains("Find A Helpline"));
}

TEST_CASE("the coping conversation's not-safe button gives the crisis reply itself, with resources, buttons and pause",
          "[core][safety]") {
  World w;
  auto screened = w.hello();
  auto said = [&](const std::string& user, const std::string& words, const std::string& choice = "") {
    auto before = w.web.sent.size();
    core::Incoming in;
    in.from = {"websocket", user};
    in.text = words;
    in.choice_id = choice;
    in.correlation_id = "c";
    w.core.receive(in);
    w.commit();
    return std::vector<core::Outgoing>(w.web.sent.begin() + static_cast<std::ptrdiff_t>(before), w.web.sent.end());
  };
  auto from_screen = said(screened.user, "I want to kill myself");
  REQUIRE_FALSE(from_screen.empty());
  const core::Outgoing crisis = from_screen.back();
  REQUIRE(crisis.kind == core::MessageKind::safety);

  auto me = w.hello();
  said(me.user, "menu");
  said(me.user, "", "coping");
  said(me.user, "", "substances");
  auto danger = said(me.user, "", "danger");
  REQUIRE_FALSE(danger.empty());
  CHECK(danger.back().kind == core::MessageKind::safety);
  CHECK(danger.back().text == crisis.text);  // the same words and resources as the screen's
  CHECK(danger.back().choices == crisis.choices);
  // And the same pause: a step crossed off now is acknowledged calmly, not celebrated.
  said(me.user, "/goal Get through tonight");
  said(me.user, "/step call my sister");
  auto done = said(me.user, "/done 1");
  for (const auto& m : done) CHECK(m.kind != core::MessageKind::celebration);
}

TEST_CASE("Not today on a check-in ends that day's check-ins, and the next day's come as usual", "[core][nudges]") {
  World w;  // the clock: 2026-03-08T06:00:00Z, the person in UTC
  auto me = w.hello();
  say(w, me.user, "/nudge 08:30");
  say(w, me.user, "/nudge 09:00");
  run_due_at(w, "2026-03-08T08:30:00Z");
  REQUIRE(unprompted(w, core::MessageKind::checkin) == 1);
  core::Incoming tap;
  tap.from = {"websocket", me.user};
  tap.choice_id = "checkin.not_today";
  tap.correlation_id = "n";
  w.core.receive(tap);
  w.commit();
  run_due_at(w, "2026-03-08T09:00:00Z");
  CHECK(unprompted(w, core::MessageKind::checkin) == 1);  // not again at 09:00
  run_due_at(w, "2026-03-08T23:59:00Z");
  CHECK(unprompted(w, core::MessageKind::checkin) == 1);  // nor held to the evening
  run_due_at(w, "2026-03-09T00:01:00Z");
  CHECK(unprompted(w, core::MessageKind::checkin) == 1);  // nor brought at midnight: it was for yesterday
  run_due_at(w, "2026-03-09T08:30:00Z");
  CHECK(unprompted(w, core::MessageKind::checkin) == 2);  // the next day as usual
}
