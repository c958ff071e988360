#include "bot/safety/safety_policy.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

#include "bot/safety/text_normalizer.hpp"

namespace bounceback::safety {

namespace {

const std::set<std::string> kMessages = {"crisis",        "contacts",      "safe",
                                         "not_meant",     "group",         "choice_contacts",
                                         "choice_safe",   "choice_not_meant", "group_no_private"};

class PolicyReader {
 public:
  PolicyReader(std::string file, std::vector<core::Diagnostic>& out) : file_(std::move(file)), out_(out) {}

  core::SourceLocation at(const YAML::Node& n) const {
    auto m = n.Mark();
    if (m.is_null()) return {file_, 1, 1};
    return {file_, m.line + 1, m.column + 1};
  }
  void error(const YAML::Node& n, std::string message) { out_.push_back({at(n), std::move(message)}); }

  std::vector<std::string> phrases(const YAML::Node& list, const std::string& where, std::set<std::string>& seen) {
    std::vector<std::string> out;
    if (!list || !list.IsSequence() || list.size() == 0) {
      error(list ? list : YAML::Node(), where + ": phrases must be a non-empty list");
      return out;
    }
    for (const auto& item : list) {
      if (!item.IsScalar() || item.Scalar().empty()) {
        error(item, "each phrase must be text");
        continue;
      }
      std::string p = item.Scalar();
      std::string words = p.back() == '*' ? p.substr(0, p.size() - 1) : p;
      auto normal = normalize_words(words);
      if (normal.empty()) {
        error(item, "the phrase \"" + p + "\" has no words to match");
        continue;
      }
      std::string key;
      for (const auto& w : normal) key += w + " ";
      if (!seen.insert(key + (p.back() == '*' ? "*" : "")).second) {
        error(item, "the phrase \"" + p + "\" is listed twice");
        continue;
      }
      out.push_back(p);
    }
    return out;
  }

  SafetyPolicy read(const YAML::Node& root) {
    SafetyPolicy policy;
    if (!root.IsMap()) {
      error(root, "a safety file must be a mapping with messages, categories and resources");
      return policy;
    }
    for (auto it = root.begin(); it != root.end(); ++it) {
      static const std::set<std::string> keys = {"locale", "pause_hours", "messages", "categories", "coping_risk",
                                                 "resources"};
      if (!keys.count(it->first.Scalar()))
        error(it->first, "unknown key '" + it->first.Scalar() +
                             "' (a safety file has locale, pause_hours, messages, categories, coping_risk, resources)");
    }
    if (root["locale"]) policy.locale = root["locale"].Scalar();
    if (root["pause_hours"]) {
      int h = -1;
      if (!root["pause_hours"].IsScalar() || !YAML::convert<int>::decode(root["pause_hours"], h) || h < 0 || h > 24 * 30)
        error(root["pause_hours"], "pause_hours must be a number of hours from 0 to 720");
      else policy.pause_hours = h;
    }

    const YAML::Node messages = root["messages"];
    if (!messages || !messages.IsMap()) error(messages ? messages : root, "messages: a mapping of the safety replies is needed");
    else {
      for (auto it = messages.begin(); it != messages.end(); ++it) {
        std::string k = it->first.Scalar();
        if (!kMessages.count(k)) error(it->first, "unknown message '" + k + "'");
        else if (!it->second.IsScalar() || it->second.Scalar().empty()) error(it->second, "message '" + k + "' must be text");
        else policy.messages[k] = it->second.Scalar();
      }
      for (const auto& k : kMessages)
        if (!policy.messages.count(k) && k != "group_no_private")  // optional: newer than the others
          error(messages, "messages: '" + k + "' is missing");
      for (const char* k : {"crisis", "contacts", "group_no_private"})
        if (policy.messages.count(k) && policy.messages[k].find("{{resources}}") == std::string::npos)
          error(messages[k], std::string("message '") + k + "' must show {{resources}}");
    }

    std::set<std::string> seen;
    const YAML::Node categories = root["categories"];
    if (!categories || !categories.IsMap() || categories.size() == 0) {
      error(categories ? categories : root, "categories: at least one category of phrases is needed");
    } else {
      for (auto it = categories.begin(); it != categories.end(); ++it) {
        SafetyCategory c;
        c.id = it->first.Scalar();
        const YAML::Node body = it->second;
        if (!body.IsMap()) {
          error(body, "category '" + c.id + "' must have label and phrases");
          continue;
        }
        for (auto k = body.begin(); k != body.end(); ++k)
          if (k->first.Scalar() != "label" && k->first.Scalar() != "phrases")
            error(k->first, "'" + k->first.Scalar() + "' does not belong in a category (label, phrases)");
        c.label = body["label"] ? body["label"].Scalar() : c.id;
        c.phrases = phrases(body["phrases"], "category '" + c.id + "'", seen);
        policy.categories.push_back(std::move(c));
      }
    }
    if (root["coping_risk"]) policy.coping_risk = phrases(root["coping_risk"]["phrases"], "coping_risk", seen);

    const YAML::Node resources = root["resources"];
    if (!resources || !resources.IsMap()) {
      error(resources ? resources : root, "resources: crisis resources by country are needed");
    } else {
      for (auto it = resources.begin(); it != resources.end(); ++it) {
        std::string country = it->first.Scalar();
        if (country != "international" &&
            (country.size() != 2 || !std::isupper(static_cast<unsigned char>(country[0])) ||
             !std::isupper(static_cast<unsigned char>(country[1]))))
          error(it->first, "'" + country + "' is not a two-letter country code (or international)");
        if (!it->second.IsSequence()) {
          error(it->second, "resources for " + country + " must be a list");
          continue;
        }
        for (const auto& entry : it->second) {
          CrisisResource r;
          if (!entry.IsMap() || !entry["service"]) {
            error(entry, "each resource needs a service");
            continue;
          }
          for (auto k = entry.begin(); k != entry.end(); ++k) {
            std::string key = k->first.Scalar();
            std::string value = k->second.IsScalar() ? k->second.Scalar() : "";
            if (key == "service") r.service = value;
            else if (key == "phone") r.phone = value;
            else if (key == "text") r.text = value;
            else if (key == "url") r.url = value;
            else if (key == "note") r.note = value;
            else error(k->first, "'" + key + "' does not belong in a resource (service, phone, text, url, note)");
          }
          if (r.phone.empty() && r.text.empty() && r.url.empty())
            error(entry, "resource '" + r.service + "' needs a phone, text or url");
          policy.resources[country].push_back(std::move(r));
        }
      }
      if (!policy.resources.count("international"))
        error(resources, "resources: an 'international' list is needed for people whose country is not listed");
    }
    return policy;
  }

 private:
  std::string file_;
  std::vector<core::Diagnostic>& out_;
};

}  // namespace

SafetyPolicy load_safety_policy(const std::string& path, std::vector<core::Diagnostic>& diagnostics) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    diagnostics.push_back({{path, 1, 1}, "cannot read the safety file"});
    return {};
  } catch (const YAML::ParserException& e) {
    diagnostics.push_back({{path, e.mark.line + 1, e.mark.column + 1}, e.msg});
    return {};
  }
  try {
    return PolicyReader(path, diagnostics).read(root);
  } catch (const YAML::Exception& e) {
    diagnostics.push_back({{path, e.mark.line + 1, e.mark.column + 1}, e.msg});
    return {};
  }
}

}  // namespace bounceback::safety
