// Group support channels, below the daemon: what a group message asks, the group coach's
// answers (admin-only settings, counted check-in answers, shared wins once), the share
// offer, and a group's state as stored.
#include <catch2/catch.hpp>

#include "bot/app/dialog_files.hpp"
#include "bot/coach/group_coach.hpp"
#include "bot/core/group_command.hpp"
#include "bot/core/group_info.hpp"

using namespace bounceback;

namespace {

core::TimePoint at(long long ms) { return core::TimePoint{std::chrono::milliseconds{ms}}; }

core::Incoming said(const std::string& text) {
  core::Incoming in;
  in.text = text;
  return in;
}

core::Incoming tapped(const std::string& id) {
  core::Incoming in;
  in.choice_id = id;
  return in;
}

struct Desk {
  dialog::DialogSet set = app::load_daemon_dialogs(BOUNCEBACK_SOURCE_DIR "/dialogs").set;
  coach::GroupCoach coach{set};
  dialog::VariantRng rng{7};
  core::Person group;
  Desk() {
    group.id = 100;
    group.display_name = "Tuesday circle";
    group.group.is_group = true;
    group.group.creator = 1;
  }
  coach::GroupCoach::Turn ask(const std::string& text, core::PersonId who = 1, bool admin = true) {
    return coach.answer(group, who, admin, coach::parse_group_request(said(text)), rng);
  }
  coach::GroupCoach::Turn answer(const std::string& how, core::PersonId who) {
    return coach.answer(group, who, false, coach::parse_group_request(tapped("group.checkin." + how)), rng);
  }
};

std::string text(const std::vector<core::Reply>& replies) { return replies.empty() ? "" : replies.back().text; }

}  // namespace

TEST_CASE("group messages are read as requests", "[groups]") {
  using Kind = coach::GroupRequest::Kind;
  auto set = coach::parse_group_request(said("/checkin 19:00 Europe/Berlin"));
  CHECK(set.kind == Kind::checkin_set);
  CHECK(set.minute == 19 * 60);
  CHECK(set.zone == "Europe/Berlin");
  CHECK(coach::parse_group_request(said("/checkin@bounceback_bot 7:30")).kind == Kind::checkin_set);
  CHECK(coach::parse_group_request(said("/checkin off")).kind == Kind::checkin_off);
  CHECK(coach::parse_group_request(said("/checkin")).kind == Kind::checkin_show);
  auto evening = coach::parse_group_request(said("/checkin 7pm"));  // the one time reader: 7pm is 19:00
  CHECK(evening.kind == Kind::checkin_set);
  CHECK(evening.minute == 19 * 60);
  for (const char* bad : {"/checkin 25:00 Europe/Berlin", "/checkin 19:00 Mars/Olympus", "/checkin 13pm", "/checkin 19:00 UTC extra"})
    CHECK(coach::parse_group_request(said(bad)).kind == Kind::checkin_invalid);
  CHECK(coach::parse_group_request(said("/wins")).kind == Kind::wins);
  CHECK(coach::parse_group_request(said("/help")).kind == Kind::help);
  CHECK(coach::parse_group_request(said("how does this work?")).kind == Kind::help);
  CHECK(coach::parse_group_request(said("")).kind == Kind::none);  // someone joined
  CHECK(coach::parse_group_request(tapped("group.checkin.hard")).answer == "hard");
  CHECK(coach::parse_group_request(tapped("group.checkin.great")).kind == Kind::none);
  CHECK(coach::parse_group_request(tapped("step.done.1")).kind == Kind::none);
}

TEST_CASE("share choices name a group and a step, or keep the win private", "[groups]") {
  auto c = coach::parse_share_choice("share.42.0.3");
  REQUIRE(c);
  CHECK(c->group == 42);
  CHECK(c->goal_index == 0);
  CHECK(c->step_number == 3);
  CHECK_FALSE(c->with_step);
  CHECK(c->key() == "0.3");
  CHECK(coach::parse_share_choice("share_step.42.1.2")->with_step);
  CHECK(coach::parse_share_choice("share.keep")->keep);
  for (const char* bad : {"share.42.0", "share.x.0.1", "share.42.0.0", "share.42.0.1.5", "shared.1.1.1", "share..0.1"})
    CHECK_FALSE(coach::parse_share_choice(bad));
}

TEST_CASE("only an admin changes the check-in, then it is shown to everyone", "[groups]") {
  Desk d;
  auto refused = d.ask("/checkin 19:00 Europe/Berlin", 2, false);
  CHECK_THAT(text(refused.to_group), Catch::Contains("Only a group admin"));
  CHECK_FALSE(refused.schedule_changed);
  CHECK(d.group.nudges.times.empty());
  auto first_without_zone = d.ask("/checkin 19:00");
  CHECK_THAT(text(first_without_zone.to_group), Catch::Contains("the time zone"));
  CHECK_FALSE(first_without_zone.schedule_changed);
  auto set = d.ask("/checkin 19:00 Europe/Berlin");
  CHECK(set.schedule_changed);
  CHECK(d.group.nudges.times == std::vector<std::uint16_t>{19 * 60});
  CHECK(d.group.timezone == "Europe/Berlin");
  CHECK_THAT(text(set.to_group), Catch::Contains("19:00 (Europe/Berlin)"));
  auto moved = d.ask("/checkin 08:15");  // the zone stays
  CHECK(d.group.nudges.times == std::vector<std::uint16_t>{8 * 60 + 15});
  CHECK(d.group.timezone == "Europe/Berlin");
  CHECK_THAT(text(d.ask("/checkin", 3, false).to_group), Catch::Contains("08:15 (Europe/Berlin)"));
  auto off = d.ask("/checkin off");
  CHECK(off.schedule_changed);
  CHECK(d.group.nudges.times.empty());
}

TEST_CASE("check-in answers are counted once per person, without names, and restart with each check-in", "[groups]") {
  Desk d;
  CHECK(d.answer("good", 1).to_sender.empty());  // no check-in posted yet: nothing to count
  CHECK(d.group.group.good == 0);
  auto posted = d.coach.checkin(d.group, at(1000), d.rng);
  REQUIRE(posted);
  CHECK(posted->kind == core::MessageKind::checkin);
  REQUIRE(posted->choices.size() == 3);
  CHECK(posted->choices[0].id == "group.checkin.good");
  CHECK_THAT(text(d.answer("good", 1).to_sender), Catch::Contains("counted"));
  d.answer("hard", 2);
  CHECK_THAT(text(d.answer("ok", 2).to_sender), Catch::Contains("already"));
  CHECK(d.group.group.good == 1);
  CHECK(d.group.group.ok == 0);
  CHECK(d.group.group.hard == 1);
  auto next = d.coach.checkin(d.group, at(2000), d.rng);
  REQUIRE(next);
  CHECK_THAT(next->text, Catch::StartsWith("Last check-in: 1 good, 0 okay, 1 hard"));
  CHECK(d.group.group.good + d.group.group.ok + d.group.group.hard == 0);
  CHECK(d.group.group.answered.empty());
  // The stored form keeps counts and who answered, never an answer next to a person.
  d.answer("hard", 2);
  auto stored = d.group.group.to_json();
  CHECK_THAT(stored, Catch::Contains("\"answered\":[2]") && Catch::Contains("\"hard\":1"));
}

TEST_CASE("a win is shared once, with the step only when chosen, then /wins lists the latest", "[groups]") {
  Desk d;
  CHECK_THAT(text(d.ask("/wins").to_group), Catch::Contains("No shared wins"));
  auto plain = d.coach.share(d.group, 5, "Ana", "", "0.1", at(1), d.rng);
  REQUIRE(plain.to_group.size() == 1);
  CHECK(plain.to_group[0].text == "Ana completed a step 🎉");
  CHECK(plain.to_group[0].kind == core::MessageKind::celebration);
  CHECK_THAT(text(plain.to_sender), Catch::Contains("Shared with Tuesday circle"));
  auto again = d.coach.share(d.group, 5, "Ana", "", "0.1", at(2), d.rng);
  CHECK(again.to_group.empty());
  CHECK_THAT(text(again.to_sender), Catch::Contains("already shared"));
  auto with_step = d.coach.share(d.group, 5, "Ana", "call my sister", "0.2", at(3), d.rng);
  CHECK_THAT(text(with_step.to_group), Catch::Contains("call my sister"));
  auto wins = text(d.ask("/wins", 9, false).to_group);
  CHECK_THAT(wins, Catch::Contains("• Ana completed a step: \"call my sister\"\n• Ana completed a step\n"));
  for (int i = 0; i < 30; ++i) d.coach.share(d.group, 6, "Ben", "", "0." + std::to_string(i + 1), at(10 + i), d.rng);
  CHECK(d.group.group.wins.size() == core::GroupInfo::kMaxWins);
}

TEST_CASE("the share offer names the group, or each of several", "[groups]") {
  Desk d;
  CHECK_FALSE(d.coach.share_offer({}, 0, 1, d.rng));
  auto one = d.coach.share_offer({&d.group}, 2, 4, d.rng);
  REQUIRE(one);
  CHECK_THAT(one->text, Catch::Contains("share this win with Tuesday circle"));
  std::vector<std::string> ids;
  for (const auto& c : one->choices) ids.push_back(c.id);
  CHECK(ids == std::vector<std::string>{"share.100.2.4", "share_step.100.2.4", "share.keep"});
  core::Person other = d.group;
  other.id = 101;
  other.display_name = "Parents group";
  auto two = d.coach.share_offer({&d.group, &other}, 0, 1, d.rng);
  REQUIRE(two);
  REQUIRE(two->choices.size() == 5);
  CHECK(two->choices[2].label == "Share in Parents group");
  CHECK(two->choices[3].label == "Parents group, with the step");
}

TEST_CASE("a group's state survives its stored form, then forgetting a person takes their wins and answer", "[groups]") {
  core::GroupInfo g;
  CHECK(g.to_json().empty());  // a person: nothing stored
  CHECK_FALSE(core::GroupInfo::from_json("").is_group);
  CHECK_FALSE(core::GroupInfo::from_json("not json").is_group);
  g.is_group = true;
  g.creator = 3;
  g.checkin_posted = at(5000);
  g.good = 2;
  g.answered = {3, 4};
  g.add_win({3, "Ana", "", at(10), "0.1"});
  g.add_win({4, "Ben", "a walk", at(11), "1.1"});
  auto back = core::GroupInfo::from_json(g.to_json());
  CHECK(back == g);
  back.forget_person(3);
  CHECK(back.creator == 0);
  CHECK(back.answered == std::vector<core::PersonId>{4});
  REQUIRE(back.wins.size() == 1);
  CHECK(back.wins[0].name == "Ben");
  CHECK(back.good == 2);  // counts carry no names
}

TEST_CASE("connectors know which group messages need an admin check", "[groups]") {
  for (const char* yes : {"/checkin 19:00 Europe/Berlin", "/checkin off", "  /checkin@bounceback_bot 7:30", "/checkin\t08:00"})
    CHECK(core::changes_group_settings(yes));
  for (const char* no : {"/checkin", "/checkin   ", "/checkin@bounceback_bot", "/checkins 19:00", "/wins", "checkin 19:00", ""})
    CHECK_FALSE(core::changes_group_settings(no));
}
