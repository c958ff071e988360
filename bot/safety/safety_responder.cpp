#include "bot/safety/safety_responder.hpp"

namespace bounceback::safety {

namespace {

void fill(std::string& text, const std::string& hole, const std::string& with) {
  auto at = text.find(hole);
  if (at != std::string::npos) text.replace(at, hole.size(), with);
}

}  // namespace

bool SafetyResponder::is_safety_choice(const std::string& id) {
  auto parsed = parse_choice(id).id;
  for (const char* known : {kContacts, kSafe, kNotMeant, kYes, kNo, kUnsure})
    if (parsed == known) return true;
  return false;
}

SafetyResponder::ParsedChoice SafetyResponder::parse_choice(const std::string& id) {
  auto colon = id.find(':');
  if (colon == std::string::npos) return {id, ""};
  return {id.substr(0, colon), id.substr(colon + 1)};
}

std::string SafetyResponder::choice_id(const char* id, const std::string& lang) const {
  if (lang.empty() || lang == policy_.locale) return id;
  return std::string(id) + ":" + lang;
}

std::string SafetyResponder::resources(const std::string& country, const std::string& lang) const {
  const std::string call = message("call", lang), text_word = message("text", lang);
  std::string out;
  auto add = [&](const std::vector<CrisisResource>& list) {
    for (const auto& r : list) {
      std::string how;
      if (!r.phone.empty()) how += call + " " + r.phone;
      if (!r.text.empty()) how += std::string(how.empty() ? "" : ", ") + text_word + " " + r.text;
      if (!r.url.empty()) how += std::string(how.empty() ? "" : ", ") + r.url;
      if (!r.note.empty()) how += " (" + r.note + ")";
      out += (out.empty() ? "" : "\n") + ("• " + r.service + ": " + how);
    }
  };
  if (auto it = policy_.resources.find(country); !country.empty() && it != policy_.resources.end()) add(it->second);
  if (auto it = policy_.resources.find("international"); it != policy_.resources.end()) add(it->second);
  return out;
}

std::string SafetyResponder::emergency(const std::string& country, const std::string& lang) const {
  if (auto it = policy_.resources.find(country); !country.empty() && it != policy_.resources.end())
    for (const auto& r : it->second)
      if (r.emergency) return r.phone;
  return message("emergency_unknown", lang);
}

std::string SafetyResponder::message(const std::string& key, const std::string& lang, const std::string& country) const {
  std::string text = policy_.message(key, lang);
  if (text.empty() && key == "call") text = "call";
  if (text.empty() && key == "text") text = "text";
  if (text.find("{{emergency}}") != std::string::npos) fill(text, "{{emergency}}", emergency(country, lang));
  if (text.find("{{resources}}") != std::string::npos) fill(text, "{{resources}}", resources(country, lang));
  return text;
}

core::Reply SafetyResponder::crisis(const std::string& country, const std::string& lang) const {
  return {core::MessageKind::safety,
          message("crisis", lang, country),
          {{choice_id(kContacts, lang), message("choice_contacts", lang)},
           {choice_id(kSafe, lang), message("choice_safe", lang)},
           {choice_id(kNotMeant, lang), message("choice_not_meant", lang)}}};
}

core::Reply SafetyResponder::contacts(const std::string& country, const std::string& lang) const {
  return {core::MessageKind::safety, message("contacts", lang, country), {{choice_id(kSafe, lang), message("choice_safe", lang)}}};
}

core::Reply SafetyResponder::safe(const std::string& lang) const { return {core::MessageKind::safety, message("safe", lang), {}}; }
core::Reply SafetyResponder::not_meant(const std::string& lang) const {
  return {core::MessageKind::reply, message("not_meant", lang), {}};
}

core::Reply SafetyResponder::ask(const std::string& lang, const std::string& category) const {
  // Danger from others, or to others: the question is about danger, not about suicide.
  std::string text;
  if (category == "abuse_danger" || category == "harm_others") text = message("ask_danger", lang);
  if (text.empty()) text = message("ask", lang);
  return {core::MessageKind::safety,
          text,
          {{choice_id(kYes, lang), message("choice_yes", lang)},
           {choice_id(kNo, lang), message("choice_no", lang)},
           {choice_id(kUnsure, lang), message("choice_unsure", lang)}}};
}

core::Reply SafetyResponder::ask_no(const std::string& lang) const {
  return {core::MessageKind::safety, message("ask_no", lang), {}};
}

core::Reply SafetyResponder::someone_else(const std::string& country, const std::string& lang) const {
  return {core::MessageKind::safety,
          message("someone_else", lang, country),
          {{choice_id(kContacts, lang), message("choice_contacts", lang)}}};
}

core::Reply SafetyResponder::group(const std::string& lang) const {
  return {core::MessageKind::safety, message("group", lang), {}};
}

core::Reply SafetyResponder::group_no_private(const std::string& country, const std::string& lang) const {
  std::string text = message("group_no_private", lang, country);
  if (text.empty())  // an older safety file without this message
    text = "I'm sorry things are so hard right now. These people are there for you at any time:\n" + resources(country, lang);
  return {core::MessageKind::safety, text, {}};
}

}  // namespace bounceback::safety
