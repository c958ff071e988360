#pragma once
#include <set>
#include <string>

namespace bounceback::dialog {

// What an `action` node may do and which arguments it takes. The interpreter only emits
// actions; the core applies them (goals, steps and nudges fill theirs in as they land).
struct ActionSpec {
  std::string name;
  std::set<std::string> required;
  std::set<std::string> optional;
  std::string description;
};

const ActionSpec* find_action(const std::string& name);
const std::set<std::string>& preference_keys();  // set_preference's keys

}  // namespace bounceback::dialog
