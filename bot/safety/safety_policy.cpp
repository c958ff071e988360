#include "bot/safety/safety_policy.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "bot/safety/risk_classifier.hpp"
#include "bot/safety/safety_corpus.hpp"
#include "bot/safety/text_normalizer.hpp"

namespace bounceback::safety {

namespace {

// Every reply; the ones marked required must be in the main file, the others fall back
// to it from a language pack.
const std::set<std::string> kMessages = {
    "crisis",    "contacts", "safe",          "not_meant", "group",        "group_no_private", "choice_contacts",
    "choice_safe", "choice_not_meant", "ask", "choice_yes", "choice_no", "choice_unsure", "ask_no", "someone_else",
    "emergency_unknown", "call", "text", "ask_danger"};
// Newer than the others, with a fallback in the code.
const std::set<std::string> kOptionalInMain = {"group_no_private", "call", "text", "ask_danger"};

std::string join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

class PolicyReader {
 public:
  PolicyReader(std::string file, std::vector<core::Diagnostic>& out) : file_(std::move(file)), out_(out) {}

  core::SourceLocation at(const YAML::Node& n) const {
    auto m = n.Mark();
    if (m.is_null()) return {file_, 1, 1};
    return {file_, m.line + 1, m.column + 1};
  }
  void error(const YAML::Node& n, std::string message) { out_.push_back({at(n), std::move(message)}); }

  void only_keys(const YAML::Node& map, const std::set<std::string>& keys, const std::string& what) {
    for (auto it = map.begin(); it != map.end(); ++it)
      if (!keys.count(it->first.Scalar()))
        error(it->first, "unknown key '" + it->first.Scalar() + "' (" + what + " has " + join(keys) + ")");
  }

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
        // In a language pack, forms that differ only in accents ("frappé", "frappée")
        // normalise alike: one is enough, and listing both is no mistake.
        if (!in_language_pack_) error(item, "the phrase \"" + p + "\" is listed twice");
        continue;
      }
      out.push_back(p);
    }
    return out;
  }

  std::vector<std::string> names(const YAML::Node& n, const std::string& what) {
    std::vector<std::string> out;
    if (!n) return out;
    if (!n.IsSequence()) {
      error(n, what + " must be a list of names");
      return out;
    }
    for (const auto& item : n) {
      if (!item.IsScalar() || item.Scalar().empty()) error(item, what + ": each entry must be a name");
      else out.push_back(item.Scalar());
    }
    return out;
  }

  void messages(const YAML::Node& node, LanguagePack& pack, bool main) {
    if (!node) {
      if (main) error(YAML::Node(), "messages: a mapping of the safety replies is needed");
      return;
    }
    if (!node.IsMap()) {
      error(node, "messages: a mapping of the safety replies is needed");
      return;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string k = it->first.Scalar();
      if (!kMessages.count(k)) error(it->first, "unknown message '" + k + "'");
      else if (!it->second.IsScalar() || it->second.Scalar().empty()) error(it->second, "message '" + k + "' must be text");
      else pack.messages[k] = it->second.Scalar();
    }
    if (main)
      for (const auto& k : kMessages)
        if (!pack.messages.count(k) && !kOptionalInMain.count(k)) error(node, "messages: '" + k + "' is missing");
    for (const char* k : {"crisis", "contacts", "group_no_private", "someone_else"})
      if (pack.messages.count(k) && pack.messages[k].find("{{resources}}") == std::string::npos)
        error(node[k], std::string("message '") + k + "' must show {{resources}}");
    if (pack.messages.count("someone_else") && pack.messages["someone_else"].find("{{emergency}}") == std::string::npos)
      error(node["someone_else"], "message 'someone_else' must show {{emergency}} first");
  }

  // The parts every language file has: messages, markers, lexicons, category phrases, coping.
  void language_parts(const YAML::Node& root, LanguagePack& pack, bool main, const std::vector<SafetyCategory>& categories) {
    messages(root["messages"], pack, main);
    if (root["markers"]) {
      pack.markers = names(root["markers"], "markers");
      if (pack.markers.empty()) error(root["markers"], "markers: list the words that tell this language apart");
    }
    if (const YAML::Node lex = root["lexicons"]) {
      if (!lex.IsMap()) error(lex, "lexicons: a mapping from lexicon_name to phrases is needed");
      else
        for (auto it = lex.begin(); it != lex.end(); ++it) {
          std::set<std::string> seen;  // a phrase may stand for several concepts, once in each
          std::string lexicon_name = it->first.Scalar();
          if (!it->second.IsSequence() || it->second.size() == 0) {
            error(it->first, "lexicon '" + lexicon_name + "' is empty");
            continue;
          }
          auto list = phrases(it->second, "lexicon '" + lexicon_name + "'", seen);
          if (!list.empty()) pack.lexicons[lexicon_name] = std::move(list);
          lexicon_at_.emplace(lexicon_name, at(it->first));
        }
    }
    std::set<std::string> seen;
    if (const YAML::Node cats = root["categories"]) {
      if (!cats.IsMap()) error(cats, "categories: a mapping of categories is needed");
      else
        for (auto it = cats.begin(); it != cats.end(); ++it) {
          std::string id = it->first.Scalar();
          bool known = std::any_of(categories.begin(), categories.end(), [&](const SafetyCategory& c) { return c.id == id; });
          if (!known) {
            error(it->first, "unknown category '" + id + "' (the main safety file names the categories)");
            continue;
          }
          if (!it->second.IsMap()) {
            error(it->second, "category '" + id + "' must have phrases");
            continue;
          }
          if (main) only_keys(it->second, {"label", "kinds", "phrases"}, "a category");
          else only_keys(it->second, {"phrases"}, "a category in a language file");
          if (it->second["phrases"]) pack.category_phrases[id] = phrases(it->second["phrases"], "category '" + id + "'", seen);
        }
    }
    if (root["coping_risk"]) pack.coping_risk = phrases(root["coping_risk"]["phrases"], "coping_risk", seen);
  }

  std::vector<SafetyCategory> categories(const YAML::Node& cats) {
    std::vector<SafetyCategory> out;
    if (!cats || !cats.IsMap() || cats.size() == 0) {
      error(cats ? cats : YAML::Node(), "categories: at least one category is needed");
      return out;
    }
    for (auto it = cats.begin(); it != cats.end(); ++it) {
      SafetyCategory c;
      c.id = it->first.Scalar();
      if (it->second.IsMap()) {
        c.label = it->second["label"] ? it->second["label"].Scalar() : c.id;
        c.kinds = names(it->second["kinds"], "kinds");
      }
      if (c.kinds.empty()) c.kinds.push_back(c.id);
      out.push_back(std::move(c));
    }
    return out;
  }

  void rules(const YAML::Node& list, SafetyPolicy& policy) {
    if (!list) return;
    if (!list.IsSequence()) {
      error(list, "rules: a list of rules is needed");
      return;
    }
    std::set<std::string> ids;
    for (const auto& r : list) {
      if (!r.IsMap()) {
        error(r, "each rule is a mapping with id, category, all/any and answer");
        continue;
      }
      only_keys(r, {"id", "category", "all", "any", "none", "within", "answer", "explicit"}, "a rule");
      SafetyRule rule;
      rule.at = at(r);
      rule.id = r["id"] ? r["id"].Scalar() : "";
      if (rule.id.empty()) error(r, "a rule needs an id");
      else if (!ids.insert(rule.id).second) error(r["id"], "rule '" + rule.id + "' is defined twice");
      rule.category = r["category"] ? r["category"].Scalar() : "";
      if (std::none_of(policy.categories.begin(), policy.categories.end(), [&](const SafetyCategory& c) { return c.id == rule.category; }))
        error(r["category"] ? r["category"] : r, "rule '" + rule.id + "': unknown category '" + rule.category + "'");
      rule.all = names(r["all"], "all");
      rule.any = names(r["any"], "any");
      rule.none = names(r["none"], "none");
      if (rule.all.empty() && rule.any.empty()) error(r, "rule '" + rule.id + "' needs concepts in all: or any:");
      std::string within = r["within"] ? r["within"].Scalar() : "sentence";
      if (within != "sentence" && within != "message") error(r["within"], "within: sentence or message");
      rule.whole_message = within == "message";
      std::string answer = r["answer"] ? r["answer"].Scalar() : "crisis";
      if (answer != "crisis" && answer != "ask") error(r["answer"], "answer: crisis or ask");
      rule.ask = answer == "ask";
      if (r["explicit"]) {
        bool e = false;
        if (!YAML::convert<bool>::decode(r["explicit"], e)) error(r["explicit"], "explicit: true or false");
        rule.explicit_intent = e;
      }
      concept_refs(r, rule.id, {&rule.all, &rule.any, &rule.none});
      for (const auto& n : rule.none)
        if (std::find(rule.all.begin(), rule.all.end(), n) != rule.all.end() ||
            (rule.any.size() == 1 && rule.any[0] == n))
          error(r, "rule '" + rule.id + "' can never fire: '" + n + "' is both needed and excluded");
      policy.rules.push_back(std::move(rule));
    }
  }

  void lowerings(const YAML::Node& list, SafetyPolicy& policy) {
    if (!list) return;
    if (!list.IsSequence()) {
      error(list, "lowering: a list of contexts is needed");
      return;
    }
    for (const auto& l : list) {
      if (!l.IsMap()) {
        error(l, "each lowering context is a mapping with id, any and unless");
        continue;
      }
      only_keys(l, {"id", "any", "unless", "explicit", "classifier", "min_words"}, "a lowering context");
      Lowering low;
      low.id = l["id"] ? l["id"].Scalar() : "";
      if (low.id.empty()) error(l, "a lowering context needs an id");
      low.any = names(l["any"], "any");
      low.unless = names(l["unless"], "unless");
      if (l["classifier"]) {
        double v = -1;
        if (!YAML::convert<double>::decode(l["classifier"], v) || v <= 0 || v > 1)
          error(l["classifier"], "classifier: a probability above 0, at most 1");
        else low.classifier = v;
      }
      if (l["min_words"]) {
        int v = -1;
        if (!YAML::convert<int>::decode(l["min_words"], v) || v < 0) error(l["min_words"], "min_words: a number of words, 0 or more");
        else low.min_words = v;
      }
      if (low.any.empty() && low.classifier <= 0)
        error(l, "lowering '" + low.id + "' needs concepts in any:, or a classifier: probability");
      if (l["explicit"]) {
        bool e = false;
        if (!YAML::convert<bool>::decode(l["explicit"], e)) error(l["explicit"], "explicit: true or false");
        low.explicit_too = e;
      }
      concept_refs(l, low.id, {&low.any, &low.unless});
      policy.lowerings.push_back(std::move(low));
    }
  }

  // Concepts named by rules and lowerings, checked once every language is read.
  void concept_refs(const YAML::Node& n, const std::string& id, std::vector<std::vector<std::string>*> lists) {
    for (auto* list : lists)
      for (const auto& c : *list) refs_.push_back({at(n), id, c});
  }

  void check_concepts(const SafetyPolicy& policy) {
    std::set<std::string> known;
    for (const auto& lang : policy.languages)
      for (const auto& [name, list] : lang.lexicons) known.insert(name);
    for (const auto& ref : refs_)
      if (!known.count(ref.lexicon_name))
        out_.push_back({ref.at, "'" + ref.owner + "' names the concept '" + ref.lexicon_name + "', which no lexicon defines"});
    // A language's lexicon_name that no rule or lowering reads is most likely a typo.
    std::set<std::string> used;
    for (const auto& ref : refs_) used.insert(ref.lexicon_name);
    for (const auto& [name, where] : lexicon_at_)
      if (!used.count(name)) out_.push_back({where, "lexicon '" + name + "' is not used by any rule or lowering"});
  }

  void thresholds(const YAML::Node& n, Thresholds& t) {
    if (!n.IsMap()) {
      error(n, "thresholds: crisis and ask, between 0 and 1");
      return;
    }
    for (const char* k : {"crisis", "ask", "rule_floor"}) {
      if (!n[k]) continue;
      double v = -1;
      std::string key = k;
      if (!YAML::convert<double>::decode(n[k], v) || v < 0 || v > 1) error(n[k], key + ": a probability between 0 and 1");
      else (key == "crisis" ? t.crisis : key == "ask" ? t.ask : t.rule_floor) = v;
    }
    if (t.ask > t.crisis) error(n, "the ask threshold must not be above the crisis threshold");
  }

  void classifier(const YAML::Node& n, SafetyPolicy& policy, const std::filesystem::path& dir) {
    if (!n) return;
    if (!n.IsMap()) {
      error(n, "classifier: a mapping with model, corpus and thresholds");
      return;
    }
    only_keys(n, {"model", "corpus", "crisis", "ask", "rule_floor", "after_crisis", "min_words"}, "classifier");
    if (!n["model"] || !n["corpus"]) error(n, "classifier: model and corpus are needed");
    if (n["model"]) policy.model_file = (dir / n["model"].Scalar()).lexically_normal().string();
    if (n["corpus"]) policy.corpus_dir = (dir / n["corpus"].Scalar()).lexically_normal().string();
    thresholds(n, policy.thresholds);
    if (n["min_words"]) {
      int v = -1;
      if (!YAML::convert<int>::decode(n["min_words"], v) || v < 1 || v > 50)
        error(n["min_words"], "min_words: a number of words from 1 to 50");
      else policy.classifier_min_words = v;
    }
    if (n["after_crisis"]) thresholds(n["after_crisis"], policy.after_crisis);
    model_node_ = n["model"] ? n["model"] : n;
  }

  // The model must be the one trained from today's corpus, and whole.
  void model(SafetyPolicy& policy) {
    if (policy.model_file.empty()) return;
    std::string meta_file = policy.model_file + ".sha256";
    std::ifstream meta(meta_file);
    std::string model_hash, corpus_hash;
    for (std::string key, value; meta >> key >> value;) {
      if (key == "model") model_hash = value;
      else if (key == "corpus") corpus_hash = value;
    }
    if (!std::filesystem::is_regular_file(policy.model_file)) {
      error(model_node_, policy.model_file + ": the safety model file is missing (bounceback safety-train builds it)");
      return;
    }
    if (model_hash.empty() || corpus_hash.empty()) {
      error(model_node_, meta_file + ": missing or unreadable (bounceback safety-train writes it beside the model)");
      return;
    }
    if (file_digest(policy.model_file) != model_hash) {
      error(model_node_, policy.model_file + ": the model file is damaged (its SHA-256 is not the one in " + meta_file + ")");
      return;
    }
    if (!policy.corpus_dir.empty() && corpus_digest(policy.corpus_dir) != corpus_hash) {
      error(model_node_, policy.model_file + ": the model is older than its corpus in " + policy.corpus_dir +
                             "; run bounceback safety-train");
      return;
    }
    try {
      policy.classifier = RiskClassifier::load(policy.model_file);
    } catch (const std::exception& e) {
      error(model_node_, e.what());
    }
  }

  void resources(const YAML::Node& node, SafetyPolicy& policy, const std::filesystem::path& dir) {
    YAML::Node resources = node;
    std::string saved_file = file_;
    if (node && node.IsScalar()) {  // a file of its own beside this one
      file_ = (dir / node.Scalar()).lexically_normal().string();
      try {
        resources = YAML::LoadFile(file_)["resources"];
      } catch (const YAML::BadFile&) {
        out_.push_back({{file_, 1, 1}, "cannot read the resources file"});
        file_ = saved_file;
        return;
      } catch (const YAML::ParserException& e) {
        out_.push_back({{file_, e.mark.line + 1, e.mark.column + 1}, e.msg});
        file_ = saved_file;
        return;
      }
    }
    if (!resources || !resources.IsMap()) {
      error(resources ? resources : YAML::Node(), "resources: crisis resources by country are needed");
      file_ = saved_file;
      return;
    }
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
          else if (key == "source") r.source = value;
          else if (key == "checked") r.checked = value;
          else if (key == "emergency") {
            if (!YAML::convert<bool>::decode(k->second, r.emergency)) error(k->second, "emergency: true or false");
          } else
            error(k->first, "'" + key + "' does not belong in a resource (service, phone, text, url, note, source, checked, emergency)");
        }
        if (r.phone.empty() && r.text.empty() && r.url.empty()) error(entry, "resource '" + r.service + "' needs a phone, text or url");
        if (r.emergency && r.phone.empty()) error(entry, "the emergency entry needs a phone number");
        policy.resources[country].push_back(std::move(r));
      }
    }
    if (!policy.resources.count("international"))
      error(resources, "resources: an 'international' list is needed for people whose country is not listed");
    file_ = saved_file;
  }

  void languages(const YAML::Node& n, SafetyPolicy& policy, const std::filesystem::path& dir) {
    if (!n) return;
    if (!n.IsMap()) {
      error(n, "languages: a mapping from language code to its file");
      return;
    }
    for (auto it = n.begin(); it != n.end(); ++it) {
      LanguagePack pack;
      pack.locale = it->first.Scalar();
      pack.file = (dir / it->second.Scalar()).lexically_normal().string();
      YAML::Node root;
      try {
        root = YAML::LoadFile(pack.file);
      } catch (const YAML::BadFile&) {
        error(it->second, "cannot read the language file " + pack.file);
        continue;
      } catch (const YAML::ParserException& e) {
        out_.push_back({{pack.file, e.mark.line + 1, e.mark.column + 1}, e.msg});
        continue;
      }
      std::string saved = file_;
      file_ = pack.file;
      in_language_pack_ = true;
      if (!root.IsMap()) {
        error(root, "a language file is a mapping with locale, messages, markers, lexicons and categories");
      } else {
        only_keys(root, {"locale", "messages", "markers", "lexicons", "categories", "coping_risk"}, "a language file");
        if (root["locale"] && root["locale"].Scalar() != pack.locale)
          error(root["locale"], "locale '" + root["locale"].Scalar() + "' is listed as '" + pack.locale + "' in the main file");
        language_parts(root, pack, false, policy.categories);
        if (pack.markers.empty()) error(root, "markers: list the words that tell this language apart");
      }
      file_ = saved;
      in_language_pack_ = false;
      policy.languages.push_back(std::move(pack));
    }
  }

  SafetyPolicy read(const YAML::Node& root, const LoadOptions& options) {
    SafetyPolicy policy;
    if (!root.IsMap()) {
      error(root, "a safety file must be a mapping with messages, categories and resources");
      return policy;
    }
    only_keys(root, {"locale", "pause_hours", "messages", "markers", "lexicons", "categories", "rules", "lowering",
                     "classifier", "context_minutes", "languages", "coping_risk", "resources"},
              "a safety file");
    auto dir = std::filesystem::path(file_).parent_path();
    if (root["locale"]) policy.locale = root["locale"].Scalar();
    auto whole_number = [&](const char* key, int max, int& into) {
      if (!root[key]) return;
      int v = -1;
      if (!root[key].IsScalar() || !YAML::convert<int>::decode(root[key], v) || v < 0 || v > max)
        error(root[key], std::string(key) + " must be a whole number from 0 to " + std::to_string(max));
      else into = v;
    };
    whole_number("pause_hours", 24 * 30, policy.pause_hours);
    whole_number("context_minutes", 24 * 60, policy.context_minutes);
    policy.categories = categories(root["categories"]);
    LanguagePack main;
    main.locale = policy.locale;
    main.file = file_;
    language_parts(root, main, true, policy.categories);
    policy.languages.push_back(std::move(main));
    languages(root["languages"], policy, dir);
    rules(root["rules"], policy);
    lowerings(root["lowering"], policy);
    check_concepts(policy);
    resources(root["resources"], policy, dir);
    classifier(root["classifier"], policy, dir);
    if (options.load_model) model(policy);
    return policy;
  }

 private:
  struct ConceptRef {
    core::SourceLocation at;
    std::string owner, lexicon_name;
  };
  std::string file_;
  bool in_language_pack_ = false;
  std::vector<core::Diagnostic>& out_;
  std::vector<ConceptRef> refs_;
  std::map<std::string, core::SourceLocation> lexicon_at_;
  YAML::Node model_node_;
};

}  // namespace

const LanguagePack* SafetyPolicy::language(const std::string& code) const {
  for (const auto& l : languages)
    if (l.locale == code) return &l;
  return nullptr;
}

const std::string& SafetyPolicy::message(const std::string& key, const std::string& code) const {
  static const std::string none;
  if (const LanguagePack* pack = language(code))
    if (auto it = pack->messages.find(key); it != pack->messages.end()) return it->second;
  if (languages.empty()) return none;
  auto it = main().messages.find(key);
  return it == main().messages.end() ? none : it->second;
}

std::string SafetyPolicy::category_of_kind(const std::string& kind) const {
  for (const auto& c : categories)
    if (std::find(c.kinds.begin(), c.kinds.end(), kind) != c.kinds.end()) return c.id;
  return {};
}

bool is_main_safety_file(const std::string& path) {
  try {
    YAML::Node root = YAML::LoadFile(path);
    return root.IsMap() && root["messages"] && root["resources"];
  } catch (const YAML::Exception&) {
    return true;  // unreadable: loading it as a main file names the problem
  }
}

SafetyPolicy load_safety_policy(const std::string& path, std::vector<core::Diagnostic>& diagnostics, LoadOptions options) {
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
    return PolicyReader(path, diagnostics).read(root, options);
  } catch (const YAML::Exception& e) {
    diagnostics.push_back({{path, e.mark.line + 1, e.mark.column + 1}, e.msg});
    return {};
  }
}

}  // namespace bounceback::safety
