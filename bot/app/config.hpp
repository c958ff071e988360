#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "bot/coach/nudge_rules.hpp"
#include "bot/core/time_point.hpp"
#include "connectors/matrix/matrix_settings.hpp"
#include "connectors/telegram/telegram_settings.hpp"
#include "connectors/websocket/websocket_settings.hpp"

namespace bounceback::app {

// Everything config/bounceback.yaml can say (README "Configuration"), validated.
struct Config {
  std::string source = "config/bounceback.yaml";  // the file it came from, for messages

  std::string data_dir = "var";
  // SQLite's synchronous setting in WAL mode. normal: a commit survives the daemon being
  // killed (kill -9, a crash); the last commits may be lost with the power, the database
  // is never corrupted. full: a commit also survives a power loss (an fsync per group
  // commit, which costs the open loop's tail 2-3 times over: README).
  std::string storage_synchronous = "normal";
  std::string dialogs = "dialogs";

  std::string http_host = "127.0.0.1";
  std::uint16_t http_port = 8080;
  // Reverse proxies whose X-Forwarded-For names the client (addresses or networks).
  std::vector<std::string> http_trusted_proxies;

  bool manual_clock = false;
  core::TimePoint clock_start{};  // manual mode's first "now"

  std::string admin_token_env = "BOUNCEBACK_ADMIN_TOKEN";

  std::string default_timezone = "UTC";
  std::string default_country;

  websocket::WebsocketSettings websocket;

  telegram::TelegramSettings telegram;
  matrix::MatrixSettings matrix;

  std::string safety_file = "config/safety/en.yaml";

  // Where to find help (get_help.yaml shows it as {{help_directory}}). The deploying
  // organisation puts its own local services here.
  std::vector<std::string> help_directory = {
      "Your family doctor or GP: they can listen, and refer you to a therapist or counsellor.",
      "Find A Helpline (findahelpline.com): free, confidential support lines in many countries.",
      "Support groups: a local community centre or a national mental health charity can point you to groups "
      "near you or online.",
      "Online therapy: licensed therapists you can talk to from home; check they are licensed where you live."};

  // Phrases that bring out how far the person has come (coach.discouragement).
  std::vector<std::string> discouragement = {"I give up",       "I can't do this",    "what's the point",
                                             "I'm getting nowhere", "I keep failing", "I'll never make it",
                                             "nothing I do matters", "I'm a failure",   "why bother"};

  coach::NudgeRules nudges;  // nudges.*: lateness, quiet hours, encouragement, how many times

  std::chrono::minutes cache_idle{30};  // cache.idle_minutes

  int retention_days = 365;             // privacy.retention_days
  int unfinished_onboarding_days = 30;  // privacy.unfinished_onboarding_days

  std::string log_format = "text";  // text | json
  std::string log_level = "info";   // trace | debug | info | warn | error

  std::string database_path() const { return data_dir + "/bounceback.db"; }
};

}  // namespace bounceback::app
