#include "bot/engine/conversation.hpp"

#include <algorithm>

#include "bot/coach/goal_book.hpp"
#include "bot/coach/nudge_actions.hpp"
#include "bot/core/clock.hpp"
#include "bot/core/text_parts.hpp"
#include "bot/dialog/interpreter.hpp"
#include "bot/engine/person_cache.hpp"
#include "bot/engine/schedule.hpp"
#include "bot/engine/unit_of_work.hpp"
#include "bot/store/transaction.hpp"

namespace bounceback::engine {

Conversation::Conversation(PersonCache& cache, UnitOfWork& work, Schedule& schedule, coach::Coach& coach,
                           const core::Clock& clock, Settings settings)
    : cache_(cache), work_(work), schedule_(schedule), coach_(coach), clock_(clock), settings_(std::move(settings)) {}

bool Conversation::paused(const core::Person& person) const { return person.safety_pause_until > clock_.now(); }

bool Conversation::exported_lately(const core::Person& person) const {
  const auto& last = cache_.record(person).last_export;
  return last && clock_.now() - *last < kExportInterval;
}

// What templates and conditions may read about this person (dialog::builtin_variables()).
dialog::DialogContext Conversation::context_for(const core::Person& person, const dialog::DialogState& state) const {
  auto var = [&](const char* name, const char* fallback) {
    auto it = state.vars.find(name);
    return it == state.vars.end() || it->second.empty() ? std::string(fallback) : it->second;
  };
  return {
      {"name", person.display_name.empty() ? "friend" : person.display_name},
      {"timezone", person.timezone.empty() ? settings_.default_timezone : person.timezone},
      {"help_directory", settings_.help_directory},
      {"onboarded", state.onboarded ? "1" : ""},
      {"safety_pause", paused(person) ? "1" : ""},
      {"nudge_time", var("nudge_time", "")},
      {"export_wait", exported_lately(person) ? "1" : ""},
  };
}

// The preferences the dialogs asked for, after the turn. Goal and nudge actions were
// applied as the dialog reached them (GoalActions, NudgeActions).
void Conversation::apply_preferences(core::Person& person, const std::vector<dialog::DialogAction>& actions) {
  for (const auto& a : actions) {
    if (a.name != "set_preference") continue;
    const std::string& key = a.args.at("key");
    const std::string& value = a.args.at("value");
    if (key == "name") person.display_name = core::shorten(value, 100);
    else if (key == "timezone" && dialog::validate_answer("timezone", value)) person.timezone = *dialog::validate_answer("timezone", value);
  }
}

coach::CoachTurn Conversation::decide(core::Person& person, store::Transaction& tx, const Decide& decide) {
  dialog::DialogState& state = cache_.state(person);
  coach::GoalBook& book = cache_.book(person);
  dialog::DialogContext context = context_for(person, state);
  auto now = clock_.now();
  std::string zone = context["timezone"];
  coach::GoalActions::describe(book, context, now, zone);
  coach::NudgeActions::describe(person, context, now, settings_.nudge_rules);
  context.add_source("strategies", [this, &state](std::string_view key) -> std::optional<std::string> {
    if (key != "strategies_used") return std::nullopt;
    return coach_.strategies_used(state);  // worked out only when /progress reads it
  });
  if (describe_) describe_(person, state, context);
  dialog::VariantRng rng(static_cast<std::uint64_t>(person.id) << 32 ^ state.turns);
  coach::GoalActions goals(book, context, state, coach_.dialogs(), rng, now, zone, paused(person));
  coach::NudgeActions nudges(person, book, context, now, settings_.nudge_rules, &goals);
  const std::string zone_before = person.timezone;
  const auto times_before = person.nudges.times;
  const bool weekly_before = person.nudges.weekly;
  const auto remind_before = person.nudges.remind_at;
  coach::CoachTurn turn = decide(state, context, &nudges);
  if (crisis_ && std::any_of(turn.actions.begin(), turn.actions.end(), [](const auto& a) { return a.name == "crisis_reply"; }))
    crisis_(person, state, turn);
  cache_.book_record(person).write(person.id, tx);
  if (goals.completed() && !paused(person) && step_done_) step_done_(person, *goals.completed(), rng, turn);
  apply_preferences(person, turn.actions);
  if (person.timezone != zone_before || person.nudges.times != times_before || person.nudges.weekly != weekly_before) {
    schedule_.replan(person, tx);  // a new zone, new times, the weekly look back: every item again
  } else if (person.nudges.remind_at != remind_before && person.nudges.remind_at > now) {
    schedule_.add({person.nudges.remind_at, person.id, person.nudges.epoch, 0, core::DueKind::remind}, tx);
  }
  if (paused(person))  // no cheerful message right after a crisis
    for (auto& r : turn.replies)
      if (r.kind == core::MessageKind::celebration) r.kind = core::MessageKind::reply;
  person.dialog_state = state.to_json();
  tx.people.push_back(person);
  return turn;
}

void Conversation::answer(core::Person& person, const std::string& correlation_id, store::Transaction& tx,
                          const Decide& decide_turn) {
  auto turn = decide(person, tx, decide_turn);
  work_.address(person, turn.replies, correlation_id, tx.outbox);
}

}  // namespace bounceback::engine
