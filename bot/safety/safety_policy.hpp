#pragma once
#include <map>
#include <string>
#include <vector>

#include "bot/core/diagnostic.hpp"

namespace bounceback::safety {

// One place to get help now.
struct CrisisResource {
  std::string service;
  std::string phone;
  std::string text;
  std::string url;
  std::string note;
};

struct SafetyCategory {
  std::string id;  // suicide_self_harm, harm_others, overdose_substance, abuse_danger
  std::string label;
  std::vector<std::string> phrases;
};

// config/safety/<locale>.yaml, read and validated.
struct SafetyPolicy {
  std::string locale = "en";
  int pause_hours = 24;
  std::map<std::string, std::string> messages;  // crisis, contacts, safe, not_meant, group, choice_*
  std::vector<SafetyCategory> categories;        // in order of precedence
  std::vector<std::string> coping_risk;          // not an emergency: the coping path to a professional
  std::map<std::string, std::vector<CrisisResource>> resources;  // country code or "international"
};

// Reads a safety file; every problem goes to `diagnostics` as FILE:LINE:COL.
SafetyPolicy load_safety_policy(const std::string& path, std::vector<core::Diagnostic>& diagnostics);

}  // namespace bounceback::safety
