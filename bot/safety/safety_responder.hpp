#pragma once
#include <string>

#include "bot/core/reply.hpp"
#include "bot/safety/safety_policy.hpp"

namespace bounceback::safety {

// The safety replies, written in the policy, with the resources for a country.
class SafetyResponder {
 public:
  static constexpr const char* kContacts = "safety.contacts";
  static constexpr const char* kSafe = "safety.safe";
  static constexpr const char* kNotMeant = "safety.not_meant";
  // One of the three buttons above; any other id is not the safety screen's to answer.
  static bool is_safety_choice(const std::string& id) { return id == kContacts || id == kSafe || id == kNotMeant; }

  explicit SafetyResponder(const SafetyPolicy& policy) : policy_(policy) {}

  core::Reply crisis(const std::string& country) const;    // the first answer, with the choices
  core::Reply contacts(const std::string& country) const;  // "show me who to contact"
  core::Reply safe() const;                                // "I'm safe, continue"
  core::Reply not_meant() const;                           // "that's not what I meant"
  core::Reply group() const;                               // in a group: brief, no words repeated
  // In a group, for a person bounceback cannot message privately: the resources there.
  core::Reply group_no_private(const std::string& country) const;

  // "• Service: call 988, text 988, https://..." lines: the country's, then international.
  std::string resources(const std::string& country) const;

 private:
  std::string message(const std::string& key, const std::string& country = "") const;
  const SafetyPolicy& policy_;
};

}  // namespace bounceback::safety
