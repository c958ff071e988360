#include "bot/safety/safety_responder.hpp"

namespace bounceback::safety {

std::string SafetyResponder::resources(const std::string& country) const {
  std::string out;
  auto add = [&out](const std::vector<CrisisResource>& list) {
    for (const auto& r : list) {
      std::string how;
      if (!r.phone.empty()) how += "call " + r.phone;
      if (!r.text.empty()) how += std::string(how.empty() ? "" : ", ") + "text " + r.text;
      if (!r.url.empty()) how += std::string(how.empty() ? "" : ", ") + r.url;
      if (!r.note.empty()) how += " (" + r.note + ")";
      out += (out.empty() ? "" : "\n") + ("• " + r.service + ": " + how);
    }
  };
  if (auto it = policy_.resources.find(country); !country.empty() && it != policy_.resources.end()) add(it->second);
  if (auto it = policy_.resources.find("international"); it != policy_.resources.end()) add(it->second);
  return out;
}

std::string SafetyResponder::message(const std::string& key, const std::string& country) const {
  auto it = policy_.messages.find(key);
  std::string text = it == policy_.messages.end() ? std::string() : it->second;
  auto hole = text.find("{{resources}}");
  if (hole != std::string::npos) text.replace(hole, 13, resources(country));
  return text;
}

core::Reply SafetyResponder::crisis(const std::string& country) const {
  return {core::MessageKind::safety,
          message("crisis", country),
          {{kContacts, message("choice_contacts")}, {kSafe, message("choice_safe")}, {kNotMeant, message("choice_not_meant")}}};
}

core::Reply SafetyResponder::contacts(const std::string& country) const {
  return {core::MessageKind::safety, message("contacts", country), {{kSafe, message("choice_safe")}}};
}

core::Reply SafetyResponder::safe() const { return {core::MessageKind::safety, message("safe"), {}}; }
core::Reply SafetyResponder::not_meant() const { return {core::MessageKind::reply, message("not_meant"), {}}; }
core::Reply SafetyResponder::group() const { return {core::MessageKind::safety, message("group"), {}}; }

core::Reply SafetyResponder::group_no_private(const std::string& country) const {
  std::string text = message("group_no_private", country);
  if (text.empty())  // an older safety file without this message
    text = "I'm sorry things are so hard right now. These people are there for you at any time:\n" + resources(country);
  return {core::MessageKind::safety, text, {}};
}

}  // namespace bounceback::safety
