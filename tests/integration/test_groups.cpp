// Group support channels through the real daemon, over websocket rooms and the manual test
// clock: admin-only settings, a check-in at the group's local time, answers counted without
// names, wins shared only after the person chose to, and nothing private in any room frame.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "tests/fakes/chat_script.hpp"
#include "tests/fakes/daemon_process.hpp"
#include "tests/fakes/test_clock.hpp"
#include "tests/fakes/ws_test_client.hpp"

using namespace bounceback::testing;
using nlohmann::json;

namespace {

std::unique_ptr<DaemonProcess> start_daemon(const std::string& data_dir, const std::string& clock_start) {
  // Each member says one thing after another as fast as the daemon answers: no frame limit.
  auto args = manual_clock_args(clock_start);
  args.insert(args.end(), {"--set", "connectors.websocket.rate_limit=0"});
  return std::make_unique<DaemonProcess>(data_dir, args, std::vector<std::string>{kAdminTokenEnv});
}

// Every frame one connection received, kept for assertions over the whole session.
struct Member {
  explicit Member(std::uint16_t port) : client(port) {}
  WsTestClient client;
  std::vector<json> seen;

  // The frames that arrived so far (they are kept in `seen`). What bounceback sent because
  // of something already answered has been handed to this connection, and the connection
  // answers frames in order: a frame it refuses, sent now, is answered after all of them.
  std::vector<json> drain() {
    client.send_json({{"type", "probe"}});  // an unknown type: bad_request, and nothing else changes
    std::vector<json> out;
    for (;;) {
      json f = client.read_json();
      if (f["type"] == "error" && f.value("code", "") == "bad_request") return out;
      out.push_back(f);
      seen.push_back(f);
    }
  }
  // Sends a frame with a correlation id and reads up to the final answer (kept in `seen`).
  std::vector<json> say(json frame, const std::string& id) {
    if (frame["type"] == "text") frame["id"] = id;
    else frame["ref"] = id;
    client.send_json(frame);
    std::vector<json> out;
    while (auto raw = client.read(std::chrono::seconds(10))) {
      json f = json::parse(*raw);
      seen.push_back(f);
      if (f["type"] == "error") FAIL("an error answering " << id << ": " << f.dump());
      if (f["type"] != "message") continue;
      out.push_back(f);
      if (f.value("reply_to", "") == id && f.value("final", false)) return out;
    }
    FAIL("no final answer to " << id << "; got: " << json(out).dump());
    return out;
  }
  void join(const std::string& room) {
    client.send_json({{"type", "join"}, {"room", room}});
    for (int i = 0; i < 20; ++i) {
      json f = client.read_json();
      seen.push_back(f);
      if (f["type"] == "joined" && f["room"] == room) return;
    }
    FAIL("no joined frame for " << room);
  }
  // A new person who told bounceback their name during onboarding.
  void meet(const std::string& name) {
    client.hello();
    drain();
    say(tap("agree"), "agree");
    say(text(name), "name");
  }
};

json in_room(json frame, const std::string& room) {
  frame["room"] = room;
  return frame;
}

std::vector<json> room_messages(const std::vector<json>& frames, const std::string& room) {
  std::vector<json> out;
  for (const auto& f : frames)
    if (f["type"] == "message" && f.value("room", "") == room) out.push_back(f);
  return out;
}

std::vector<json> of_kind(const std::vector<json>& frames, const std::string& kind) {
  std::vector<json> out;
  for (const auto& f : frames)
    if (f["kind"] == kind) out.push_back(f);
  return out;
}

const json* with_choice_prefix(const std::vector<json>& frames, const std::string& prefix) {
  for (const auto& f : frames)
    for (const auto& c : f["choices"])
      if (c["id"].get<std::string>().rfind(prefix, 0) == 0) return &f;
  return nullptr;
}

std::string choice_starting(const json& frame, const std::string& prefix) {
  for (const auto& c : frame["choices"])
    if (c["id"].get<std::string>().rfind(prefix, 0) == 0) return c["id"];
  return "";
}

}  // namespace

TEST_CASE("a room's check-in: only its admin sets it, it comes once at the group's local time, answers are counted without names",
          "[groups][integration]") {
  TempDir data;
  auto daemon = start_daemon(data.path(), "2026-03-10T12:00:00Z");  // 13:00 in Berlin (CET)
  Member ana(daemon->port()), ben(daemon->port());
  ana.meet("Ana");
  ben.meet("Ben");
  ana.join("circle");  // the first in the room: its admin
  ben.join("circle");

  auto refused = ben.say(in_room(text("/checkin 19:00 Europe/Berlin"), "circle"), "b1");
  REQUIRE(refused.size() == 1);
  CHECK(refused[0]["room"] == "circle");
  CHECK_THAT(refused[0]["text"].get<std::string>(), Catch::Contains("Only a group admin"));
  auto shown = ana.say(in_room(text("/checkin"), "circle"), "a0");
  CHECK_THAT(shown.back()["text"].get<std::string>(), Catch::Contains("no daily check-in yet"));

  auto set = ana.say(in_room(text("/checkin 19:00 Europe/Berlin"), "circle"), "a1");
  REQUIRE(set.size() == 1);
  CHECK_THAT(set[0]["text"].get<std::string>(), Catch::Contains("every day at 19:00 (Europe/Berlin)"));
  auto ben_saw = room_messages(ben.drain(), "circle");
  REQUIRE(ben_saw.size() >= 1);  // the refusal's answer to Ana's earlier /checkin, and this one
  CHECK_THAT(ben_saw.back()["text"].get<std::string>(), Catch::Contains("every day at 19:00"));
  ana.drain();

  auto bad = ana.say(in_room(text("/checkin 25:00"), "circle"), "a2");
  CHECK_THAT(bad.back()["text"].get<std::string>(), Catch::Contains("/checkin 19:00 Europe/Berlin"));
  ben.drain();

  set_clock(*daemon, "2026-03-10T17:59:00Z");  // 18:59 Berlin
  CHECK(of_kind(room_messages(ana.drain(), "circle"), "checkin").empty());
  set_clock(*daemon, "2026-03-10T18:00:30Z");  // 19:00:30 Berlin
  auto checkins = of_kind(room_messages(ana.drain(), "circle"), "checkin");
  REQUIRE(checkins.size() == 1);
  CHECK_FALSE(checkins[0].contains("reply_to"));
  std::vector<std::string> ids;
  for (const auto& c : checkins[0]["choices"]) ids.push_back(c["id"]);
  CHECK(ids == std::vector<std::string>{"group.checkin.good", "group.checkin.ok", "group.checkin.hard"});
  CHECK(of_kind(room_messages(ben.drain(), "circle"), "checkin").size() == 1);
  set_clock(*daemon, "2026-03-10T21:00:00Z");
  CHECK(of_kind(room_messages(ana.drain(), "circle"), "checkin").empty());  // once a day

  // Answers: a private thank-you, counted once, never shown with a name.
  auto counted = ana.say(in_room(tap("group.checkin.good"), "circle"), "t1");
  REQUIRE(counted.size() == 1);
  CHECK_FALSE(counted[0].contains("room"));
  CHECK_THAT(counted[0]["text"].get<std::string>(), Catch::Contains("counted for the group"));
  ben.say(in_room(tap("group.checkin.hard"), "circle"), "t2");
  auto again = ben.say(in_room(tap("group.checkin.good"), "circle"), "t3");
  CHECK_THAT(again.back()["text"].get<std::string>(), Catch::Contains("already checked in"));
  CHECK(room_messages(ana.drain(), "circle").empty());  // nothing of the answers in the room
  auto status = ben.say(in_room(text("/checkin"), "circle"), "b2");
  CHECK_THAT(status.back()["text"].get<std::string>(), Catch::Contains("1 good, 0 okay, 1 hard"));
  CHECK_THAT(status.back()["text"].get<std::string>(), !Catch::Contains("Ana") && !Catch::Contains("Ben"));

  // The next day's check-in starts with the last one's counts.
  set_clock(*daemon, "2026-03-11T18:00:10Z");
  auto next = of_kind(room_messages(ben.drain(), "circle"), "checkin");
  REQUIRE(next.size() == 1);
  CHECK_THAT(next[0]["text"].get<std::string>(), Catch::Contains("Last check-in: 1 good, 0 okay, 1 hard"));

  // A restart keeps the group, its admin and its check-in.
  daemon.reset();
  daemon = start_daemon(data.path(), "2026-03-11T19:00:00Z");
  Member cleo(daemon->port());
  cleo.meet("Cleo");
  cleo.join("circle");
  auto not_admin = cleo.say(in_room(text("/checkin off"), "circle"), "c1");
  CHECK_THAT(not_admin.back()["text"].get<std::string>(), Catch::Contains("Only a group admin"));
  set_clock(*daemon, "2026-03-12T18:00:10Z");
  CHECK(of_kind(room_messages(cleo.drain(), "circle"), "checkin").size() == 1);
}

TEST_CASE("a win is offered for sharing only to people in a group, shared only after they choose, without the step unless chosen",
          "[groups][integration]") {
  TempDir data;
  auto daemon = start_daemon(data.path(), "2026-03-10T12:00:00Z");
  Member ana(daemon->port()), ben(daemon->port()), cleo(daemon->port());
  ana.meet("Ana");
  ben.meet("Ben");
  cleo.meet("Cleo");  // in no group
  ana.join("circle");
  ben.join("circle");

  // Everything private Ana and Cleo write: none of it may appear in any room frame.
  const std::vector<std::string> private_words = {"Sleep better rhythm", "evening walk without phone",
                                                  "herbal tea at nine", "nobody understands me at work"};
  ana.say(text("/goal Sleep better rhythm"), "g");
  ana.say(text("/step evening walk without phone"), "s1");
  ana.say(text("/step herbal tea at nine"), "s2");
  ana.say(text("nobody understands me at work"), "talk");
  auto done = ana.say(text("/done 1"), "d1");
  CHECK_FALSE(of_kind(done, "celebration").empty());
  const json* offer = with_choice_prefix(done, "share.");
  REQUIRE(offer != nullptr);
  CHECK_FALSE(offer->contains("room"));
  CHECK_THAT((*offer)["text"].get<std::string>(), Catch::Contains("share this win with circle"));
  std::string share = choice_starting(*offer, "share.");
  std::string share_step = choice_starting(*offer, "share_step.");
  REQUIRE(!share.empty());
  REQUIRE(!share_step.empty());
  CHECK(choice_starting(*offer, "share.keep") == "share.keep");
  CHECK(room_messages(ben.drain(), "circle").empty());  // nothing before the choice

  cleo.say(text("/goal Sleep better rhythm"), "g");
  cleo.say(text("/step herbal tea at nine"), "s1");
  auto cleo_done = cleo.say(text("/done 1"), "d1");
  CHECK_FALSE(of_kind(cleo_done, "celebration").empty());
  CHECK(with_choice_prefix(cleo_done, "share") == nullptr);  // not in a group: no offer
  // Nor can Cleo share into the room by sending a share id she was never offered.
  auto not_hers = cleo.say(tap(share), "forged");
  CHECK_THAT(not_hers.back()["text"].get<std::string>(), Catch::Contains("can't be shared"));

  auto shared = ana.say(tap(share), "sh1");
  CHECK_THAT(shared.back()["text"].get<std::string>(), Catch::Contains("Shared with circle"));
  auto posted = room_messages(ben.drain(), "circle");
  REQUIRE(posted.size() == 1);
  CHECK(posted[0]["kind"] == "celebration");
  CHECK(posted[0]["text"] == "Ana completed a step 🎉");
  auto twice = ana.say(tap(share), "sh2");
  CHECK_THAT(twice.back()["text"].get<std::string>(), Catch::Contains("already shared"));
  CHECK(room_messages(ben.drain(), "circle").empty());

  // The second step is shared with its words, because Ana chose that.
  auto done2 = ana.say(text("/done 2"), "d2");
  const json* offer2 = with_choice_prefix(done2, "share_step.");
  REQUIRE(offer2 != nullptr);
  ana.say(tap(choice_starting(*offer2, "share_step.")), "sh3");
  auto posted2 = room_messages(ben.drain(), "circle");
  REQUIRE(posted2.size() == 1);
  CHECK_THAT(posted2[0]["text"].get<std::string>(), Catch::Contains("Ana completed a step 🎉") && Catch::Contains("herbal tea at nine"));

  // "Keep it to myself" posts nothing.
  ana.say(text("/step call my sister"), "s3");
  auto done3 = ana.say(text("/done 3"), "d3");
  const json* offer3 = with_choice_prefix(done3, "share.keep");
  REQUIRE(offer3 != nullptr);
  auto kept = ana.say(tap("share.keep"), "k");
  CHECK_THAT(kept.back()["text"].get<std::string>(), Catch::Contains("stays between us"));
  // A step taken back cannot be shared afterwards from the old offer.
  ana.say(text("/undo 3"), "u3");
  std::string share3 = choice_starting(*offer3, "share.");  // the offer's first button: share step 3
  REQUIRE(share3 != "share.keep");
  auto undone = ana.say(tap(share3), "sh4");
  CHECK_THAT(undone.back()["text"].get<std::string>(), Catch::Contains("can't be shared"));
  CHECK(room_messages(ben.drain(), "circle").empty());

  auto wins = ben.say(in_room(text("/wins"), "circle"), "w");
  REQUIRE(wins.size() == 1);
  CHECK_THAT(wins[0]["text"].get<std::string>(), Catch::Contains("Ana completed a step: \"herbal tea at nine\"") &&
                                                     Catch::Contains("• Ana completed a step\n"));

  // Someone in crisis in the room: a brief caring word there, the resources privately.
  auto crisis = ana.say(in_room(text("honestly I want to kill myself"), "circle"), "sos");
  auto ana_private = [&] {
    std::vector<json> out;
    for (const auto& f : crisis)
      if (!f.contains("room")) out.push_back(f);
    return out;
  }();
  REQUIRE(ana_private.size() == 1);
  CHECK(ana_private[0]["kind"] == "safety");
  CHECK(ana_private[0]["choices"].size() == 3);
  auto brief = room_messages(ben.drain(), "circle");
  REQUIRE(brief.size() == 1);
  CHECK(brief[0]["kind"] == "safety");
  CHECK_THAT(brief[0]["text"].get<std::string>(), Catch::Contains("private message"));
  // During the safety pause a completed step brings no cheer and no share offer.
  ana.say(text("/step rest"), "s4");
  auto quiet_done = ana.say(text("/done 4"), "d4");
  CHECK(with_choice_prefix(quiet_done, "share") == nullptr);

  // Over every frame Ben's connection received in the whole session, and every room frame
  // Ana's and Cleo's received: none carries anything Ana or Cleo wrote privately, nor
  // Ana's words in crisis.
  ben.drain();
  ana.drain();
  std::vector<json> room_frames = room_messages(ben.seen, "circle");
  for (const auto& f : room_messages(ana.seen, "circle")) room_frames.push_back(f);
  REQUIRE(room_frames.size() >= 5);
  for (const auto& f : room_frames) {
    std::string t = f.dump();
    for (const auto& w : private_words)
      if (w != "herbal tea at nine")  // shared by choice, in the one post checked above
        CHECK_THAT(t, !Catch::Contains(w));
    CHECK_THAT(t, !Catch::Contains("kill myself"));
  }
  for (const auto& f : ben.seen) {
    if (f.value("room", "") == "circle") continue;
    for (const auto& w : private_words) CHECK_THAT(f.dump(), !Catch::Contains(w));  // Ben's own chat: nothing of Ana's
  }
  CHECK(cleo.seen.size() > 0);
  CHECK(room_messages(cleo.seen, "circle").empty());  // not in the room: nothing of it

  // Her export lists the group and what she shared there.
  auto exported = ana.say(text("/export"), "x");
  json mine = json::parse(exported.front()["text"].get<std::string>());
  REQUIRE(mine["groups"].size() == 1);
  CHECK(mine["groups"][0]["name"] == "circle");
  CHECK(mine["groups"][0]["shared_wins"].size() == 2);

  // Ana deletes everything: her shared wins leave the group's list too.
  ana.say(text("/forget"), "f");
  ana.client.send_json({{"type", "choice"}, {"id", "forget_yes"}});
  while (ana.client.read()) {
  }
  CHECK(ana.client.close_code() == 1001);  // everything is deleted, then the chat closes
  auto after = ben.say(in_room(text("/wins"), "circle"), "w2");
  CHECK_THAT(after.back()["text"].get<std::string>(), Catch::Contains("No shared wins"));
  // And from the disk: the room's posts of her win and the /wins lists that named it were
  // rows of the group's outbox, not hers. (Cleo wrote the same step privately: her rows stay.)
  const std::string db = data.path() + "/bounceback.db";
  CHECK(count_rows(db, "SELECT COUNT(*) FROM outbox o JOIN people p ON p.id = o.person_id "
                       "WHERE p.group_state <> '' AND o.text LIKE '%herbal tea at nine%'") == 0);
  CHECK(count_rows(db, "SELECT COUNT(*) FROM outbox o JOIN people p ON p.id = o.person_id "
                       "WHERE p.group_state <> '' AND o.text LIKE '%Ana completed%'") == 0);
  CHECK(count_rows(db, "SELECT COUNT(*) FROM people WHERE group_state LIKE '%herbal tea%'") == 0);
}

TEST_CASE("room frames are checked: a bad room name, talking in a room not joined", "[groups][integration]") {
  TempDir data;
  auto daemon = start_daemon(data.path(), "2026-03-10T12:00:00Z");
  WsTestClient client(daemon->port());
  client.hello();
  read_backlog(client);
  client.send_json({{"type", "join"}, {"room", "<script>"}});
  json e1 = client.read_json();
  CHECK(e1["type"] == "error");
  CHECK(e1["code"] == "bad_request");
  CHECK_THAT(e1["message"].get<std::string>(), Catch::Contains("room"));
  client.send_json({{"type", "join"}});
  CHECK(client.read_json()["code"] == "bad_request");
  client.send_json({{"type", "text"}, {"text", "/wins"}, {"room", "elsewhere"}});
  json e2 = client.read_json();
  CHECK(e2["code"] == "bad_request");
  CHECK_THAT(e2["message"].get<std::string>(), Catch::Contains("join the room first"));
  // The connection stays usable.
  client.send_json({{"type", "join"}, {"room", "elsewhere"}});
  CHECK(client.read_json()["type"] == "joined");
  auto wins = answer(client, json{{"type", "text"}, {"text", "/wins"}, {"room", "elsewhere"}}, "w");
  CHECK_THAT(wins.back()["text"].get<std::string>(), Catch::Contains("No shared wins"));
  // After leaving, the room is closed to this connection again.
  client.send_json({{"type", "leave"}, {"room", "elsewhere"}});
  json left = client.read_json();
  CHECK(left["type"] == "left");
  CHECK(left["room"] == "elsewhere");
  client.send_json({{"type", "text"}, {"text", "/wins"}, {"room", "elsewhere"}});
  CHECK_THAT(client.read_json()["message"].get<std::string>(), Catch::Contains("join the room first"));
}
