// The send queue the platform connectors share (connectors/platform): Telegram's limits,
// and what each answer of a platform does to one destination and not the others. Time
// comes in, so everything here runs on a manual clock.
#include <catch2/catch.hpp>

#include <string>

#include "connectors/platform/send_queue.hpp"

using namespace bounceback;
using namespace bounceback::platform;
using namespace std::chrono_literals;

namespace {

core::TimePoint ms(long long v) { return core::TimePoint{std::chrono::milliseconds{v}}; }
core::Outgoing message(std::int64_t id) {
  core::Outgoing m;
  m.id = id;
  m.text = "hi";
  return m;
}
// Telegram's: one a second in a chat, twenty a minute in a group, thirty a second overall.
const SendQueue::Limits kTelegram{std::chrono::seconds(1), 20, 30};
const SendQueue::Limits kNone{};  // Matrix: the homeserver says when it wants less

}  // namespace

TEST_CASE("the send queue keeps one a second per chat, in order", "[platform][queue]") {
  SendQueue q(kTelegram);
  q.push({"1", false, message(1)});
  q.push({"1", false, message(2)});
  q.push({"2", false, message(3)});
  core::TimePoint wake;
  auto a = q.pop(ms(0), &wake);
  REQUIRE(a);
  CHECK(a->message.id == 1);
  auto b = q.pop(ms(0), &wake);  // chat 1 must wait; chat 2 may go
  REQUIRE(b);
  CHECK(b->message.id == 3);
  CHECK_FALSE(q.pop(ms(500), &wake));
  CHECK(wake == ms(1000));
  auto c = q.pop(ms(1000), &wake);
  REQUIRE(c);
  CHECK(c->message.id == 2);
  CHECK_FALSE(q.pop(ms(5000), &wake));
  CHECK(wake == core::TimePoint::max());
}

TEST_CASE("the send queue keeps thirty a second overall and twenty a minute in a group", "[platform][queue]") {
  SendQueue q(kTelegram);
  for (int chat = 1; chat <= 40; ++chat) q.push({std::to_string(chat), false, message(chat)});
  core::TimePoint wake;
  int sent = 0;
  while (q.pop(ms(0), &wake)) ++sent;
  CHECK(sent == 30);
  CHECK(wake == ms(1000));
  while (q.pop(ms(1000), &wake)) ++sent;
  CHECK(sent == 40);

  SendQueue g(kTelegram);
  for (int i = 0; i < 25; ++i) g.push({"-100", true, message(i)});
  int in_group = 0;
  for (long long t = 0; t < 60'000; t += 1000)
    while (g.pop(ms(t), &wake)) ++in_group;
  CHECK(in_group == 20);  // one a second, but no more than twenty in the minute
  CHECK(wake == ms(60'000));
  CHECK(g.pop(ms(60'000), &wake));
}

TEST_CASE("a held chat waits (429) and keeps its order, then a blocked chat is dropped", "[platform][queue]") {
  SendQueue q(kTelegram);
  q.push({"1", false, message(1)});
  q.push({"1", false, message(2)});
  core::TimePoint wake;
  auto first = q.pop(ms(0), &wake);
  REQUIRE(first);
  q.hold(std::move(*first), ms(7000));  // retry_after 7
  CHECK_FALSE(q.pop(ms(6999), &wake));
  CHECK(wake == ms(7000));
  auto again = q.pop(ms(7000), &wake);
  REQUIRE(again);
  CHECK(again->message.id == 1);  // before message 2
  q.push({"2", false, message(3)});
  q.drop_destination("1");
  auto other = q.pop(ms(9000), &wake);
  REQUIRE(other);
  CHECK(other->message.id == 3);
  CHECK(q.size() == 0);
}

TEST_CASE("a room whose send fails waits alone: the other rooms' messages go on", "[platform][queue]") {
  SendQueue q(kNone, 7);
  q.push({"!a", false, message(1)});
  q.push({"!a", false, message(2)});
  q.push({"!b", false, message(3)});
  core::TimePoint wake;
  auto first = q.pop(ms(0), &wake);
  REQUIRE(first);
  CHECK(first->message.id == 1);
  auto wait = q.settle(std::move(*first), SendOutcome::back_off, ms(0));  // the homeserver answered 502
  CHECK(wait >= 1000ms);
  CHECK(wait <= 1250ms);
  auto other = q.pop(ms(0), &wake);  // room b is not held up by room a
  REQUIRE(other);
  CHECK(other->message.id == 3);
  q.settle(std::move(*other), SendOutcome::sent, ms(0));
  CHECK_FALSE(q.pop(ms(10), &wake));
  CHECK(wake == ms(0) + wait);
  auto again = q.pop(ms(0) + wait, &wake);
  REQUIRE(again);
  CHECK(again->message.id == 1);  // still before message 2
  CHECK(again->attempts == 1);
}

TEST_CASE("back-off grows with each failure of the same message and starts over for the next", "[platform][queue]") {
  SendQueue q(kNone, 7);
  q.push({"!a", false, message(1)});
  q.push({"!a", false, message(2)});
  core::TimePoint now = ms(0), wake;
  // 1 s, 2 s, 4 s, 8 s before jitter (up to a quarter more).
  for (long long base : {1000, 2000, 4000, 8000}) {
    auto item = q.pop(now, &wake);
    REQUIRE(item);
    REQUIRE(item->message.id == 1);
    auto wait = q.settle(std::move(*item), SendOutcome::back_off, now);
    CHECK(wait >= std::chrono::milliseconds(base));
    CHECK(wait <= std::chrono::milliseconds(base + base / 4));
    now += wait;
  }
  auto sent = q.pop(now, &wake);
  REQUIRE(sent);
  CHECK(q.settle(std::move(*sent), SendOutcome::sent, now) == 0ms);
  auto next = q.pop(now, &wake);
  REQUIRE(next);
  CHECK(next->message.id == 2);
  CHECK(next->attempts == 0);
}

TEST_CASE("retry_after holds the destination as long as the platform said, unreachable drops it, drop moves on",
          "[platform][queue]") {
  SendQueue q(kTelegram, 7);
  q.push({"1", false, message(1)});
  q.push({"1", false, message(2)});
  q.push({"2", false, message(3)});
  q.push({"3", false, message(4)});
  core::TimePoint wake;
  auto a = q.pop(ms(0), &wake);
  REQUIRE(a);
  CHECK(q.settle(std::move(*a), SendOutcome::retry_after, ms(0), 7s) == 7000ms);  // 429, retry_after 7
  auto b = q.pop(ms(0), &wake);
  REQUIRE(b);
  CHECK(b->message.id == 3);
  q.settle(std::move(*b), SendOutcome::unreachable, ms(0));  // blocked the bot: nothing more for chat 2
  CHECK(q.size("2") == 0);
  auto c = q.pop(ms(0), &wake);
  REQUIRE(c);
  CHECK(c->message.id == 4);
  q.settle(std::move(*c), SendOutcome::drop, ms(0));  // 400: gone, nothing held
  CHECK(q.size("3") == 0);
  CHECK_FALSE(q.pop(ms(6999), &wake));
  CHECK(wake == ms(7000));
  auto again = q.pop(ms(7000), &wake);
  REQUIRE(again);
  CHECK(again->message.id == 1);
  CHECK(q.size() == 1);  // message 2 of chat 1
}
