#include "bot/app/config_loader.hpp"

#include <arpa/inet.h>
#include <date/tz.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "bot/app/config_error.hpp"
#include "bot/core/iso8601.hpp"
#include "connectors/http/http_client.hpp"
#include "connectors/http/trusted_proxies.hpp"
#include "connectors/telegram/telegram_connector.hpp"

namespace bounceback::app {

namespace {

// A setter reads one scalar into the Config; it returns an error message or nothing.
using Setter = std::function<std::optional<std::string>(const YAML::Node&, Config&)>;

std::optional<std::string> scalar(const YAML::Node& n, std::string& out) {
  if (!n.IsScalar()) return "expected a single value";
  out = n.as<std::string>();
  return std::nullopt;
}

Setter text(std::string Config::*field) {
  return [field](const YAML::Node& n, Config& c) { return scalar(n, c.*field); };
}

template <typename Section>
Setter text(Section Config::*section, std::string Section::*field) {
  return [section, field](const YAML::Node& n, Config& c) { return scalar(n, c.*section.*field); };
}

std::optional<bool> read_bool(const YAML::Node& n) {
  bool b;
  if (n.IsScalar() && YAML::convert<bool>::decode(n, b)) return b;
  return std::nullopt;
}

template <typename Section>
Setter flag(Section Config::*section, bool Section::*field) {
  return [section, field](const YAML::Node& n, Config& c) -> std::optional<std::string> {
    auto b = read_bool(n);
    if (!b) return "expected true or false";
    c.*section.*field = *b;
    return std::nullopt;
  };
}

std::optional<long long> read_integer(const YAML::Node& n) {
  long long v;
  if (n.IsScalar() && YAML::convert<long long>::decode(n, v)) return v;
  return std::nullopt;
}

Setter one_of(std::string Config::*field, std::vector<std::string> allowed) {
  return [field, allowed](const YAML::Node& n, Config& c) -> std::optional<std::string> {
    std::string v;
    if (auto e = scalar(n, v)) return e;
    for (const auto& a : allowed)
      if (a == v) {
        c.*field = v;
        return std::nullopt;
      }
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return "\"" + v + "\" is not one of: " + list;
  };
}

// A non-empty list of non-empty lines of text.
Setter lines(std::vector<std::string> Config::*field, std::string expected) {
  return [field, expected](const YAML::Node& n, Config& c) -> std::optional<std::string> {
    if (!n.IsSequence()) return "expected " + expected;
    std::vector<std::string> out;
    for (const auto& item : n) {
      if (!item.IsScalar() || item.Scalar().empty()) return "each entry must be a line of text";
      out.push_back(item.Scalar());
    }
    c.*field = std::move(out);
    return std::nullopt;
  };
}

// A whole number from `low` to `high`, handed to `keep` when it is one.
Setter integer(long long low, long long high, std::string expected, std::function<void(Config&, long long)> keep) {
  return [=](const YAML::Node& n, Config& c) -> std::optional<std::string> {
    auto v = read_integer(n);
    if (!v || *v < low || *v > high) return expected;
    keep(c, *v);
    return std::nullopt;
  };
}

Setter days(int Config::*field) {
  return [field](const YAML::Node& n, Config& c) -> std::optional<std::string> {
    auto v = read_integer(n);
    if (!v || *v < 1 || *v > 36500) return "expected a number of days from 1 to 36500";
    c.*field = static_cast<int>(*v);
    return std::nullopt;
  };
}

// "move" or "drop": what a scheduled message of one kind does inside quiet hours or a snooze.
Setter quiet_rule(bool coach::NudgeRules::*drop) {
  return [drop](const YAML::Node& n, Config& c) -> std::optional<std::string> {
    std::string v;
    if (auto e = scalar(n, v)) return e;
    if (v != "move" && v != "drop") return "\"" + v + "\" is not one of: move, drop";
    c.nudges.*drop = v == "drop";
    return std::nullopt;
  };
}

std::optional<std::string> parse_listen(const std::string& v, Config& c) {
  auto colon = v.rfind(':');
  if (colon == std::string::npos) return "expected HOST:PORT, e.g. 127.0.0.1:8080";
  std::string host = v.substr(0, colon);
  std::string port = v.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned char buf[16];
  if (inet_pton(AF_INET, host.c_str(), buf) != 1 && inet_pton(AF_INET6, host.c_str(), buf) != 1)
    return "\"" + host + "\" is not an IP address (use 127.0.0.1, 0.0.0.0 or an IPv6 address in [])";
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) > 65535)
    return "\"" + port + "\" is not a port number (0-65535; 0 lets the system choose)";
  c.http_host = host;
  c.http_port = static_cast<std::uint16_t>(std::stoi(port));
  return std::nullopt;
}

const std::map<std::string, Setter>& schema() {
  static const std::map<std::string, Setter> keys = {
      {"data_dir", text(&Config::data_dir)},
      {"storage.synchronous", one_of(&Config::storage_synchronous, {"normal", "full"})},
      {"dialogs", text(&Config::dialogs)},
      {"http.listen",
       [](const YAML::Node& n, Config& c) -> std::optional<std::string> {
         std::string v;
         if (auto e = scalar(n, v)) return e;
         return parse_listen(v, c);
       }},
      {"http.trusted_proxies",
       [](const YAML::Node& n, Config& c) -> std::optional<std::string> {
         if (!n.IsSequence()) return "expected a list of proxy addresses or networks, e.g. [127.0.0.1, 10.0.0.0/8]";
         std::vector<std::string> out;
         http::TrustedProxies check;
         for (const auto& item : n) {
           if (!item.IsScalar()) return "each entry must be an address or network";
           if (auto e = check.add(item.Scalar())) return e;
           out.push_back(item.Scalar());
         }
         c.http_trusted_proxies = std::move(out);
         return std::nullopt;
       }},
      {"clock.mode",
       [](const YAML::Node& n, Config& c) -> std::optional<std::string> {
         std::string v;
         if (auto e = scalar(n, v)) return e;
         if (v != "system" && v != "manual") return "\"" + v + "\" is not one of: system, manual";
         c.manual_clock = v == "manual";
         return std::nullopt;
       }},
      {"clock.start",
       [](const YAML::Node& n, Config& c) -> std::optional<std::string> {
         std::string v;
         if (auto e = scalar(n, v)) return e;
         auto t = core::parse_iso8601(v);
         if (!t) return "\"" + v + "\" is not an ISO-8601 time such as 2026-03-08T06:00:00Z";
         c.clock_start = *t;
         return std::nullopt;
       }},
      {"admin.token_env", text(&Config::admin_token_env)},
      {"defaults.timezone",
       [](const YAML::Node& n, Config& c) -> std::optional<std::string> {
         std::string v;
         if (auto e = scalar(n, v)) return e;
         try {
           date::locate_zone(v);
         } catch (const std::exception&) {
           return "\"" + v + "\" is not an IANA time zone such as Europe/Berlin";
         }
         c.default_timezone = v;
         return std::nullopt;
       }},
      {"defaults.country",
       [](const YAML::Node& n, Config& c) -> std::optional<std::string> {
         std::string v;
         if (auto e = scalar(n, v)) return e;
         if (!v.empty() && (v.size() != 2 || !std::isupper(static_cast<unsigned char>(v[0])) ||
                            !std::isupper(static_cast<unsigned char>(v[1]))))
           return "\"" + v + "\" is not a two-letter country code such as DE (or \"\")";
         c.default_country = v;
         return std::nullopt;
       }},
      {"connectors.websocket.enabled", flag(&Config::websocket, &websocket::WebsocketSettings::enabled)},
      {"connectors.websocket.rate_limit",
       [](const YAML::Node& n, Config& c) -> std::optional<std::string> {
         double v;
         if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || v < 0 || v > 100000)
           return "expected messages per second, 0 (off) or more";
         c.websocket.rate_limit = v;
         return std::nullopt;
       }},
      {"connectors.websocket.new_people_per_minute", integer(0, 1000000, "expected a whole number, 0 (off) or more",
                          [](Config& c, long long v) { c.websocket.new_people_per_minute = static_cast<int>(v); })},
      {"connectors.websocket.idle_timeout_s", integer(5, 86400, "expected seconds between 5 and 86400",
                          [](Config& c, long long v) { c.websocket.idle_timeout = std::chrono::seconds(v); })},
      {"connectors.websocket.send_queue", integer(8, 100000, "expected a number of frames between 8 and 100000",
                          [](Config& c, long long v) { c.websocket.send_queue = static_cast<std::size_t>(v); })},
      {"connectors.telegram.enabled", flag(&Config::telegram, &telegram::TelegramSettings::enabled)},
      {"connectors.telegram.token_env", text(&Config::telegram, &telegram::TelegramSettings::token_env)},
      {"connectors.telegram.api_base", text(&Config::telegram, &telegram::TelegramSettings::api_base)},
      {"connectors.telegram.mode",
       [](const YAML::Node& n, Config& c) -> std::optional<std::string> {
         std::string v;
         if (auto e = scalar(n, v)) return e;
         if (v != "polling" && v != "webhook") return "\"" + v + "\" is not one of: polling, webhook";
         c.telegram.mode = v;
         return std::nullopt;
       }},
      {"connectors.telegram.poll_timeout_s", integer(1, 50, "expected seconds from 1 to 50",
                          [](Config& c, long long v) { c.telegram.poll_timeout = std::chrono::seconds(v); })},
      {"connectors.telegram.request_timeout_s", integer(1, 300, "expected seconds from 1 to 300",
                          [](Config& c, long long v) { c.telegram.request_timeout = std::chrono::seconds(v); })},
      {"connectors.telegram.webhook_url", text(&Config::telegram, &telegram::TelegramSettings::webhook_url)},
      {"connectors.telegram.webhook_secret_env", text(&Config::telegram, &telegram::TelegramSettings::webhook_secret_env)},
      {"connectors.matrix.enabled", flag(&Config::matrix, &matrix::MatrixSettings::enabled)},
      {"connectors.matrix.homeserver", text(&Config::matrix, &matrix::MatrixSettings::homeserver)},
      {"connectors.matrix.user_id", text(&Config::matrix, &matrix::MatrixSettings::user_id)},
      {"connectors.matrix.token_env", text(&Config::matrix, &matrix::MatrixSettings::token_env)},
      {"connectors.matrix.password_env", text(&Config::matrix, &matrix::MatrixSettings::password_env)},
      {"connectors.matrix.sync_timeout_s", integer(1, 120, "expected seconds from 1 to 120",
                          [](Config& c, long long v) { c.matrix.sync_timeout = std::chrono::seconds(v); })},
      {"connectors.matrix.request_timeout_s", integer(1, 300, "expected seconds from 1 to 300",
                          [](Config& c, long long v) { c.matrix.request_timeout = std::chrono::seconds(v); })},
      {"safety.file", text(&Config::safety_file)},
      {"nudges.max_lateness.nudge_minutes", integer(1, 1440, "expected minutes from 1 to 1440",
                          [](Config& c, long long v) { c.nudges.nudge_max_lateness = std::chrono::minutes(v); })},
      {"nudges.max_lateness.checkin",
       [](const YAML::Node& n, Config& c) -> std::optional<std::string> {
         if (n.IsScalar() && n.Scalar() == "rest_of_day") {
           c.nudges.checkin_max_lateness.reset();
           return std::nullopt;
         }
         auto v = read_integer(n);
         if (!v || *v < 1 || *v > 1440) return "expected rest_of_day or minutes from 1 to 1440";
         c.nudges.checkin_max_lateness = std::chrono::minutes(*v);
         return std::nullopt;
       }},
      {"nudges.in_quiet_hours.nudge", quiet_rule(&coach::NudgeRules::drop_nudge_when_quiet)},
      {"nudges.in_quiet_hours.checkin", quiet_rule(&coach::NudgeRules::drop_checkin_when_quiet)},
      {"nudges.in_quiet_hours.encouragement", quiet_rule(&coach::NudgeRules::drop_encouragement_when_quiet)},
      {"nudges.encourage_after_days", integer(1, 365, "expected a number of days from 1 to 365",
                          [](Config& c, long long v) { c.nudges.encourage_after_days = static_cast<int>(v); })},
      {"nudges.max_times", integer(1, 24, "expected a number of daily nudge times from 1 to 24",
                          [](Config& c, long long v) { c.nudges.max_times = static_cast<int>(v); })},
      {"cache.idle_minutes", integer(1, 1440, "expected minutes from 1 to 1440",
                          [](Config& c, long long v) { c.cache_idle = std::chrono::minutes(v); })},
      {"privacy.retention_days", days(&Config::retention_days)},
      {"privacy.unfinished_onboarding_days", days(&Config::unfinished_onboarding_days)},
      {"coach.discouragement", lines(&Config::discouragement, "a list of phrases, such as \"I give up\"")},
      {"help.directory", lines(&Config::help_directory, "a list of lines, each one place to find help")},
      {"log.format", one_of(&Config::log_format, {"text", "json"})},
      {"log.level", one_of(&Config::log_level, {"trace", "debug", "info", "warn", "error"})},
  };
  return keys;
}

bool is_section(const std::string& path) {
  const auto& keys = schema();
  auto it = keys.lower_bound(path + ".");
  return it != keys.end() && it->first.rfind(path + ".", 0) == 0;
}

// The closest known key, for "did you mean" (edit distance on the last part).
std::string suggestion(const std::string& path) {
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diag = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        std::size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
        diag = up;
      }
    }
    return row[b.size()];
  };
  std::string best;
  std::size_t best_distance = 3;  // only close misspellings
  for (const auto& [key, setter] : schema()) {
    std::size_t d = distance(path, key);
    if (d < best_distance) {
      best_distance = d;
      best = key;
    }
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

class Validator {
 public:
  Validator(std::string source, std::set<std::string> overridden)
      : source_(std::move(source)), overridden_(std::move(overridden)) {}

  void visit(const YAML::Node& node, const std::string& prefix, Config& config) {
    if (!node.IsMap()) {
      error(prefix, node.Mark(), prefix.empty() ? "the config must be a mapping of keys" : "expected a mapping of keys");
      return;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string key = it->first.Scalar();
      std::string path = prefix.empty() ? key : prefix + "." + key;
      marks_[path] = it->second.Mark();
      const auto& keys = schema();
      if (auto spec = keys.find(path); spec != keys.end()) {
        if (auto problem = spec->second(it->second, config)) error(path, it->second.Mark(), path + ": " + *problem);
      } else if (is_section(path)) {
        if (!it->second.IsNull()) visit(it->second, path, config);
      } else {
        error(path, it->first.Mark(), "unknown key '" + path + "'" + suggestion(path));
      }
    }
  }

  void error(const std::string& path, const YAML::Mark& mark, const std::string& message) {
    if (overridden_.count(path)) {
      diagnostics_.push_back("--set " + path + ": error: " + message);
      return;
    }
    std::ostringstream line;
    line << source_ << ':' << (mark.is_null() ? 1 : mark.line + 1) << ':' << (mark.is_null() ? 1 : mark.column + 1)
         << ": error: " << message;
    diagnostics_.push_back(line.str());
  }

  // Where a key's value was written, for checks that look at several keys at once.
  YAML::Mark mark_of(const std::string& path) const {
    auto it = marks_.find(path);
    return it == marks_.end() ? YAML::Mark::null_mark() : it->second;
  }

  std::vector<std::string> diagnostics_;

 private:
  std::map<std::string, YAML::Mark> marks_;
  std::string source_;
  std::set<std::string> overridden_;
};

// --set a.b.c=VALUE: the key must exist; VALUE is YAML.
void apply_overrides(YAML::Node& root, const std::vector<std::string>& overrides, std::set<std::string>& overridden,
                     std::vector<std::string>& diagnostics) {
  for (const auto& item : overrides) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      diagnostics.push_back("--set " + item + ": error: expected KEY=VALUE, e.g. --set http.listen=127.0.0.1:0");
      continue;
    }
    std::string key = item.substr(0, eq);
    if (!schema().count(key)) {
      diagnostics.push_back("--set " + key + ": error: unknown key '" + key + "'" + suggestion(key));
      continue;
    }
    YAML::Node value;
    try {
      value = YAML::Load(item.substr(eq + 1));
    } catch (const YAML::Exception& e) {
      diagnostics.push_back("--set " + key + ": error: the value is not valid YAML: " + e.msg);
      continue;
    }
    if (value.IsNull()) value = YAML::Node(std::string());
    std::vector<std::string> parts;
    std::stringstream split(key);
    for (std::string part; std::getline(split, part, '.');) parts.push_back(part);
    YAML::Node node = root;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      if (!node[parts[i]].IsMap()) node[parts[i]] = YAML::Node(YAML::NodeType::Map);
      node.reset(node[parts[i]]);
    }
    node[parts.back()] = value;
    overridden.insert(key);
  }
}

}  // namespace

Config parse_config(const std::string& yaml_text, const std::string& source,
                    const std::vector<std::string>& overrides) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    std::ostringstream line;
    line << source << ':' << e.mark.line + 1 << ':' << e.mark.column + 1 << ": error: " << e.msg;
    throw ConfigError({line.str()});
  }
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);

  Config config;
  config.source = source;
  config.clock_start = *core::parse_iso8601("2026-03-08T06:00:00Z");
  std::set<std::string> overridden;
  std::vector<std::string> diagnostics;
  if (root.IsMap()) apply_overrides(root, overrides, overridden, diagnostics);

  Validator validator(source, overridden);
  validator.visit(root, "", config);
  if (config.matrix.enabled) {
    if (auto why = http::HttpClient::check_base_url(config.matrix.homeserver))
      validator.error("connectors.matrix.homeserver", validator.mark_of("connectors.matrix.homeserver"),
                      "connectors.matrix.homeserver: " + *why);
    const std::string& id = config.matrix.user_id;
    if (id.size() < 4 || id.front() != '@' || id.find(':') == std::string::npos || id.find(':') < 2)
      validator.error("connectors.matrix.user_id", validator.mark_of("connectors.matrix.user_id"),
                      "connectors.matrix.user_id: expected a Matrix user id such as \"@coach:example.org\"");
  }
  if (config.telegram.enabled) {
    if (auto why = http::HttpClient::check_base_url(config.telegram.api_base))
      validator.error("connectors.telegram.api_base", validator.mark_of("connectors.telegram.api_base"),
                      "connectors.telegram.api_base: " + *why);
    if (config.telegram.mode == "webhook" && config.telegram.webhook_url.rfind("https://", 0) != 0)
      validator.error("connectors.telegram.webhook_url", validator.mark_of("connectors.telegram.webhook_url"),
                      "connectors.telegram.webhook_url: webhook mode needs the public https:// URL of " +
                          std::string(telegram::TelegramConnector::kWebhookPath) + " on this daemon");
  }
  diagnostics.insert(diagnostics.end(), validator.diagnostics_.begin(), validator.diagnostics_.end());

  if (!diagnostics.empty()) throw ConfigError(std::move(diagnostics));
  return config;
}

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError({path + ":1:1: error: cannot read the config file"});
  std::stringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path, overrides);
}

}  // namespace bounceback::app
