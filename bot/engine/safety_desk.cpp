#include "bot/engine/safety_desk.hpp"

#include <algorithm>
#include <cctype>

#include "bot/core/metrics.hpp"
#include "bot/core/text_parts.hpp"
#include "bot/engine/conversation.hpp"
#include "bot/engine/person_cache.hpp"
#include "bot/safety/safety_policy.hpp"
#include "bot/safety/safety_responder.hpp"
#include "bot/safety/zone_country.hpp"
#include "bot/store/transaction.hpp"

namespace bounceback::engine {

struct SafetyDesk::Kit {
  explicit Kit(std::shared_ptr<const safety::SafetyPolicy> p) : policy(std::move(p)), screen(*policy), responder(*policy) {}
  std::shared_ptr<const safety::SafetyPolicy> policy;
  safety::SafetyScreen screen;
  safety::SafetyResponder responder;
};

namespace {

const char* answer_name(safety::ScreenResult::Kind kind) {
  switch (kind) {
    case safety::ScreenResult::Kind::crisis: return "crisis";
    case safety::ScreenResult::Kind::ask: return "ask";
    case safety::ScreenResult::Kind::coping_risk: return "coping";
    default: return "none";
  }
}

}  // namespace

SafetyDesk::SafetyDesk(std::shared_ptr<const safety::SafetyPolicy> policy, PersonCache& cache, Conversation& conversation,
                       core::Metrics& metrics, std::string default_country)
    : kit_(std::make_shared<const Kit>(std::move(policy))), cache_(cache), conversation_(conversation), metrics_(metrics),
      default_country_(std::move(default_country)) {}

SafetyDesk::~SafetyDesk() = default;

std::shared_ptr<const SafetyDesk::Kit> SafetyDesk::prepare(std::shared_ptr<const safety::SafetyPolicy> policy) {
  return std::make_shared<const Kit>(std::move(policy));
}

// The person's own country: their setting, else their time zone's (a zone set earlier in
// this turn, kept in the dialog's variables, counts before the stored one); empty when
// neither tells it.
std::string SafetyDesk::own_country(const core::Person& person, const dialog::DialogState& state) {
  if (auto it = state.vars.find("country"); it != state.vars.end() && !it->second.empty()) return it->second;
  auto zone = state.vars.find("timezone");
  return safety::country_for_zone(zone != state.vars.end() && !zone->second.empty() ? zone->second : person.timezone);
}

// Crisis resources follow the person: their own country, else the deployment's default.
std::string SafetyDesk::country_of(const core::Person& person, const dialog::DialogState& state) const {
  if (auto c = own_country(person, state); !c.empty()) return c;
  return default_country_;
}

void SafetyDesk::describe(const core::Person& person, const dialog::DialogState& state, dialog::DialogContext& context) {
  // Read when a dialog asks, so a country set earlier in the same turn (/country) counts.
  context.add_source("safety", [this, kit = kit_, &person, &state](std::string_view key) -> std::optional<std::string> {
    if (key == "crisis_resources") return kit->responder.resources(country_of(person, state));
    if (key == "country") {
      auto c = country_of(person, state);
      return c.empty() ? "none set" : c;
    }
    if (key == "country_known") return own_country(person, state).empty() ? "" : "1";
    return std::nullopt;
  });
}

void SafetyDesk::crisis_from_dialog(core::Person& person, const dialog::DialogState& state,
                                    std::vector<core::Reply>& replies, core::TimePoint at) {
  metrics_.add_counter("bounceback_safety_answers_total", {{"answer", "crisis"}});
  pause(person, at);
  replies.push_back(kit_->responder.crisis(country_of(person, state), ""));
}

void SafetyDesk::pause(core::Person& person, core::TimePoint from) const {
  person.safety_pause_until = from + std::chrono::hours(kit_->policy->pause_hours);
}

// What the screen knows besides the message: the person's previous words of the last few
// minutes, and whether a crisis came lately (then it listens more closely).
safety::ScreenResult SafetyDesk::screen(const core::Person& person, const core::Incoming& message) {
  safety::ScreenContext context;
  context.after_crisis = conversation_.paused(person);
  auto window = std::chrono::minutes(kit_->policy->context_minutes);
  auto& last = cache_.record(person).last_words;
  if (!last.text.empty() && message.at >= last.at && message.at - last.at <= window) context.previous = last.text;
  safety::ScreenResult result = kit_->screen.screen(message.text, context);
  last = {core::shorten(message.text, 2000), message.at};
  if (result.kind != safety::ScreenResult::Kind::none) {
    metrics_.add_counter("bounceback_safety_hits_total", {{"category", result.category}});
    metrics_.add_counter("bounceback_safety_answers_total", {{"answer", answer_name(result.kind)}});
  }
  return result;
}

// The crisis reply, or for someone else in danger now the emergency number first.
core::Reply SafetyDesk::crisis_reply(const std::string& category, const std::string& country, const std::string& lang) const {
  if (category == "someone_else") return kit_->responder.someone_else(country, lang);
  return kit_->responder.crisis(country, lang);
}

namespace {

// The words people type back to "Are you thinking about ending your life...?": the answer
// the buttons would have given, or nothing (then the words are read as any message). A
// yes may go on ("yeah, kind of"); a no must be the whole answer ("no, but I cut myself"
// is read by the screen).
std::optional<std::string> typed_answer_to_ask(const std::string& typed) {
  std::string t;
  for (char c : typed) {
    if (c == '\'' ) continue;
    t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  while (!t.empty() && std::string_view(" .!?,\n").find(t.back()) != std::string_view::npos) t.pop_back();
  while (!t.empty() && t.front() == ' ') t.erase(t.begin());
  static const std::vector<std::string> unsure = {"not sure", "im not sure", "i dont know", "dont know", "idk", "unsure",
                                                  "maybe", "i guess", "kind of", "sort of", "a bit", "a little", "sometimes"};
  static const std::vector<std::string> no = {"no", "nope", "nah", "n", "no im not", "no i am not", "not at all", "no im fine",
                                              "im fine", "im ok", "im okay", "no im ok", "no im okay", "nein", "non", "nee",
                                              "nie", "hayir", "nao"};
  static const std::vector<std::string> yes_first = {"yes", "yeah", "yep", "yup", "y", "ya", "ye", "sure", "kinda", "sorta",
                                                     "probably", "definitely", "ja", "si", "oui", "sim", "tak", "evet"};
  auto in = [&](const std::vector<std::string>& words) { return std::find(words.begin(), words.end(), t) != words.end(); };
  if (in(unsure)) return std::string(safety::SafetyResponder::kUnsure);
  if (in(no)) return std::string(safety::SafetyResponder::kNo);
  std::string first = t.substr(0, t.find_first_of(" ,"));
  if (std::find(yes_first.begin(), yes_first.end(), first) != yes_first.end() || t == "i am" || t == "i think so")
    return std::string(safety::SafetyResponder::kYes);
  return std::nullopt;
}

}  // namespace

bool SafetyDesk::answer_private(core::Person& person, const core::Incoming& message, store::Transaction& tx) {
  using Responder = safety::SafetyResponder;
  auto kit = kit_;  // the replies below use one policy, even if another is loaded meanwhile
  const auto& responder = kit->responder;
  // A question asked directly and not yet answered: words typed back answer it as the
  // buttons would ("yes", "idk", "no").
  auto& asked = cache_.record(person).asked;
  std::optional<std::string> typed_answer;
  std::string asked_in;
  if (asked && !message.is_choice() && message.at - asked->at <= std::chrono::minutes(30)) {
    typed_answer = typed_answer_to_ask(message.text);
    asked_in = asked->language;
  }
  if (message.is_choice() || typed_answer) asked.reset();
  if (typed_answer || (message.is_choice() && Responder::is_safety_choice(message.choice_id))) {
    // Named, not a structured binding: lambdas below capture them (clang 14 cannot).
    const auto parsed = typed_answer ? Responder::ParsedChoice{*typed_answer, asked_in} : Responder::parse_choice(message.choice_id);
    const std::string id = parsed.id, lang = parsed.language;
    if (id == Responder::kYes || id == Responder::kUnsure) {
      // Asked directly, and the answer is yes or not sure: not sure counts as yes.
      metrics_.add_counter("bounceback_safety_asked_total", {{"answer", id == Responder::kYes ? "yes" : "unsure"}});
      pause(person, message.at);
      conversation_.answer(person, message.correlation_id, tx, [&](dialog::DialogState& state, const dialog::DialogContext&, dialog::ActionHandler*) {
        return coach::CoachTurn{{responder.crisis(country_of(person, state), lang)}, {}};
      });
      return true;
    }
    conversation_.answer(person, message.correlation_id, tx, [&](dialog::DialogState& state, const dialog::DialogContext& context, dialog::ActionHandler* domain) {
      coach::CoachTurn t;
      if (id == Responder::kContacts) {
        t.replies.push_back(responder.contacts(country_of(person, state), lang));
        return t;
      }
      if (id == Responder::kNo) {
        metrics_.add_counter("bounceback_safety_asked_total", {{"answer", "no"}});
        t.replies.push_back(responder.ask_no(lang));
      } else if (id == Responder::kNotMeant) {
        person.safety_pause_until = {};  // a false alarm: no reason to hold anything back
        t.replies.push_back(responder.not_meant(lang));
      } else {
        t.replies.push_back(responder.safe(lang));
      }
      auto again = conversation_.coach().reprompt(person, state, context, domain);
      t.replies.insert(t.replies.end(), again.replies.begin(), again.replies.end());
      return t;
    });
    return true;
  }
  if (message.is_choice()) return false;
  safety::ScreenResult result = screen(person, message);
  if (result.kind == safety::ScreenResult::Kind::none) return false;
  if (result.crisis()) {
    pause(person, message.at);
    conversation_.answer(person, message.correlation_id, tx, [&](dialog::DialogState& state, const dialog::DialogContext&, dialog::ActionHandler*) {
      // The dialog stays where it was: "I'm safe, continue" picks it up again.
      return coach::CoachTurn{{crisis_reply(result.category, country_of(person, state), result.language)}, {}};
    });
    return true;
  }
  if (result.asks()) {
    // Not plain enough to be sure: ask, as crisis counsellors do. The dialog stays.
    asked = PersonCache::Asked{message.at, result.language};
    conversation_.answer(person, message.correlation_id, tx, [&](dialog::DialogState&, const dialog::DialogContext&, dialog::ActionHandler*) {
      return coach::CoachTurn{{responder.ask(result.language, result.category)}, {}};
    });
    return true;
  }
  conversation_.answer(person, message.correlation_id, tx, [&](dialog::DialogState& state, const dialog::DialogContext& context, dialog::ActionHandler* domain) {
    return conversation_.coach().start_at(person, state, "coping", "risk", context, domain);
  });
  return true;
}

std::optional<SafetyDesk::GroupAnswer> SafetyDesk::answer_in_group(core::Person& person, const core::Incoming& message,
                                                                   bool reachable, store::Transaction& tx) {
  if (message.is_choice() || message.text.empty()) return std::nullopt;
  safety::ScreenResult screened = screen(person, message);
  if (screened.kind == safety::ScreenResult::Kind::none) return std::nullopt;
  metrics_.add_counter("bounceback_group_safety_replies_total", {});
  auto kit = kit_;
  std::string country = country_of(person, cache_.state(person));
  const std::string& lang = screened.language;
  GroupAnswer out{reachable ? kit->responder.group(lang) : kit->responder.group_no_private(country, lang), {}};
  if (screened.crisis()) {
    pause(person, message.at);
    if (reachable) out.to_sender.push_back(crisis_reply(screened.category, country, lang));
  } else if (screened.asks()) {
    if (reachable) {  // asked privately, never in the group; a typed yes or no answers it
      cache_.record(person).asked = PersonCache::Asked{message.at, lang};
      out.to_sender.push_back(kit->responder.ask(lang, screened.category));
    }
  } else if (reachable) {
    auto turn = conversation_.decide(person, tx, [&](dialog::DialogState& st, const dialog::DialogContext& context, dialog::ActionHandler* domain) {
      return conversation_.coach().start_at(person, st, "coping", "risk", context, domain);
    });
    out.to_sender = std::move(turn.replies);
  }
  return out;
}

}  // namespace bounceback::engine
