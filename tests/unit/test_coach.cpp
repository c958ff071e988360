#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "bot/app/dialog_files.hpp"
#include "bot/coach/coach.hpp"
#include "bot/coach/goal_actions.hpp"
#include "bot/coach/goal_book.hpp"

using namespace bounceback;

namespace {

struct Conversation {
  std::shared_ptr<const dialog::DialogSet> set =
      std::make_shared<const dialog::DialogSet>(app::load_daemon_dialogs(BOUNCEBACK_SOURCE_DIR "/dialogs").set);
  coach::Coach coach{set};
  core::Person person;
  dialog::DialogState state;
  dialog::DialogContext context = {{"name", "friend"}, {"timezone", "UTC"}, {"help_directory", "• a doctor"},
                                   {"steps_total", "0"}, {"steps_done", "0"},  {"goal", "your goal"}};

  Conversation() { person.id = 1; }

  coach::CoachTurn say(const std::string& text) {
    core::Incoming in;
    in.text = text;
    return coach.answer(person, state, in, context);
  }
  coach::CoachTurn tap(const std::string& id) {
    core::Incoming in;
    in.choice_id = id;
    return coach.answer(person, state, in, context);
  }
  static std::string last(const coach::CoachTurn& t) { return t.replies.empty() ? "" : t.replies.back().text; }
  static std::vector<std::string> choice_ids(const coach::CoachTurn& t) {
    std::vector<std::string> ids;
    if (!t.replies.empty())
      for (const auto& c : t.replies.back().choices) ids.push_back(c.id);
    return ids;
  }
};

}  // namespace

TEST_CASE("a new person starts with onboarding and its disclaimer", "[coach]") {
  Conversation c;
  auto t = c.coach.first_contact(c.person, c.state, c.context);
  CHECK_THAT(c.last(t), Catch::Contains("not a therapist or a crisis service"));
  CHECK(c.choice_ids(t) == std::vector<std::string>{"agree", "more", "not_now"});
  CHECK(c.state.tree == "onboarding");
}

TEST_CASE("menu works from any node, even before onboarding is finished", "[coach]") {
  Conversation c;
  c.coach.first_contact(c.person, c.state, c.context);
  auto t = c.say("menu");
  CHECK(c.choice_ids(t) == std::vector<std::string>{"accept", "self_care", "coping", "one_step", "get_help", "goals",
                                                    "progress", "about", "settings"});
  CHECK(c.state.tree == "menu");
  CHECK(c.say("/menu").replies.back().choices.size() == 9);
}

TEST_CASE("/start resumes an unfinished onboarding where it was", "[coach]") {
  Conversation c;
  c.coach.first_contact(c.person, c.state, c.context);
  c.tap("agree");
  CHECK(c.state.node == "ask_name");
  c.say("menu");
  CHECK(c.state.tree == "menu");
  auto back = c.say("/start");
  CHECK(c.state.tree == "onboarding");
  // From the menu, onboarding starts over; from inside it, /start asks the same question again.
  c.tap("agree");
  auto again = c.say("/start");
  CHECK(c.last(again) == "What would you like me to call you?");
  CHECK(c.state.node == "ask_name");
  (void)back;
}

TEST_CASE("help answers, then returns to the open question: not asked again, its choices on the answer", "[coach]") {
  Conversation c;
  c.coach.first_contact(c.person, c.state, c.context);
  auto t = c.say("help");
  REQUIRE_FALSE(t.replies.empty());
  CHECK_THAT(t.replies.front().text, Catch::Contains("not a therapist"));
  for (const auto& r : t.replies) CHECK_THAT(r.text, !Catch::Contains("Is that okay with you?"));
  REQUIRE(t.replies.back().choices.size() == 3);
  CHECK(t.replies.back().choices[0].id == "agree");
  CHECK(c.state.node == "what_it_is_not");
  CHECK(c.state.waiting);
  auto on = c.tap("agree");  // the question is still the open one
  CHECK_THAT(c.last(on), Catch::Contains("call you"));
}

TEST_CASE("stop ends the conversation, then free text afterwards gets a way back in", "[coach]") {
  Conversation c;
  c.coach.first_contact(c.person, c.state, c.context);
  c.state.onboarded = true;
  auto stopped = c.say("stop");
  CHECK_THAT(c.last(stopped), Catch::Contains("stop here"));
  CHECK(c.state.idle());
  // Words typed outside a conversation are read at the menu: a greeting, and the menu.
  auto idle = c.say("hello again");
  CHECK(c.choice_ids(idle) ==
        std::vector<std::string>{"accept", "self_care", "coping", "one_step", "get_help", "goals", "progress", "about", "settings"});
  CHECK(c.state.waiting);
}

TEST_CASE("commands: /tz sets the zone, /nudge asks for a time, unknown ones are named", "[coach]") {
  Conversation c;
  c.coach.first_contact(c.person, c.state, c.context);
  auto tz = c.say("/tz europe/berlin");
  REQUIRE_FALSE(tz.actions.empty());
  CHECK(tz.actions.front() == dialog::DialogAction{"set_preference", {{"key", "timezone"}, {"value", "Europe/Berlin"}}});
  CHECK_THAT(tz.replies.front().text, Catch::Contains("Europe/Berlin"));
  CHECK(c.state.node == "what_it_is_not");  // and back to the question

  CHECK_THAT(c.say("/tz Atlantis").replies.front().text, Catch::Contains("don't know that time zone"));
  // An offset is stored as the tz database writes it, and shown as it was meant.
  auto offset = c.say("/tz GMT+1");
  REQUIRE_FALSE(offset.actions.empty());
  CHECK(offset.actions.front() == dialog::DialogAction{"set_preference", {{"key", "timezone"}, {"value", "Etc/GMT-1"}}});
  CHECK_THAT(offset.replies.front().text, Catch::Contains("UTC+1") && !Catch::Contains("Etc/GMT"));
  auto nudge = c.say("/nudge 8:00");
  REQUIRE_FALSE(nudge.actions.empty());
  CHECK(nudge.actions.front() == dialog::DialogAction{"add_nudge_time", {{"time", "08:00"}}});
  auto off = c.say("/nudge off 08:00");
  REQUIRE_FALSE(off.actions.empty());
  CHECK(off.actions.front() == dialog::DialogAction{"remove_nudge_time", {{"time", "08:00"}}});
  CHECK(c.say("/nudge 25:00").actions.empty());  // not a time: the list and how to add one
  auto snooze = c.say("/snooze 2h");
  REQUIRE_FALSE(snooze.actions.empty());
  CHECK(snooze.actions.front() == dialog::DialogAction{"snooze", {{"for", "2h"}}});
  CHECK_THAT(c.say("/dance").replies.front().text, Catch::Contains("don't know that command"));
  CHECK(c.state.node == "what_it_is_not");
}

TEST_CASE("a person whose node vanished in a reload is taken to the menu", "[coach]") {
  Conversation c;
  c.state.tree = "accept";
  c.state.node = "a_node_that_was_removed";
  c.state.waiting = true;
  auto t = c.say("anything");
  CHECK_THAT(t.replies.front().text, Catch::Contains("updated my conversations"));
  CHECK(c.state.tree == "menu");
}

TEST_CASE("harmful coping leads to a qualified professional at once", "[coach][coping]") {
  Conversation c;
  c.state.onboarded = true;
  c.say("menu");
  c.tap("coping");
  for (const char* harmful : {"substances", "self_harm", "condition"}) {
    c.say("menu");
    c.tap("coping");
    auto t = c.tap(harmful);
    INFO(harmful);
    CHECK_THAT(c.last(t), Catch::Contains("qualified professional"));
    CHECK(c.choice_ids(t) == std::vector<std::string>{"yes", "danger", "not_now"});
  }
  // "I'm not safe right now": the dialog asks for the safety desk's own crisis reply (the
  // core adds it with the person's resources and the pause: test_core).
  auto crisis = c.tap("danger");
  CHECK(crisis.replies.empty());
  CHECK(std::any_of(crisis.actions.begin(), crisis.actions.end(), [](const auto& a) { return a.name == "crisis_reply"; }));
}

TEST_CASE("goal commands change the goal book as the dialog goes, and celebrate by occasion", "[coach][goals]") {
  Conversation c;
  c.state.onboarded = true;
  coach::GoalBook book;
  auto now = core::TimePoint{std::chrono::hours(24 * 20000)};
  auto run = [&](const std::string& text, bool paused = false) {
    coach::GoalActions::describe(book, c.context, now, "UTC");
    dialog::VariantRng rng(1);
    coach::GoalActions goals(book, c.context, c.state, *c.set, rng, now, "UTC", paused);
    core::Incoming in;
    in.text = text;
    return c.coach.answer(c.person, c.state, in, c.context, &goals);
  };
  CHECK_THAT(run("/goal Run 5k").replies.front().text, Catch::Contains("Your goal: \"Run 5k\""));
  CHECK_THAT(run("/step buy shoes").replies.front().text, Catch::Contains("Step 1 added to \"Run 5k\""));
  run("/step run 1k");
  run("/step run 2k");
  run("/step run 5k");
  auto list = run("/steps");
  CHECK_THAT(list.replies.front().text, Catch::Contains("1. buy shoes\n2. run 1k"));
  CHECK(list.replies.front().choices.size() == 4);
  CHECK(list.replies.front().choices[0].id == "step.done.1");

  auto first = run("/done 1");
  CHECK(first.replies.front().kind == core::MessageKind::celebration);
  CHECK_THAT(first.replies.front().text, Catch::Contains("▓░░░░ 1/4"));
  auto calm = run("/done 2", /*paused=*/true);
  CHECK(calm.replies.front().kind == core::MessageKind::reply);
  CHECK(calm.replies.front().text == "Noted: step 2 is done. Go gently.");
  CHECK(book.current()->done() == 2);  // recorded all the same
  CHECK_THAT(run("/done 2").replies.front().text, Catch::Contains("already done"));
  CHECK_THAT(run("/undo 2").replies.front().text, Catch::Contains("step 2 is open again"));
  CHECK_THAT(run("/done 9").replies.front().text, Catch::Contains("can't find step 9"));
  CHECK_THAT(run("/done soon").replies.front().text, Catch::Contains("can't find step soon"));
  auto halfway = run("/done 2");  // either variant of the halfway celebration, with its bar
  CHECK_THAT(halfway.replies.front().text, Catch::Contains("Halfway there!") || Catch::Contains("Half of \"Run 5k\" is done."));
  CHECK_THAT(halfway.replies.front().text, Catch::Contains("▓▓▓░░ 2/4"));
  run("/done 3");
  auto complete = run("/done 4");
  CHECK_THAT(complete.replies.front().text, Catch::Contains("complete"));  // either variant
  CHECK_THAT(complete.replies.front().text, Catch::Contains("/goal"));  // the offer of a next goal
}

TEST_CASE("discouragement brings out how far the person has come", "[coach][goals]") {
  Conversation c;
  c.state.onboarded = true;
  coach::Coach coach(c.set, {"I give up", "what's the point"});
  coach::GoalBook book;
  auto now = core::TimePoint{std::chrono::hours(24 * 20000)};
  book.start_goal("Tidy the flat", now - std::chrono::hours(48));
  book.add_step("the desk", now - std::chrono::hours(48));
  book.add_step("the kitchen", now - std::chrono::hours(48));
  book.complete_step(1, now - std::chrono::hours(30), "UTC");
  coach::GoalActions::describe(book, c.context, now, "UTC");
  core::Incoming in;
  in.text = "honestly, I give up.";
  auto t = coach.answer(c.person, c.state, in, c.context);
  REQUIRE(t.replies.size() == 1);  // one message: how far they have come, and the next step
  CHECK_THAT(t.replies[0].text, Catch::Contains("1 step since"));
  CHECK_THAT(t.replies[0].text, Catch::Contains("the desk"));
  CHECK_THAT(t.replies[0].text, Catch::Contains("\"the kitchen\""));
  in.text = "What’s the point";  // typographic apostrophe: recognised too
  auto again = coach.answer(c.person, c.state, in, c.context);
  REQUIRE_FALSE(again.replies.empty());
  CHECK_THAT(again.replies.front().text, Catch::Contains("the desk"));  // how far they have come, again
  CHECK(again.replies.front().text != t.replies[0].text);  // but not in the same words twice in a row
}

TEST_CASE("nudges carry their buttons, worded in nudges.yaml", "[coach][nudges]") {
  auto loaded = app::load_daemon_dialogs(BOUNCEBACK_SOURCE_DIR "/dialogs").set;
  for (auto& c : loaded.trees.at("nudges").nodes.at("buttons").choices)
    if (c.id == "not_today") c.label = "Maybe tomorrow";  // a coach's own words
  coach::Coach coach{std::make_shared<const dialog::DialogSet>(std::move(loaded))};
  core::Person person;
  person.id = 3;
  dialog::DialogState state;
  dialog::DialogContext context = {{"name", "Mira"}, {"evening", ""}, {"next_step_number", "2"}, {"next_step", "call Sam"},
                                   {"goal", "Reach out"}, {"progress_bar", ""}, {"steps_done", "1"}, {"steps_total", "2"}};
  auto checkin = coach.scheduled(person, state, context, coach::Coach::ScheduledKind::checkin, false);
  REQUIRE(checkin.replies.size() == 1);
  CHECK(checkin.replies[0].kind == core::MessageKind::checkin);
  std::vector<std::pair<std::string, std::string>> buttons;
  for (const auto& c : checkin.replies[0].choices) buttons.emplace_back(c.id, c.label);
  CHECK(buttons == std::vector<std::pair<std::string, std::string>>{{"checkin.done", "Done ✓"},
                                                                    {"checkin.not_today", "Maybe tomorrow"},
                                                                    {"snooze.1h", "In 1 hour"},
                                                                    {"snooze.tonight", "Tonight"},
                                                                    {"snooze.tomorrow", "Tomorrow"}});
  auto nudge = coach.scheduled(person, state, context, coach::Coach::ScheduledKind::step_nudge, true);
  REQUIRE(nudge.replies.size() == 1);
  CHECK(nudge.replies[0].kind == core::MessageKind::nudge);
  CHECK_THAT(nudge.replies[0].text, Catch::Contains("half as often"));  // said once, with this nudge
  CHECK(nudge.replies[0].choices.front().id == "step.done.2");
  context["evening"] = "1";  // after 19:00 "tonight" is not offered
  auto late = coach.scheduled(person, state, context, coach::Coach::ScheduledKind::step_nudge, false);
  for (const auto& c : late.replies[0].choices) CHECK(c.id != "snooze.tonight");
}

TEST_CASE("the check-in fits the time of day: a plan in the morning, a look back in the evening", "[coach][nudges]") {
  auto loaded = app::load_daemon_dialogs(BOUNCEBACK_SOURCE_DIR "/dialogs").set;
  coach::Coach coach{std::make_shared<const dialog::DialogSet>(std::move(loaded))};
  core::Person person;
  person.id = 4;
  dialog::DialogState state;
  auto said = [&](const char* morning, const char* evening) {
    dialog::DialogContext context = {{"name", "Mira"}, {"morning", morning}, {"evening", evening}};
    auto t = coach.scheduled(person, state, context, coach::Coach::ScheduledKind::checkin, false);
    REQUIRE(t.replies.size() == 1);
    CHECK(t.replies[0].kind == core::MessageKind::checkin);
    CHECK(t.replies[0].choices.front().id == "checkin.done");
    return t.replies[0].text;
  };
  for (int i = 0; i < 3; ++i) {  // every variant: none asks in the morning how the day went
    std::string morning = said("1", "");
    INFO(morning);
    CHECK((morning.find("Good morning") != std::string::npos || morning.find("Morning check-in") != std::string::npos ||
           morning.find("a new day") != std::string::npos));
    std::string evening = said("", "1");
    INFO(evening);
    CHECK((evening.find("Evening check-in") != std::string::npos || evening.find("how did today go") != std::string::npos ||
           evening.find("Before the day ends") != std::string::npos));
  }
  CHECK_THAT(said("", ""), Catch::Contains("today"));
  CHECK(state.node.empty());  // the person was not moved by it
}

TEST_CASE("encouragement after quiet days varies, and never cites a finished goal as open", "[coach][nudges]") {
  Conversation c;
  c.state.onboarded = true;
  auto encouragements = [&](int times) {
    std::set<std::string> texts;
    for (int i = 0; i < times; ++i) {
      ++c.state.turns;  // the variant choice is seeded from the person and their turn
      auto t = c.coach.scheduled(c.person, c.state, c.context, coach::Coach::ScheduledKind::encouragement, false);
      REQUIRE(t.replies.size() == 1);
      texts.insert(t.replies[0].text);
    }
    return texts;
  };
  c.context["goal"] = "Run 5k";
  c.context["steps_done"] = "4";
  c.context["steps_total"] = "4";
  c.context["steps_open"] = "0";
  for (const auto& text : encouragements(12)) {
    INFO(text);
    CHECK_THAT(text, !Catch::Contains("of 4 steps") && !Catch::Contains("is moving"));
  }
  c.context["steps_total"] = "5";
  c.context["steps_open"] = "1";
  auto open = encouragements(12);
  CHECK(std::any_of(open.begin(), open.end(), [](const std::string& t) { return t.find("4 of 5 steps") != std::string::npos ||
                                                                                t.find("4 steps done") != std::string::npos; }));
  c.context["steps_done"] = "0";
  c.context["steps_open"] = "5";
  auto plain = encouragements(12);
  CHECK(plain.size() >= 3);  // never the same few words day after day
  for (const auto& text : plain) CHECK_THAT(text, !Catch::Contains("0 of 5"));  // nothing to count yet
  // Eight wordings at least for each case: a quiet person hears them day after day.
  for (const char* node : {"encourage_plain", "encourage_progress", "encourage_finished"}) {
    INFO(node);
    CHECK(c.set->trees.at("nudges").nodes.at(node).texts.size() >= 8);
  }
}

TEST_CASE("a person who left onboarding for the menu after giving a name is not taken back to its start", "[coach]") {
  Conversation c;
  c.coach.first_contact(c.person, c.state, c.context);
  c.tap("agree");
  c.say("Mira");
  c.say("menu");  // before the time zone and check-in questions
  c.say("thanks");  // the conversation ends: nothing is open now
  CHECK_FALSE(c.state.onboarded);
  CHECK_FALSE(c.state.waiting);
  auto t = c.say("I feel sad");
  for (const auto& r : t.replies) CHECK_THAT(r.text, !Catch::Contains("I'm bounceback"));
  CHECK(c.choice_ids(t).size() == 4);  // the answer to sadness

  // Someone who never said who they are still begins at the beginning.
  Conversation fresh;
  fresh.coach.first_contact(fresh.person, fresh.state, fresh.context);
  fresh.say("menu");
  fresh.say("thanks");
  auto again = fresh.say("I feel sad");
  REQUIRE_FALSE(again.replies.empty());
  CHECK_THAT(again.replies.front().text, Catch::Contains("I'm bounceback"));
}

TEST_CASE("a check-in done asks how the person feels, and a tap keeps it as a mood", "[coach][mood]") {
  Conversation c;
  c.coach.first_contact(c.person, c.state, c.context);
  c.state.onboarded = true;
  auto done = c.tap("checkin.done");
  CHECK(c.choice_ids(done) == std::vector<std::string>{"awful", "low", "okay", "good", "great"});
  CHECK_THAT(c.last(done), Catch::Contains("feeling"));
  auto kept = c.tap("good");
  bool recorded = std::any_of(kept.actions.begin(), kept.actions.end(), [](const dialog::DialogAction& a) {
    return a.name == "record_mood" && a.args.at("score") == "4";
  });
  CHECK(recorded);
}
