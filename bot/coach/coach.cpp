#include "bot/coach/coach.hpp"

#include <random>
#include <set>
#include <sstream>

#include "bot/coach/chat_command.hpp"
#include "bot/core/text_parts.hpp"

namespace bounceback::coach {

using dialog::DialogState;

namespace {

// The trees and common.yaml nodes the coach starts by name.
const std::vector<std::pair<std::string, std::string>>& entry_points() {
  static const std::vector<std::pair<std::string, std::string>> points = {
      {"onboarding", ""},      {"menu", ""},          {"help", ""},         {"common", "idle"},
      {"mood", ""},            {"mood", "save_typed"},  {"common", "welcome_back"},  {"journal", "list"}, {"journal", "write"}, {"progress", ""},
      {"progress", "weekly"}, {"nudges", "weekly_on"}, {"nudges", "weekly_off"}, {"nudges", "weekly_how"},
      {"common", "stopped"},   {"common", "unknown_command"}, {"common", "moved"},
      {"common", "tz_set"},    {"common", "tz_invalid"}, {"common", "country_set"}, {"common", "country_invalid"},
      {"coping", "risk"},
      {"common", "forget_confirm"}, {"common", "exported"}, {"common", "export_wait"}, {"goals", "start_goal"}, {"goals", "add_step"},
      {"goals", "list"}, {"goals", "done"}, {"goals", "undo"}, {"goals", "encourage"}, {"celebrations", "step"},
      {"nudges", "list"}, {"nudges", "step"}, {"nudges", "checkin"}, {"nudges", "encouragement"},
      {"nudges", "half_rate"}, {"nudges", "add_time"}, {"nudges", "remove_time"}, {"nudges", "set_quiet"},
      {"nudges", "snooze"}, {"nudges", "remind"}, {"nudges", "pause"}, {"nudges", "resume"},
      {"nudges", "checkin_done"}, {"nudges", "checkin_not_today"},
      // group support channels (GroupCoach)
      {"groups", "help"}, {"groups", "checkin"}, {"groups", "tally"}, {"groups", "checkin_set"},
      {"groups", "checkin_off"}, {"groups", "checkin_show"}, {"groups", "checkin_none"}, {"groups", "checkin_invalid"},
      {"groups", "admin_only"}, {"groups", "counted"}, {"groups", "counted_already"}, {"groups", "wins_list"},
      {"groups", "wins_none"}, {"groups", "win"}, {"groups", "win_with_step"}, {"groups", "share_offer"},
      {"groups", "share_offer_many"}, {"groups", "shared"}, {"groups", "share_kept"}, {"groups", "share_again"},
      {"groups", "share_gone"}};
  return points;
}

// Variants are chosen at random, reproducibly: the same person and turn, the same words.
// (A mixed 32-bit seed: std::seed_seq was a visible share of the per-message cost.)
dialog::VariantRng seeded(const core::Person& person, const DialogState& state) {
  std::uint64_t x = static_cast<std::uint64_t>(person.id) * 0x9E3779B97F4A7C15ull ^ (state.turns + 0x632BE59BD9B4E019ull);
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  return dialog::VariantRng(x ^ (x >> 29));
}

// One message per answer: what the dialog says in a row ("Nice to meet you, Sam." and the
// next question) goes out as one message, its paragraphs apart, with the buttons of the
// last. A celebration, a safety message or an export stays a message of its own.
std::vector<core::Reply> one_message_per_answer(std::vector<core::Reply> replies) {
  std::vector<core::Reply> out;
  for (auto& r : replies) {
    bool joins = !out.empty() && out.back().kind == core::MessageKind::reply && r.kind == core::MessageKind::reply &&
                 out.back().choices.empty() && out.back().about.empty() && r.about.empty();
    if (!joins) {
      out.push_back(std::move(r));
      continue;
    }
    if (!r.text.empty()) out.back().text += (out.back().text.empty() ? "" : "\n\n") + r.text;
    out.back().choices = std::move(r.choices);
  }
  return out;
}

CoachTurn turn(dialog::DialogOutput out) { return {one_message_per_answer(std::move(out.replies)), std::move(out.actions)}; }

}  // namespace

namespace {
// Lower case, letters, digits and single spaces only, padded with spaces: " i give up ".
std::string plain(std::string text) {
  for (auto pos = text.find("\xe2\x80\x99"); pos != std::string::npos; pos = text.find("\xe2\x80\x99"))
    text.replace(pos, 3, "'");  // ’ as '
  std::string out = " ";
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) out += static_cast<char>(std::tolower(u));
    else if (c == '\'') continue;  // "can't" -> "cant"
    else if (out.back() != ' ') out += ' ';
  }
  if (out.back() != ' ') out += ' ';
  return out;
}
}  // namespace

Coach::Coach(std::shared_ptr<const dialog::DialogSet> dialogs, std::vector<std::string> discouragement)
    : dialogs_(std::move(dialogs)) {
  for (const auto& d : discouragement) discouragement_.push_back(plain(d));
}

bool Coach::discouraged(const std::string& text, const DialogState& state) const {
  std::string t = plain(text);
  const dialog::Node* open = dialogs_->node({state.tree, state.node});
  bool answering_in_words = state.waiting && open && !open->capture.empty();
  for (const auto& phrase : discouragement_)
    // A written answer that merely contains the words is still an answer.
    if (t.find(phrase) != std::string::npos && (!answering_in_words || t.size() <= phrase.size() + 12)) return true;
  return false;
}

void Coach::replace_dialogs(std::shared_ptr<const dialog::DialogSet> dialogs) { dialogs_ = std::move(dialogs); }

std::vector<dialog::Diagnostic> Coach::missing_entry_points(const dialog::DialogSet& set) {
  std::vector<dialog::Diagnostic> out;
  for (const auto& [tree, node] : entry_points()) {
    const dialog::DialogTree* t = set.tree(tree);
    if (!t) {
      out.push_back({{tree + ".yaml", 1, 1}, "bounceback needs a dialog '" + tree + "' (" + tree + ".yaml)"});
    } else if (!node.empty() && !t->node(node)) {
      out.push_back({{t->file, 1, 1}, "bounceback needs a node '" + node + "' in " + tree +
                                          ".yaml (list it under entries:)"});
    }
  }
  return out;
}

CoachTurn Coach::first_contact(const core::Person& person, DialogState& state, const dialog::DialogContext& context,
                               dialog::ActionHandler* domain) const {
  auto rng = seeded(person, state);
  return turn(dialog::Interpreter(*dialogs_, domain).start(state, "onboarding", context, rng));
}

CoachTurn Coach::answer(const core::Person& person, DialogState& state, const core::Incoming& message,
                        const dialog::DialogContext& context, dialog::ActionHandler* domain) const {
  auto rng = seeded(person, state);
  dialog::Interpreter interpreter(*dialogs_, domain);
  if (!interpreter.position_valid(state)) {
    // A reload removed the node the person was at: explain, and go on from the menu.
    state.tree.clear();
    state.stack.clear();
    state.waiting = false;
    return turn(interpreter.start(state, "common", context, rng, "moved"));
  }
  if (message.is_choice() && message.choice_id.rfind("step.done.", 0) == 0)  // a done button of /steps or a nudge
    return run_command("done", message.choice_id.substr(10), state, context, rng, domain);
  if (message.is_choice() && message.choice_id.rfind("snooze.", 0) == 0) {  // a snooze button of a nudge
    state.vars["snooze_for"] = message.choice_id.substr(7);
    return turn(interpreter.interject(state, "nudges", context, rng, "remind"));
  }
  if (message.choice_id == "checkin.done")
    return turn(interpreter.interject(state, "nudges", context, rng, "checkin_done"));
  if (message.choice_id == "checkin.not_today")
    return turn(interpreter.interject(state, "nudges", context, rng, "checkin_not_today"));
  if (!message.is_choice()) {
    if (auto command = parse_chat_command(message.text)) return run_command(command->name, command->args, state, context, rng, domain);
    if (discouraged(message.text, state)) return turn(interpreter.interject(state, "goals", context, rng, "encourage"));
    if (state.onboarded && message.quiet_before >= kWelcomeBackAfter) {
      // Back after days away: whatever question was open then is stale. Something they
      // say about how they are is heard at once; anything else ("hi", "I'm back") gets
      // a welcome and the question how they have been.
      state.tree.clear();
      state.node.clear();
      state.stack.clear();
      state.waiting = false;
      if (says_something(message.text)) return free_text(message, state, context, rng, domain);
      return turn(interpreter.start(state, "common", context, rng, "welcome_back"));
    }
  }
  if (state.waiting) return turn(interpreter.answer(state, message.text, message.choice_id, context, rng));
  return free_text(message, state, context, rng, domain);
}

std::string Coach::strategies_used(const DialogState& state) const {
  // The strategies this person has opened most, from where their conversations went.
  static const std::vector<std::pair<const char*, const char*>> strategies = {
      {"accept", "accepting what's happening"}, {"self_care", "looking after yourself"},
      {"coping", "healthy coping"},             {"one_step", "one step at a time"},
      {"get_help", "reaching out"}};
  std::vector<std::pair<int, const char*>> used;
  for (const auto& [tree, words] : strategies) {
    const dialog::DialogTree* t = dialogs_->tree(tree);
    auto it = t ? state.visits.find(t->id + "." + t->start) : state.visits.end();
    if (it != state.visits.end() && it->second > 0) used.push_back({it->second, words});
  }
  std::stable_sort(used.begin(), used.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string list;
  for (std::size_t i = 0; i < used.size() && i < 2; ++i) list += (i ? " and " : "") + std::string(used[i].second);
  return list.empty() ? "" : " What you've turned to most: " + list + ".";
}

bool Coach::says_something(const std::string& text) const {
  // Unlike a question's typed answer, being back and saying only "hi" is no topic; an
  // unsure guess is none either.
  if (!dialogs_->understanding) return false;
  auto intent = dialogs_->understanding->sure_intent(text);
  return intent && !dialog::Understanding::says_nothing(*intent);
}

CoachTurn Coach::scheduled(const core::Person& person, DialogState& state, const dialog::DialogContext& context,
                           ScheduledKind kind, bool announce_half_rate) const {
  auto rng = seeded(person, state);
  dialog::Interpreter interpreter(*dialogs_);
  const char* node = kind == ScheduledKind::step_nudge ? "step" : kind == ScheduledKind::checkin ? "checkin" : "encouragement";
  CoachTurn t;
  if (kind == ScheduledKind::weekly) {  // the look back of /progress, as a short summary
    DialogState scratch = state;
    auto out = interpreter.start(scratch, "progress", context, rng, "weekly");
    state.recent_variants = scratch.recent_variants;
    t.replies = std::move(out.replies);
    for (auto& r : t.replies) r.kind = core::MessageKind::nudge;
    return t;
  }
  if (kind == ScheduledKind::encouragement || kind == ScheduledKind::checkin) {
    // A branch (by progress, by the time of day): run it without moving the person.
    DialogState scratch = state;
    auto out = interpreter.start(scratch, "nudges", context, rng, node);
    state.recent_variants = scratch.recent_variants;
    t.replies = std::move(out.replies);
  } else if (auto reply = interpreter.say(state, "nudges", node, context, rng)) {
    t.replies.push_back(std::move(*reply));
  }
  if (t.replies.empty()) return t;
  core::Reply& message = t.replies.back();
  if (announce_half_rate)
    if (auto note = interpreter.say(state, "nudges", "half_rate", context, rng)) message.text += "\n\n" + note->text;
  auto value = [&](const char* key) { return context.value(key); };
  // The labels come from nudges.yaml's `buttons` node, so coaches can word them.
  const dialog::Node* buttons = dialogs_->node({"nudges", "buttons"});
  auto label = [&](const char* id, const char* fallback) {
    if (buttons)
      for (const auto& c : buttons->choices)
        if (c.id == id) return c.label;
    return std::string(fallback);
  };
  if (kind == ScheduledKind::step_nudge && !value("next_step_number").empty())
    message.choices.push_back({"step.done." + value("next_step_number"), label("done", "Done ✓")});
  if (kind == ScheduledKind::checkin) {
    message.choices.push_back({"checkin.done", label("done", "Done ✓")});
    message.choices.push_back({"checkin.not_today", label("not_today", "Not today")});
  }
  if (kind != ScheduledKind::encouragement) {
    message.choices.push_back({"snooze.1h", label("in_1h", "In 1 hour")});
    if (value("evening").empty()) message.choices.push_back({"snooze.tonight", label("tonight", "Tonight")});
    message.choices.push_back({"snooze.tomorrow", label("tomorrow", "Tomorrow")});
  }
  return t;
}

CoachTurn Coach::reprompt(const core::Person& person, DialogState& state, const dialog::DialogContext& context,
                          dialog::ActionHandler* domain) const {
  dialog::Interpreter interpreter(*dialogs_, domain);
  if (!state.waiting || !interpreter.position_valid(state)) return {};
  auto rng = seeded(person, state);
  auto stack = state.stack;  // asking again must not lose where a call returns to
  auto out = interpreter.start(state, state.tree, context, rng, state.node);
  state.stack = std::move(stack);
  return turn(std::move(out));
}

CoachTurn Coach::start_at(const core::Person& person, DialogState& state, const std::string& tree,
                          const std::string& node, const dialog::DialogContext& context,
                          dialog::ActionHandler* domain) const {
  auto rng = seeded(person, state);
  return turn(dialog::Interpreter(*dialogs_, domain).start(state, tree, context, rng, node));
}

CoachTurn Coach::free_text(const core::Incoming& incoming, DialogState& state, const dialog::DialogContext& context,
                           dialog::VariantRng& rng, dialog::ActionHandler* domain) const {
  dialog::Interpreter interpreter(*dialogs_, domain);
  // Not through onboarding: a person who left it for the menu after saying who they are
  // (consent given, a name) is not taken back to its first words; anyone else starts it.
  auto named = state.vars.find("name");
  if (!state.onboarded && (named == state.vars.end() || named->second.empty()))
    return turn(interpreter.start(state, "onboarding", context, rng));
  // Words typed when no question is open are read as an answer to the menu's question,
  // so "I feel sad" is heard, not answered with "what would you like to do?".
  const dialog::DialogTree* menu = dialogs_->tree("menu");
  const dialog::Node* home = menu ? menu->node(menu->start) : nullptr;
  if (dialogs_->understanding && home && home->kind == dialog::NodeKind::ask && !home->choices.empty()) {
    state.stack.clear();
    state.tree = menu->id;
    state.node = menu->start;
    state.waiting = true;
    return turn(interpreter.answer(state, incoming.text, "", context, rng));
  }
  return turn(interpreter.start(state, "common", context, rng, "idle"));
}

CoachTurn Coach::run_command(const std::string& name, const std::string& args, DialogState& state,
                             const dialog::DialogContext& context, dialog::VariantRng& rng,
                             dialog::ActionHandler* domain) const {
  dialog::Interpreter interpreter(*dialogs_, domain);
  if (name == "start") {
    if (state.onboarded) return turn(interpreter.start(state, "menu", context, rng));
    if (state.tree == "onboarding" && state.waiting)  // resume an unfinished onboarding where it was
      return turn(interpreter.start(state, "onboarding", context, rng, state.node));
    return turn(interpreter.start(state, "onboarding", context, rng));
  }
  if (name == "menu") return turn(interpreter.start(state, "menu", context, rng));
  if (name == "help") return turn(interpreter.interject(state, "help", context, rng));
  if (name == "stop") return turn(interpreter.start(state, "common", context, rng, "stopped"));
  if (name == "pause") return turn(interpreter.interject(state, "nudges", context, rng, "pause"));
  if (name == "tz") {
    auto zone = dialog::validate_answer("timezone", args);
    if (!zone) return turn(interpreter.interject(state, "common", context, rng, "tz_invalid"));
    state.vars["timezone"] = *zone;
    CoachTurn t = turn(interpreter.interject(state, "common", context, rng, "tz_set"));
    t.actions.insert(t.actions.begin(), {"set_preference", {{"key", "timezone"}, {"value", *zone}}});
    return t;
  }
  if (name == "country") {
    // Whose crisis lines to show: a two-letter code (DE, br) or a name, kept until changed.
    auto code = dialog::validate_answer("country", args);
    if (!code) return turn(interpreter.interject(state, "common", context, rng, "country_invalid"));
    state.vars["country"] = *code;
    return turn(interpreter.interject(state, "common", context, rng, "country_set"));
  }
  if (name == "goal") {
    if (args.empty()) return turn(interpreter.start(state, "one_step", context, rng, "name_problem"));
    state.vars["goal_title"] = args;
    return turn(interpreter.interject(state, "goals", context, rng, "start_goal"));
  }
  if (name == "step") {
    if (args.empty()) return turn(interpreter.start(state, "one_step", context, rng, "next_step"));
    state.vars["step_text"] = args;
    return turn(interpreter.interject(state, "goals", context, rng, "add_step"));
  }
  if (name == "done" || name == "undo") {
    state.vars["step_number"] = args.empty() ? "0" : args;
    return turn(interpreter.interject(state, "goals", context, rng, name));
  }
  if (name == "steps") {
    CoachTurn t = turn(interpreter.interject(state, "goals", context, rng, "list"));
    // A done button for each open step, on the list itself.
    auto open = context.get("open_steps");
    if (!t.replies.empty() && open && !open->empty()) {
      // The list's own buttons, not those of a question it interrupted (still open to a typed answer).
      t.replies.front().choices.clear();
      std::istringstream lines(*open);
      for (std::string line; std::getline(lines, line);) {
        auto tab = line.find('\t');
        if (tab == std::string::npos) continue;
        std::string label = "Done: " + line.substr(tab + 1);
        label = core::shorten(label, 40, "…");
        t.replies.front().choices.push_back({"step.done." + line.substr(0, tab), label});
      }
    }
    return t;
  }
  if (name == "export") {  // the core reads the data and sends it; then a word about it
    if (context.value("export_wait") == "1")
      return turn(interpreter.interject(state, "common", context, rng, "export_wait"));
    CoachTurn t = turn(interpreter.interject(state, "common", context, rng, "exported"));
    t.actions.insert(t.actions.begin(), {"export_data", {}});
    return t;
  }
  if (name == "forget") return turn(interpreter.interject(state, "common", context, rng, "forget_confirm"));
  if (name == "nudges") return turn(interpreter.interject(state, "nudges", context, rng, "list"));
  if (name == "nudge") {
    if (args.empty()) return turn(interpreter.interject(state, "nudges", context, rng, "list"));
    bool off = args == "off" || args.rfind("off ", 0) == 0;
    std::string time = off ? (args == "off" ? "all" : args.substr(4)) : args;
    if (auto valid = dialog::validate_answer("time", time)) {
      time = *valid;
    } else if (time != "all") {  // said plainly, with an example, instead of the list
      state.vars["nudge_time_text"] = core::shorten(time, 40);
      return turn(interpreter.interject(state, "nudges", context, rng, "time_invalid"));
    }
    state.vars["nudge_time"] = time;
    return turn(interpreter.interject(state, "nudges", context, rng, off ? "remove_time" : "add_time"));
  }
  if (name == "quiet") {
    state.vars["quiet_hours_text"] = args;
    return turn(interpreter.interject(state, "nudges", context, rng, "set_quiet"));
  }
  if (name == "snooze") {
    state.vars["snooze_for"] = args.empty() ? "1h" : args;
    return turn(interpreter.interject(state, "nudges", context, rng, "snooze"));
  }
  if (name == "resume") return turn(interpreter.interject(state, "nudges", context, rng, "resume"));
  if (name == "journal") {
    if (args.empty()) return turn(interpreter.interject(state, "journal", context, rng, "list"));
    state.vars["journal_text"] = args;
    return turn(interpreter.interject(state, "journal", context, rng, "write"));
  }
  if (name == "progress") return turn(interpreter.interject(state, "progress", context, rng));
  if (name == "weekly") {
    std::string what = args;
    for (auto& c : what) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (what != "on" && what != "off") return turn(interpreter.interject(state, "nudges", context, rng, "weekly_how"));
    state.vars["weekly_on"] = what == "on" ? "1" : "";
    return turn(interpreter.interject(state, "nudges", context, rng, what == "on" ? "weekly_on" : "weekly_off"));
  }
  if (name == "mood") {
    // "/mood" shows the last two weeks and asks; "/mood 2" or "/mood 2 tired" records it.
    std::istringstream words(args);
    int score = 0;
    if (!(words >> score) || score < 1 || score > 5) return turn(interpreter.interject(state, "mood", context, rng));
    std::string word;
    std::getline(words >> std::ws, word);
    state.vars["mood_score"] = std::to_string(score);
    state.vars["mood_word"] = word;
    return turn(interpreter.interject(state, "mood", context, rng, "save_typed"));
  }
  return turn(interpreter.interject(state, "common", context, rng, "unknown_command"));
}

}  // namespace bounceback::coach
