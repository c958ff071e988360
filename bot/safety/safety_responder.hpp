#pragma once
#include <string>

#include "bot/core/reply.hpp"
#include "bot/safety/safety_policy.hpp"

namespace bounceback::safety {

// The safety replies, written in the policy, in the language the person wrote in, with
// the resources for a country.
class SafetyResponder {
 public:
  // The buttons' ids: "safety.<answer>", and ":<language>" when the reply was not in the
  // main language, so the answer to a button comes in the language of the question.
  static constexpr const char* kContacts = "safety.contacts";
  static constexpr const char* kSafe = "safety.safe";
  static constexpr const char* kNotMeant = "safety.not_meant";
  static constexpr const char* kYes = "safety.yes";
  static constexpr const char* kNo = "safety.no";
  static constexpr const char* kUnsure = "safety.unsure";
  // One of the buttons above; any other id is not the safety screen's to answer.
  static bool is_safety_choice(const std::string& id);
  // "safety.safe:de" -> {"safety.safe", "de"}.
  struct ParsedChoice {
    std::string id, language;
  };
  static ParsedChoice parse_choice(const std::string& id);

  explicit SafetyResponder(const SafetyPolicy& policy) : policy_(policy) {}

  core::Reply crisis(const std::string& country, const std::string& lang = "") const;    // with the choices
  core::Reply contacts(const std::string& country, const std::string& lang = "") const;  // "show me who to contact"
  core::Reply safe(const std::string& lang = "") const;                                  // "I'm safe, continue"
  core::Reply not_meant(const std::string& lang = "") const;                             // "that's not what I meant"
  // Asking directly, with yes / no / not sure: about suicide and self-harm, or for danger
  // from or to others (abuse_danger, harm_others) about danger now.
  core::Reply ask(const std::string& lang = "", const std::string& category = "") const;
  core::Reply ask_no(const std::string& lang = "") const;  // "no": a gentle word, back to the conversation
  // Someone else in danger now: the emergency number first, in one line, then the rest.
  core::Reply someone_else(const std::string& country, const std::string& lang = "") const;
  core::Reply group(const std::string& lang = "") const;  // in a group: brief, no words repeated
  // In a group, for a person bounceback cannot message privately: the resources there.
  core::Reply group_no_private(const std::string& country, const std::string& lang = "") const;

  // "• Service: call 988, text 988, https://..." lines: the country's, then international.
  std::string resources(const std::string& country, const std::string& lang = "") const;
  // The country's emergency number, or the message emergency_unknown.
  std::string emergency(const std::string& country, const std::string& lang = "") const;

 private:
  std::string message(const std::string& key, const std::string& lang, const std::string& country = "") const;
  std::string choice_id(const char* id, const std::string& lang) const;
  const SafetyPolicy& policy_;
};

}  // namespace bounceback::safety
