#include <catch2/catch.hpp>

#include <utility>

#include <boost/asio/io_context.hpp>

#include "bot/app/core.hpp"
#include "bot/app/dialog_files.hpp"
#include "bot/safety/safety_policy.hpp"
#include "bot/coach/coach.hpp"
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
  w.settle();
  w.store.fail_next_commit();
  w.store.commit_all();
  w.settle();
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
  CHECK(w.store.delivered() == std::vector<std::int64_t>{id});

  w.core.delivered({"websocket", "someone-unknown"}, {id + 1});
  w.commit();
  CHECK(w.store.delivered().size() == 1);
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
