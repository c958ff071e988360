#include "bot/dialog/interpreter.hpp"

#include "bot/core/minute_of_day.hpp"

#include <date/tz.h>

#include <algorithm>
#include <set>
#include <cctype>
#include <random>

#include "bot/dialog/template_text.hpp"

namespace bounceback::dialog {

namespace {

// Far more steps than any real path between two questions: a loop without a question
// (which the checker cannot always see through branches) ends instead of spinning.
constexpr int kMaxStepsPerEvent = 200;

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// An id as words: "not_yet" -> "not yet", so the short answer an id names can be typed.
std::string spaced(std::string id) {
  std::replace(id.begin(), id.end(), '_', ' ');
  return id;
}

std::string key_of(const std::string& tree, const std::string& node) { return tree + "." + node; }

// At most this many choices are suggested when a typed message was not understood.
constexpr std::size_t kSuggestions = 3;

// "yeah", "nope": the short answers people type to a yes/no question, as the choice they
// mean. Only choices with these ids take them, so a question's own labels stay in charge.
const ChoiceSpec* close_wording(const std::vector<ChoiceSpec>& choices, const std::string& typed) {
  static const std::vector<std::string> yes = {"y", "yes", "yeah", "yea", "yep", "yup", "sure", "ok", "okay", "of course",
                                               "definitely", "yes please", "i did", "did it", "i have", "absolutely",
                                               "lets start", "let's start", "let's go", "lets go", "go on", "sounds good", "fine"};
  static const std::vector<std::string> no = {"n", "no", "nope", "nah", "no thanks", "not really", "i didn't", "i did not",
                                              "didn't", "haven't", "i haven't", "not yet"};
  // The whole answer, or its first clause ("not really, I've been in bed all day"), or its
  // first word when that can only be a yes or a no ("yep did a walk").
  std::string t = typed;
  while (!t.empty() && std::string_view(".!?, ").find(t.back()) != std::string_view::npos) t.pop_back();
  std::string clause = t.substr(0, t.find_first_of(",.;!"));
  std::string first = t.substr(0, t.find(' '));
  static const std::vector<std::string> sure_first = {"yes", "yeah", "yep", "yup", "nope", "nah"};
  bool first_counts = std::find(sure_first.begin(), sure_first.end(), first) != sure_first.end();
  auto in = [&](const std::vector<std::string>& words) {
    auto has = [&words](const std::string& w) { return std::find(words.begin(), words.end(), w) != words.end(); };
    return has(t) || has(clause) || (first_counts && has(first));
  };
  // By id first (yes, no, not_yet), then the one choice whose label starts so ("Yes, set
  // quiet hours", "No, any time is fine").
  auto pick = [&choices](std::initializer_list<const char*> ids, std::initializer_list<const char*> starts) -> const ChoiceSpec* {
    for (const char* id : ids)
      for (const auto& c : choices)
        if (c.id == id) return &c;
    const ChoiceSpec* found = nullptr;
    for (const auto& c : choices)
      for (const char* start : starts)
        if (lower(c.label).rfind(start, 0) == 0) {
          if (found && found != &c) return nullptr;  // two fit: not for us to choose
          found = &c;
        }
    return found;
  };
  if (in(yes)) return pick({"yes", "done"}, {"yes", "okay", "ok,", "ok ", "sure", "let's", "lets"});
  if (in(no)) return pick({"no", "not_yet"}, {"no,", "no ", "not "});
  return nullptr;
}

bool fits(const ChoiceSpec& c, const std::string& intent) {
  return std::find(c.intents.begin(), c.intents.end(), intent) != c.intents.end();
}

// A stored value as people read it: the tz database's "Etc/GMT-1" (kept so because its
// signs run backwards) is "UTC+1" to the person who typed GMT+1.
std::string as_shown(const std::string& name, const std::string& value) {
  if (name != "timezone" || value.rfind("Etc/GMT", 0) != 0 || value.size() < 9) return value;
  char sign = value[7];
  if (sign != '+' && sign != '-') return value;
  return std::string("UTC") + (sign == '-' ? "+" : "-") + value.substr(8);
}

auto lookup_for(const DialogState& state, const DialogContext& context) {
  return [&state, &context](const std::string& name) -> std::optional<std::string> {
    if (auto v = state.vars.find(name); v != state.vars.end() && !v->second.empty()) return as_shown(name, v->second);
    if (auto c = context.get(name)) return as_shown(name, *c);
    if (name.rfind("visits.", 0) == 0) {
      // visits.NODE counts this tree's node; visits.TREE.NODE any tree's.
      std::string rest = name.substr(7);
      std::string key = rest.find('.') == std::string::npos ? key_of(state.tree, rest) : rest;
      auto it = state.visits.find(key);
      return std::to_string(it == state.visits.end() ? 0 : it->second);
    }
    if (name == "turns") return std::to_string(state.turns);
    return std::nullopt;
  };
}

// The countries people are most likely to name, in English and in their own language:
// "Germany", "Deutschland" -> "DE". Anything else is asked for as a two-letter code.
std::optional<std::string> country_named(const std::string& typed) {
  static const std::vector<std::pair<const char*, const char*>> names = {
      {"united states", "US"}, {"usa", "US"},          {"america", "US"},       {"canada", "CA"},
      {"united kingdom", "GB"}, {"uk", "GB"},          {"england", "GB"},       {"scotland", "GB"},
      {"wales", "GB"},          {"northern ireland", "GB"}, {"ireland", "IE"},  {"australia", "AU"},
      {"new zealand", "NZ"},    {"germany", "DE"},     {"deutschland", "DE"},   {"france", "FR"},
      {"netherlands", "NL"},    {"the netherlands", "NL"}, {"holland", "NL"},   {"nederland", "NL"},
      {"spain", "ES"},          {"espana", "ES"},      {"españa", "ES"},        {"india", "IN"},
      {"mexico", "MX"},         {"méxico", "MX"},      {"argentina", "AR"},     {"colombia", "CO"},
      {"chile", "CL"},          {"peru", "PE"},        {"perú", "PE"},          {"brazil", "BR"},
      {"brasil", "BR"},         {"portugal", "PT"},    {"italy", "IT"},         {"italia", "IT"},
      {"poland", "PL"},         {"polska", "PL"},      {"turkey", "TR"},        {"türkiye", "TR"},
      {"turkiye", "TR"},        {"austria", "AT"},     {"österreich", "AT"},    {"osterreich", "AT"},
      {"switzerland", "CH"},    {"schweiz", "CH"},     {"suisse", "CH"},        {"svizzera", "CH"},
      {"belgium", "BE"},        {"belgique", "BE"},    {"belgië", "BE"},        {"belgie", "BE"},
      {"luxembourg", "LU"},     {"denmark", "DK"},     {"danmark", "DK"},       {"sweden", "SE"},
      {"sverige", "SE"},        {"finland", "FI"},     {"suomi", "FI"},         {"south africa", "ZA"},
      {"japan", "JP"},          {"south korea", "KR"}, {"korea", "KR"},         {"philippines", "PH"},
      {"singapore", "SG"},      {"france métropolitaine", "FR"}};
  std::string t = lower(trim(typed));
  while (!t.empty() && std::string_view(".!").find(t.back()) != std::string_view::npos) t.pop_back();
  for (const char* lead : {"i'm in ", "im in ", "i am in ", "i live in ", "in "})
    if (t.rfind(lead, 0) == 0) t = t.substr(std::string_view(lead).size());
  for (const auto& [name, code] : names)
    if (t == name) return std::string(code);
  return std::nullopt;
}

std::string default_invalid(const std::string& validator) {
  if (validator == "time") return "Please write a time like 07:30, 9am or 21:00.";
  if (validator == "person") return "Just their name is enough, like Sam.";
  if (validator == "time_range") return "Please write two times with a dash, like 22:00-07:00 or 10pm-7am.";
  if (validator == "number") return "Please write a number, like 3.";
  if (validator == "timezone") return "I don't know that time zone. Try a city-based name like Europe/Berlin or America/New_York.";
  return "I didn't catch that. Could you write a few words?";
}

}  // namespace

std::optional<std::string> validate_answer(const std::string& validator, const std::string& raw) {
  std::string text = trim(raw);
  if (validator == "any") return text;
  if (text.empty() || text.size() > 500) return std::nullopt;
  if (validator == "non_empty") return text;
  if (validator == "country") {  // a two-letter code, as crisis resources are keyed: "de" -> "DE"
    if (auto code = country_named(text)) return code;
    if (text.size() != 2 || !std::isalpha(static_cast<unsigned char>(text[0])) || !std::isalpha(static_cast<unsigned char>(text[1])))
      return std::nullopt;
    for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
  }
  if (validator == "number") {
    std::size_t used = 0;
    try {
      std::stod(text, &used);
    } catch (const std::exception&) {
      return std::nullopt;
    }
    if (used != text.size()) return std::nullopt;
    return text;
  }
  if (validator == "time") {  // one reader of times for the whole product (core/minute_of_day)
    auto minute = core::parse_minute(text);
    if (!minute) return std::nullopt;
    return core::format_minute(*minute);
  }
  if (validator == "time_range") {  // "22:00-07:00" (may span midnight)
    auto dash = text.find('-');
    if (dash == std::string::npos) return std::nullopt;
    auto from = validate_answer("time", text.substr(0, dash));
    auto to = validate_answer("time", text.substr(dash + 1));
    if (!from || !to || *from == *to) return std::nullopt;
    return *from + "-" + *to;
  }
  if (validator == "name") {  // what to call the person: "my name is Priya" -> "Priya"
    if (text.back() == '?') return std::nullopt;  // "why do you need my name?" is no name
    std::string name = text;
    for (const char* lead : {"my name is ", "my name's ", "name is ", "name's ", "i'm ", "im ", "i am ", "call me ",
                             "you can call me ", "it's ", "its ", "this is ", "hi i'm ", "hi im ", "hi, i'm ", "hey i'm "})
      if (lower(name).rfind(lead, 0) == 0) {
        name = trim(name.substr(std::string_view(lead).size()));
        break;
      }
    while (!name.empty() && std::string_view(".!,").find(name.back()) != std::string_view::npos) name.pop_back();
    static const std::vector<std::string> not_names = {"hi", "hello", "hey", "no", "yes", "ok", "okay", "idk", "i don't know",
                                                       "i'd rather not say", "rather not say", "prefer not to say", "none"};
    if (name.empty() || name.size() > 40 || std::find(not_names.begin(), not_names.end(), lower(name)) != not_names.end())
      return std::nullopt;
    return name;
  }
  if (validator == "person") {  // "my sister Marta" -> "Marta", "my mum" -> "Mum": a name to greet
    static const std::vector<std::string> relations = {
        "best friend", "sister", "brother", "friend", "mum", "mom", "mother", "dad", "father", "aunt", "uncle", "cousin",
        "partner", "wife", "husband", "girlfriend", "boyfriend", "boss", "colleague", "neighbour", "neighbor",
        "teacher", "tutor", "therapist", "doctor", "coach", "flatmate", "roommate", "grandma", "grandpa", "son", "daughter"};
    std::string name = text;
    if (lower(name).rfind("my ", 0) == 0) {
      name = trim(name.substr(3));
      for (const auto& r : relations)
        if (lower(name).rfind(r, 0) == 0 && (name.size() == r.size() || name[r.size()] == ' ')) {
          std::string rest = trim(name.substr(r.size()));
          name = rest.empty() ? name.substr(0, r.size()) : rest;
          break;
        }
      if (!name.empty()) name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
    }
    if (name.empty()) return std::nullopt;
    return name;
  }
  if (validator == "timezone") {
    // "GMT+1", "UTC-5", "utc+5:30": what people mean is an offset east (+) or west (-) of
    // UTC. The tz database's Etc/GMT+1 means the opposite (one hour *behind*), so an offset
    // typed this way is turned around; half hours have no Etc zone and are refused.
    {
      std::string t = lower(text);
      t.erase(std::remove(t.begin(), t.end(), ' '), t.end());
      for (const char* prefix : {"gmt", "utc"})
        if (t.rfind(prefix, 0) == 0 && t.size() > 3 && (t[3] == '+' || t[3] == '-')) {
          std::string digits = t.substr(4);
          if (digits.size() > 3 && digits.substr(digits.size() - 3) == ":00") digits.resize(digits.size() - 3);
          if (digits.empty() || digits.size() > 2 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return std::nullopt;
          int hours = std::stoi(digits);
          if (hours > 14) return std::nullopt;
          if (hours == 0) return std::string("Etc/UTC");
          return std::string("Etc/GMT") + (t[3] == '+' ? "-" : "+") + std::to_string(hours);
        }
    }
    try {
      return std::string(date::locate_zone(text)->name());
    } catch (const std::exception&) {
    }
    // People type "europe/berlin" or "new york": match case-insensitively, spaces as _.
    std::string wanted = lower(text);
    std::replace(wanted.begin(), wanted.end(), ' ', '_');
    for (const auto& zone : date::get_tzdb().zones) {
      std::string name = lower(std::string(zone.name()));
      if (name == wanted) return std::string(zone.name());
      auto slash = name.rfind('/');
      if (slash != std::string::npos && name.substr(slash + 1) == wanted) return std::string(zone.name());
    }
    return std::nullopt;
  }
  return std::nullopt;
}

bool Interpreter::position_valid(const DialogState& state) const {
  if (state.idle()) return true;
  if (!set_.node({state.tree, state.node})) return false;
  for (const auto& f : state.stack)
    if (!set_.resolve(f.tree, f.node)) return false;
  return true;
}

std::string Interpreter::pick_variant(DialogState& state, const std::string& key, const std::vector<std::string>& texts,
                                      VariantRng& rng) const {
  if (texts.empty()) return {};
  if (texts.size() == 1) return texts.front();  // nothing to vary, nothing to remember
  // Pick among those not said lately (the last few, at most all but one), so repeated
  // conversations and celebrations keep sounding fresh.
  auto& recent = state.recent_variants[key];
  std::size_t avoid = std::min<std::size_t>(texts.size() - 1, 3);
  while (recent.size() > avoid) recent.erase(recent.begin());
  std::vector<int> allowed;
  for (int i = 0; i < static_cast<int>(texts.size()); ++i)
    if (std::find(recent.begin(), recent.end(), i) == recent.end()) allowed.push_back(i);
  int chosen = allowed[std::uniform_int_distribution<std::size_t>(0, allowed.size() - 1)(rng)];
  if (avoid > 0) {
    recent.push_back(chosen);
    if (recent.size() > avoid) recent.erase(recent.begin());
  }
  return texts[static_cast<std::size_t>(chosen)];
}

void Interpreter::ask(DialogState& state, const Node& node, const DialogContext& context, VariantRng& rng,
                      DialogOutput& out, const std::string& preface) const {
  auto lookup = lookup_for(state, context);
  core::Reply question{node.message_kind, render_template(pick_variant(state, key_of(state.tree, node.id), node.texts, rng), lookup), {}};
  // Asked again after an answer that did not fit: one message, the word first.
  if (!preface.empty()) question.text = render_template(preface, lookup) + "\n\n" + question.text;
  for (const auto& c : node.choices) question.choices.push_back({c.id, render_template(c.label, lookup)});
  out.replies.push_back(std::move(question));
  state.waiting = true;
}

void Interpreter::finish(DialogState& state, const DialogContext& context, VariantRng& rng, DialogOutput& out) const {
  if (state.stack.empty()) {
    state.tree.clear();
    state.node.clear();
    state.waiting = false;
    return;
  }
  DialogState::Frame frame = state.stack.back();
  state.stack.pop_back();
  auto ref = set_.resolve(frame.tree, frame.node);
  if (!ref) {
    state.stack.clear();
    return finish(state, context, rng, out);
  }
  const Node* question = set_.node(*ref);
  if (frame.quiet && question && question->kind == NodeKind::ask && !out.replies.empty()) {
    // Back at the question a command interrupted, without asking it again: the answer
    // carries its choices (unless it has buttons of its own, or the question is a home).
    state.tree = ref->tree;
    state.node = ref->node;
    state.waiting = true;
    const DialogTree* tree = set_.tree(ref->tree);
    core::Reply& last = out.replies.back();
    if (last.choices.empty() && !(tree && tree->home)) {
      auto lookup = lookup_for(state, context);
      for (const auto& c : question->choices) last.choices.push_back({c.id, render_template(c.label, lookup)});
    }
    return;
  }
  run(state, *ref, context, rng, out);
}

void Interpreter::run(DialogState& state, NodeRef at, const DialogContext& context, VariantRng& rng,
                      DialogOutput& out) const {
  auto lookup = lookup_for(state, context);
  while (out.steps++ < kMaxStepsPerEvent) {
    const Node* node = set_.node(at);
    if (!node) {
      state.stack.clear();
      return finish(state, context, rng, out);
    }
    state.tree = at.tree;
    state.node = at.node;
    state.waiting = false;
    ++state.visits[key_of(at.tree, at.node)];

    auto go = [&](const std::string& target) -> bool {
      auto ref = set_.resolve(at.tree, target);
      if (!ref) return false;
      at = *ref;
      return true;
    };

    switch (node->kind) {
      case NodeKind::say:
        out.replies.push_back({node->message_kind, render_template(pick_variant(state, key_of(at.tree, at.node), node->texts, rng), lookup), {}});
        if (!go(node->next)) return finish(state, context, rng, out);
        break;
      case NodeKind::ask:
        return ask(state, *node, context, rng, out);
      case NodeKind::branch: {
        bool moved = false;
        for (const auto& arm : node->arms)
          if (!arm.condition || arm.condition->holds(lookup)) {
            moved = go(arm.next);
            break;
          }
        if (!moved) return finish(state, context, rng, out);
        break;
      }
      case NodeKind::go_to:
        if (!go(node->target)) return finish(state, context, rng, out);
        break;
      case NodeKind::call: {  // a dialog (from its start) or dialog.node
        auto called = set_.resolve(at.tree, node->target);
        if (!called) return finish(state, context, rng, out);
        state.stack.push_back({at.tree, node->next});
        at = *called;
        break;
      }
      case NodeKind::return_:
        return finish(state, context, rng, out);
      case NodeKind::action: {
        DialogAction action{node->action, {}};
        for (const auto& [k, v] : node->args) action.args[k] = render_template(v, lookup);
        if (action.name == "set") state.vars[action.args["var"]] = action.args["value"];
        if (action.name == "finish_onboarding") state.onboarded = true;
        if (handler_) handler_->handle(action, out);
        out.actions.push_back(std::move(action));
        if (!go(node->next)) return finish(state, context, rng, out);
        break;
      }
      case NodeKind::end:
        state.stack.clear();
        return finish(state, context, rng, out);
    }
  }
  state.stack.clear();
  finish(state, context, rng, out);
}

std::optional<core::Reply> Interpreter::say(DialogState& state, const std::string& tree, const std::string& node,
                                            const DialogContext& context, VariantRng& rng) const {
  const Node* n = set_.node({tree, node});
  if (!n || n->kind != NodeKind::say) return std::nullopt;
  auto lookup = lookup_for(state, context);
  return core::Reply{n->message_kind, render_template(pick_variant(state, key_of(tree, node), n->texts, rng), lookup), {}};
}

void Interpreter::continue_at(DialogState& state, const std::string& target, const DialogContext& context,
                              VariantRng& rng, DialogOutput& out) const {
  auto ref = set_.resolve(state.tree, target);
  state.waiting = false;
  if (!ref) return finish(state, context, rng, out);
  run(state, *ref, context, rng, out);
}

DialogOutput Interpreter::begin(DialogState& state, const std::string& tree, const std::string& node,
                                bool come_back, const DialogContext& context, VariantRng& rng) const {
  DialogOutput out;
  ++state.turns;
  const DialogTree* t = set_.tree(tree);
  if (!t) return out;
  if (!come_back) state.stack.clear();
  else if (state.waiting && position_valid(state)) state.stack.push_back({state.tree, state.node, /*quiet=*/true});
  run(state, {t->id, node.empty() ? t->start : node}, context, rng, out);
  return out;
}

DialogOutput Interpreter::start(DialogState& state, const std::string& tree, const DialogContext& context,
                                VariantRng& rng, const std::string& node) const {
  return begin(state, tree, node, /*come_back=*/false, context, rng);
}

DialogOutput Interpreter::interject(DialogState& state, const std::string& tree, const DialogContext& context,
                                    VariantRng& rng, const std::string& node) const {
  return begin(state, tree, node, /*come_back=*/true, context, rng);
}

std::optional<NodeRef> Interpreter::listening_route(const DialogState& state, const Node& node, const std::string& intent) const {
  if (auto own = node.on_intent.find(intent); own != node.on_intent.end()) return NodeRef{state.tree, own->second};
  const DialogTree* tree = set_.tree(state.tree);
  const DialogTree* menu = set_.tree("menu");
  const Node* home = menu ? menu->node(menu->start) : nullptr;
  // Only where the tree listens: in the middle of an exercise or of onboarding, a sentence
  // is far more often an answer in other words ("not really, I've been in bed all day")
  // than a new topic, and the classifier, trained on how people say how they are, guesses
  // with confidence at words it was not made for ("yes", "okay").
  if (!tree || !tree->listens || !home || !node.on_intent.empty()) return std::nullopt;
  auto route = home->on_intent.find(intent);
  if (route == home->on_intent.end()) return std::nullopt;
  return NodeRef{menu->id, route->second};  // as the menu wrote it
}

bool Interpreter::says_something(const std::string& text) const {
  // Hello, thanks, bye, "not now", "hmm": words that answer no question with content.
  if (!set_.understanding) return true;
  auto intent = set_.understanding->sure_intent(text);
  return !intent || !Understanding::says_nothing(*intent);
}

std::optional<NodeRef> Interpreter::intent_route(const DialogState& state, const Node& node, const std::string& text) const {
  if (!set_.understanding) return std::nullopt;
  auto intent = set_.understanding->sure_intent(text);
  if (!intent) return std::nullopt;
  return listening_route(state, node, *intent);
}

bool Interpreter::understood(DialogState& state, const Node& node, const std::string& text, const DialogContext& context,
                             VariantRng& rng, DialogOutput& out) const {
  auto guesses = set_.understanding->guess(text, static_cast<int>(kSuggestions));
  if (!guesses.empty() && guesses.front().probability >= kSureEnough) {
    state.vars["said"] = trim(text);  // for what follows: "I finished the dishes" names a step
    const std::string& intent = guesses.front().intent;
    if (auto route = node.on_intent.find(intent); route != node.on_intent.end()) {
      continue_at(state, route->second, context, rng, out);
      return true;
    }
    for (const auto& c : node.choices)
      if (fits(c, intent)) {
        continue_at(state, c.next, context, rng, out);
        return true;
      }
    if (auto route = listening_route(state, node, intent)) {
      state.tree = route->tree;
      continue_at(state, route->node, context, rng, out);
      return true;
    }
  }
  // Not understood. A short question asks again with its few choices (the caller does);
  // where there are many (the menu), an honest word and at most three that may fit.
  if (node.choices.size() <= kSuggestions && node.on_intent.empty()) return false;
  core::Reply reply{core::MessageKind::reply, {}, {}};
  auto lookup = lookup_for(state, context);
  // Suggestions from the likeliest guesses, down to the first that fits no choice: a guess
  // below one that fits nothing ("lol" is likeliest `unclear`) is noise, not a hint.
  for (const auto& g : guesses) {
    if (std::none_of(node.choices.begin(), node.choices.end(), [&](const ChoiceSpec& c) { return fits(c, g.intent); })) break;
    for (const auto& c : node.choices)
      if (reply.choices.size() < kSuggestions && fits(c, g.intent) &&
          std::none_of(reply.choices.begin(), reply.choices.end(), [&](const core::Choice& s) { return s.id == c.id; }))
        reply.choices.push_back({c.id, render_template(c.label, lookup)});
  }
  if (reply.choices.empty() && node.choices.size() <= kSuggestions)  // a few choices: all of them
    for (const auto& c : node.choices) reply.choices.push_back({c.id, render_template(c.label, lookup)});
  const char* said = reply.choices.empty() ? "not_sure" : "not_sure_suggest";
  if (auto words = say(state, "common", said, context, rng)) reply.text = words->text;
  else
    reply.text = reply.choices.empty() ? "I'm not sure I followed. Could you put it another way? Or type menu to see everything."
                                       : "I'm not sure I followed. Is it one of these?";
  out.replies.push_back(std::move(reply));
  state.waiting = true;
  return true;
}

DialogOutput Interpreter::answer(DialogState& state, const std::string& text, const std::string& choice_id,
                                 const DialogContext& context, VariantRng& rng) const {
  DialogOutput out;
  ++state.turns;
  const Node* node = set_.node({state.tree, state.node});
  if (!node || node->kind != NodeKind::ask || !state.waiting) return out;
  const DialogTree* tree = set_.tree(state.tree);

  if (!node->choices.empty()) {
    const ChoiceSpec* match = nullptr;
    std::string typed = lower(trim(text));
    for (std::size_t i = 0; i < node->choices.size() && !match; ++i) {
      const auto& c = node->choices[i];
      if (!choice_id.empty() ? c.id == choice_id
                             : (typed == lower(c.id) || typed == spaced(lower(c.id)) ||  // "not yet" for not_yet
                                typed == lower(trim(render_template(c.label, lookup_for(state, context)))) ||
                                typed == std::to_string(i + 1)))
        match = &c;
    }
    if (!match) match = close_wording(node->choices, typed);
    if (!match && choice_id.empty() && !node->capture.empty() && says_something(text)) {
      // A question that also takes typed words: "Is there another step?" answered with the step.
      if (auto value = validate_answer(node->validate, text)) {
        state.vars[node->capture] = *value;
        continue_at(state, node->next, context, rng, out);
        return out;
      }
      if (!node->invalid.empty()) {  // words meant as the answer, but not in the form asked for
        ask(state, *node, context, rng, out, node->invalid);
        return out;
      }
    }
    if (!match && set_.understanding && understood(state, *node, text, context, rng, out)) return out;
    if (!match) {
      std::string preface = tree && !tree->reask.empty()
                                ? tree->reask
                                : "Thanks. For this one, please pick one of the options below (or type menu to go back to the start).";
      ask(state, *node, context, rng, out, preface);
      return out;
    }
    continue_at(state, match->next, context, rng, out);
    return out;
  }

  auto value = choice_id.empty() ? validate_answer(node->validate, text) : std::nullopt;
  if (!value) {
    ask(state, *node, context, rng, out, node->invalid.empty() ? default_invalid(node->validate) : node->invalid);
    return out;
  }
  state.vars[node->capture] = *value;
  if (auto route = intent_route(state, *node, text)) {  // "I just want to talk" -> "my sister and I fell out"
    state.tree = route->tree;
    continue_at(state, route->node, context, rng, out);
    return out;
  }
  continue_at(state, node->next, context, rng, out);
  return out;
}

}  // namespace bounceback::dialog
