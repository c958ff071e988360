// The Matrix connector's pure parts: /sync answers (shaped after the client-server
// spec's example), errors, the message content, numbered choices, transaction ids.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "connectors/matrix/matrix_sync.hpp"
#include "tests/fakes/fixture_file.hpp"
#include "tests/fakes/json_mutations.hpp"

using namespace bounceback;
using namespace bounceback::matrix;
using nlohmann::json;

namespace {
std::string fixture(const std::string& name) { return testing::fixture_file("matrix/" + name); }
}  // namespace

TEST_CASE("a /sync answer: next_batch, room events in order, invites, summaries, then odd events skipped", "[matrix]") {
  auto batch = parse_sync(fixture("sync.json"));
  REQUIRE(batch);
  CHECK(batch->next_batch == "s72595_4483_1934");
  REQUIRE(batch->invited_rooms == std::vector<std::string>{"!696r7674:example.com"});
  CHECK(batch->joined_member_count.at("!726s6s6q:example.com") == 2);
  // state (1), then timeline: member, message, encrypted, a custom type; the malformed two are left out
  REQUIRE(batch->events.size() == 5);
  CHECK(batch->events[0].type == "m.room.member");
  CHECK(batch->events[0].state_key == "@alice:example.org");
  CHECK(batch->events[0].membership == "join");
  const MatrixEvent& text = batch->events[2];
  CHECK(text.type == "m.room.message");
  CHECK(text.msgtype == "m.text");
  CHECK(text.body == "This is an example text message");
  CHECK(text.sender == "@example:example.org");
  CHECK(text.room_id == "!726s6s6q:example.com");
  CHECK(batch->events[3].type == "m.room.encrypted");
  CHECK(batch->events[4].type == "org.example.custom.event");  // unknown: kept as is, the caller skips it

  std::string why;
  CHECK_FALSE(parse_sync("{}", &why));
  CHECK_THAT(why, Catch::Contains("next_batch"));
  CHECK_FALSE(parse_sync("<html>", &why));
  auto empty = parse_sync(R"({"next_batch":"s1"})");
  REQUIRE(empty);
  CHECK(empty->events.empty());
}

TEST_CASE("Matrix errors: M_LIMIT_EXCEEDED with retry_after_ms, M_UNKNOWN_TOKEN, and bodies that are not JSON", "[matrix]") {
  auto limited = parse_error(429, R"({"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests","retry_after_ms":2000})");
  CHECK(limited.errcode == "M_LIMIT_EXCEEDED");
  CHECK(limited.retry_after_ms == 2000);
  auto token = parse_error(401, R"({"errcode":"M_UNKNOWN_TOKEN","error":"Invalid access token passed.","soft_logout":false})");
  CHECK(token.errcode == "M_UNKNOWN_TOKEN");
  auto gateway = parse_error(502, "<html>Bad gateway</html>");
  CHECK(gateway.status == 502);
  CHECK(gateway.errcode.empty());
}

TEST_CASE("messages go out as m.notice, then choices as a numbered list, then celebrations also as HTML", "[matrix]") {
  core::Outgoing m;
  m.text = "Is that okay with you?";
  m.choices = {{"agree", "Okay, let's start"}, {"more", "Tell me more first"}};
  json c = json::parse(message_content(m));
  CHECK(c["msgtype"] == "m.notice");
  CHECK(c["body"] == "Is that okay with you?\n\n1. Okay, let's start\n2. Tell me more first");
  CHECK_FALSE(c.contains("formatted_body"));
  core::Outgoing party;
  party.kind = core::MessageKind::celebration;
  party.text = "Step done! <3\nKeep going.";
  json p = json::parse(message_content(party));
  CHECK(p["format"] == "org.matrix.custom.html");
  CHECK(p["formatted_body"] == "<b>Step done! &lt;3</b><br>Keep going.");
}

TEST_CASE("a typed answer to a numbered list: the number or the label", "[matrix]") {
  std::vector<core::Choice> choices = {{"agree", "Okay, let's start"}, {"more", "Tell me more first"}, {"not_now", "Not now"}};
  CHECK(choice_for("1", choices) == "agree");
  CHECK(choice_for(" 3. ", choices) == "not_now");
  CHECK(choice_for("not NOW", choices) == "not_now");
  CHECK_FALSE(choice_for("4", choices));
  CHECK_FALSE(choice_for("0", choices));
  CHECK_FALSE(choice_for("I slept badly", choices));
  CHECK_FALSE(choice_for("1", {}));
}

TEST_CASE("room ids in paths and transaction ids", "[matrix]") {
  CHECK(encode_path("!726s6s6q:example.com") == "%21726s6s6q%3Aexample.com");
  CHECK(transaction_id("k3Jd9a", 42) == "bbk3Jd9a.42");
  CHECK(transaction_id("k3Jd9a", 42) == transaction_id("k3Jd9a", 42));  // a retry reuses it
}

TEST_CASE("a /sync answer with any field of the wrong type is read without an exception", "[matrix][hostile]") {
  json sync = json::parse(fixture("sync.json"));
  auto mutations = testing::wrong_type_mutations(sync);
  CHECK(mutations.size() > 300);
  for (const auto& m : mutations) {
    INFO(m.pointer << " = " << m.replacement.dump());
    std::optional<SyncBatch> batch;
    REQUIRE_NOTHROW(batch = parse_sync(m.document.dump()));
    if (m.pointer == "/next_batch") CHECK_FALSE(batch);  // nothing to resume from: the answer is refused
    else CHECK(batch);  // the rest of the batch is still read
  }
  for (const auto& m : testing::wrong_type_mutations(json::parse(R"({"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":2000})")))
    REQUIRE_NOTHROW(parse_error(429, m.document.dump()));
  CHECK(parse_error(429, R"({"retry_after_ms":1e300})").retry_after_ms == 3'600'000);
}

TEST_CASE("the resume point: a batch alone, or a batch and the last event handled in it, read back as written",
          "[matrix]") {
  CHECK(ResumePoint::parse("s72594_4483_1934") == ResumePoint{"s72594_4483_1934", ""});
  CHECK(ResumePoint::parse("s72594_4483_1934|$e1:fake.test") == ResumePoint{"s72594_4483_1934", "$e1:fake.test"});
  CHECK(ResumePoint::parse("") == ResumePoint{"", ""});  // the very first start
  for (const ResumePoint& p : {ResumePoint{"s1", ""}, ResumePoint{"s1", "$abc:x.y"}})
    CHECK(ResumePoint::parse(p.encode()) == p);
  CHECK(ResumePoint{"s1", ""}.encode() == "s1");  // as stored by earlier versions
}
