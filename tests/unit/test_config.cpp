#include <catch2/catch.hpp>

#include "bot/app/config_error.hpp"
#include "bot/app/config_loader.hpp"
#include "bot/core/iso8601.hpp"

using namespace bounceback;
using app::ConfigError;

namespace {

// The diagnostics a config produces (empty when it is fine).
std::vector<std::string> errors_of(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  try {
    app::parse_config(yaml, "test.yaml", sets);
    return {};
  } catch (const ConfigError& e) {
    return e.diagnostics();
  }
}

std::string only_error(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  auto errors = errors_of(yaml, sets);
  REQUIRE(errors.size() == 1);
  return errors[0];
}

}  // namespace

TEST_CASE("the shipped default config loads with the contract's defaults", "[config]") {
  auto c = app::load_config(BOUNCEBACK_SOURCE_DIR "/config/bounceback.yaml");
  CHECK(c.data_dir == "var");
  CHECK(c.database_path() == "var/bounceback.db");
  CHECK(c.storage_synchronous == "normal");
  CHECK(c.dialogs == "dialogs");
  CHECK(c.http_host == "127.0.0.1");
  CHECK(c.http_port == 8080);
  CHECK_FALSE(c.manual_clock);
  CHECK(core::format_iso8601(c.clock_start) == "2026-03-08T06:00:00Z");
  CHECK(c.admin_token_env == "BOUNCEBACK_ADMIN_TOKEN");
  CHECK(c.default_timezone == "UTC");
  CHECK(c.websocket.enabled);
  CHECK(c.websocket.rate_limit == 20);
  CHECK(c.websocket.new_people_per_minute == 30);
  CHECK_FALSE(c.telegram.enabled);
  CHECK(c.telegram.mode == "polling");
  CHECK(c.matrix.user_id == "@coach:example.org");
  CHECK(c.safety_file == "config/safety/en.yaml");
  CHECK(c.log_format == "text");
}

TEST_CASE("an empty config means every default", "[config]") {
  auto c = app::parse_config("", "empty.yaml");
  CHECK(c.http_port == 8080);
  CHECK(c.data_dir == "var");
}

TEST_CASE("values in the file are read", "[config]") {
  auto c = app::parse_config(R"(
data_dir: /srv/bb
http: { listen: "0.0.0.0:9000" }
clock: { mode: manual, start: "2026-01-02T03:04:05Z" }
defaults: { timezone: Europe/Berlin, country: DE }
connectors:
  websocket: { rate_limit: 0, new_people_per_minute: 5 }
log: { format: json, level: debug }
)", "x.yaml");
  CHECK(c.data_dir == "/srv/bb");
  CHECK(c.http_host == "0.0.0.0");
  CHECK(c.http_port == 9000);
  CHECK(c.manual_clock);
  CHECK(core::format_iso8601(c.clock_start) == "2026-01-02T03:04:05Z");
  CHECK(c.default_timezone == "Europe/Berlin");
  CHECK(c.default_country == "DE");
  CHECK(c.websocket.rate_limit == 0);
  CHECK(c.websocket.new_people_per_minute == 5);
  CHECK(c.log_format == "json");
  CHECK(c.log_level == "debug");
}

TEST_CASE("IPv6 listen addresses are taken in brackets", "[config]") {
  auto c = app::parse_config("http: { listen: \"[::1]:0\" }", "x.yaml");
  CHECK(c.http_host == "::1");
  CHECK(c.http_port == 0);
}

TEST_CASE("every config error names FILE:LINE:COL and the key", "[config]") {
  SECTION("unknown key, with a suggestion") {
    CHECK(only_error("http:\n  lisen: 127.0.0.1:1\n") ==
          "test.yaml:2:3: error: unknown key 'http.lisen' (did you mean 'http.listen'?)");
  }
  SECTION("unknown top-level key") {
    CHECK(only_error("colour: blue\n") == "test.yaml:1:1: error: unknown key 'colour'");
  }
  SECTION("listen without a port") {
    CHECK(only_error("http:\n  listen: localhost\n") ==
          "test.yaml:2:11: error: http.listen: expected HOST:PORT, e.g. 127.0.0.1:8080");
  }
  SECTION("listen host that is not an address") {
    CHECK_THAT(only_error("http: { listen: \"example.org:80\" }"),
               Catch::StartsWith("test.yaml:1:17: error: http.listen: \"example.org\" is not an IP address"));
  }
  SECTION("port out of range") {
    CHECK_THAT(only_error("http: { listen: \"127.0.0.1:70000\" }"), Catch::Contains("\"70000\" is not a port number"));
  }
  SECTION("a trusted proxy that is not an address") {
    CHECK_THAT(only_error("http: { trusted_proxies: [10.0.0.0/8, proxy.local] }"),
               Catch::StartsWith("test.yaml:1:26: error: http.trusted_proxies: \"proxy.local\" is not an IP address"));
  }
  SECTION("clock mode") {
    CHECK(only_error("clock:\n  mode: sometimes\n") ==
          "test.yaml:2:9: error: clock.mode: \"sometimes\" is not one of: system, manual");
  }
  SECTION("clock start") {
    CHECK_THAT(only_error("clock: { start: yesterday }"), Catch::Contains("clock.start: \"yesterday\" is not an ISO-8601"));
  }
  SECTION("time zone") {
    CHECK_THAT(only_error("defaults: { timezone: Mars/Olympus }"),
               Catch::Contains("defaults.timezone: \"Mars/Olympus\" is not an IANA time zone"));
  }
  SECTION("country") {
    CHECK_THAT(only_error("defaults: { country: Germany }"), Catch::Contains("defaults.country"));
  }
  SECTION("boolean") {
    CHECK(only_error("connectors:\n  websocket:\n    enabled: perhaps\n") ==
          "test.yaml:3:14: error: connectors.websocket.enabled: expected true or false");
  }
  SECTION("negative rate limit") {
    CHECK_THAT(only_error("connectors: { websocket: { rate_limit: -1 } }"),
               Catch::Contains("connectors.websocket.rate_limit"));
  }
  SECTION("an unknown synchronous mode") {
    CHECK_THAT(only_error("storage: { synchronous: off }"), Catch::Contains("storage.synchronous"));
  }
  SECTION("a list where a value belongs") {
    CHECK_THAT(only_error("data_dir: [a, b]"), Catch::Contains("data_dir: expected a single value"));
  }
  SECTION("a value where a section belongs") {
    CHECK_THAT(only_error("http: 8080"), Catch::Contains("test.yaml:1:7: error: expected a mapping of keys"));
  }
  SECTION("a list where lines belong") {
    CHECK_THAT(only_error("help: { directory: \"call someone\" }"),
               Catch::Contains("help.directory: expected a list of lines"));
    CHECK_THAT(only_error("coach: { discouragement: [\"I give up\", [nested]] }"),
               Catch::Contains("coach.discouragement: each entry must be a line of text"));
  }
  SECTION("days out of range") {
    CHECK_THAT(only_error("privacy: { retention_days: 0 }"),
               Catch::Contains("privacy.retention_days: expected a number of days from 1 to 36500"));
  }
  SECTION("log format") {
    CHECK_THAT(only_error("log: { format: xml }"), Catch::Contains("log.format: \"xml\" is not one of: text, json"));
  }
  SECTION("matrix: a real user id, a homeserver over https (or loopback http)") {
    CHECK(only_error("connectors:\n  matrix:\n    enabled: true\n    user_id: coach\n") ==
          "test.yaml:4:14: error: connectors.matrix.user_id: expected a Matrix user id such as \"@coach:example.org\"");
    CHECK_THAT(only_error("connectors:\n  matrix: { enabled: true, homeserver: \"http://matrix.example.org\" }\n"),
               Catch::Contains("connectors.matrix.homeserver: plain http is allowed only to a loopback"));
    CHECK(errors_of("connectors:\n  matrix: { enabled: true, homeserver: \"http://127.0.0.1:8008\" }\n").empty());
  }
  SECTION("telegram: plain http only to loopback, a webhook needs its https URL") {
    CHECK_THAT(only_error("connectors:\n  telegram:\n    enabled: true\n    api_base: http://api.telegram.org\n"),
               Catch::StartsWith("test.yaml:4:15: error: connectors.telegram.api_base: plain http is allowed only to a loopback"));
    CHECK(errors_of("connectors:\n  telegram:\n    enabled: true\n    api_base: http://127.0.0.1:8081\n").empty());
    CHECK_THAT(only_error("connectors:\n  telegram: { enabled: true, mode: webhook }\n"),
               Catch::Contains("connectors.telegram.webhook_url: webhook mode needs the public https:// URL"));
    CHECK_THAT(only_error("connectors:\n  telegram: { poll_timeout_s: 90 }\n"), Catch::Contains("1 to 50"));
  }
  SECTION("YAML that does not parse") {
    CHECK_THAT(only_error("http:\n  listen: [1,\n"), Catch::StartsWith("test.yaml:3:1: error: "));
  }
}

TEST_CASE("all problems are reported at once", "[config]") {
  auto errors = errors_of("http: { listen: nope }\nclock: { mode: x }\nnonsense: 1\n");
  CHECK(errors.size() == 3);
}

TEST_CASE("a --set overrides any key, its value read as YAML", "[config][set]") {
  auto c = app::parse_config("http: { listen: \"127.0.0.1:8080\" }", "x.yaml",
                             {"http.listen=127.0.0.1:0", "connectors.websocket.rate_limit=0", "clock.mode=manual",
                              "connectors.matrix.user_id=\"@bot:example.org\"", "defaults.country=\"\""});
  CHECK(c.http_port == 0);
  CHECK(c.websocket.rate_limit == 0);
  CHECK(c.manual_clock);
  CHECK(c.matrix.user_id == "@bot:example.org");
  CHECK(c.default_country.empty());
}

TEST_CASE("a --set creates the sections the file does not have", "[config][set]") {
  auto c = app::parse_config("", "x.yaml", {"connectors.websocket.new_people_per_minute=0"});
  CHECK(c.websocket.new_people_per_minute == 0);
}

TEST_CASE("a bad --set is an error naming the key", "[config][set]") {
  CHECK(only_error("", {"http.lisen=127.0.0.1:0"}) ==
        "--set http.lisen: error: unknown key 'http.lisen' (did you mean 'http.listen'?)");
  CHECK(only_error("", {"connectors.websocket.rate_limit=fast"}) ==
        "--set connectors.websocket.rate_limit: error: connectors.websocket.rate_limit: expected messages per "
        "second, 0 (off) or more");
  CHECK_THAT(only_error("", {"http.listen"}), Catch::StartsWith("--set http.listen: error: expected KEY=VALUE"));
  CHECK_THAT(only_error("", {"data_dir=[unclosed"}), Catch::StartsWith("--set data_dir: error: the value is not valid YAML"));
}

TEST_CASE("a missing config file is an error naming it", "[config]") {
  try {
    app::load_config("/nonexistent/bounceback.yaml");
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(e.diagnostics().at(0) == "/nonexistent/bounceback.yaml:1:1: error: cannot read the config file");
  }
}

TEST_CASE("the nudge rules are read and checked", "[config][nudges]") {
  auto c = app::parse_config(
      "nudges:\n  max_lateness: { nudge_minutes: 45, checkin: 90 }\n  in_quiet_hours: { nudge: drop, encouragement: move }\n"
      "  encourage_after_days: 5\n  max_times: 3\n",
      "test.yaml", {});
  CHECK(c.nudges.nudge_max_lateness == std::chrono::minutes(45));
  CHECK(c.nudges.checkin_max_lateness == std::chrono::minutes(90));
  CHECK(c.nudges.drop_nudge_when_quiet);
  CHECK_FALSE(c.nudges.drop_checkin_when_quiet);
  CHECK_FALSE(c.nudges.drop_encouragement_when_quiet);
  CHECK(c.nudges.encourage_after_days == 5);
  CHECK(c.nudges.max_times == 3);
  auto shipped = app::load_config(BOUNCEBACK_SOURCE_DIR "/config/bounceback.yaml");
  CHECK_FALSE(shipped.nudges.checkin_max_lateness);  // rest_of_day
  CHECK(shipped.nudges.nudge_max_lateness == std::chrono::minutes(120));

  CHECK_THAT(only_error("", {"nudges.max_times=0"}), Catch::Contains("nudges.max_times") && Catch::Contains("1 to 24"));
  CHECK_THAT(only_error("", {"nudges.in_quiet_hours.checkin=later"}), Catch::Contains("move, drop"));
  CHECK_THAT(only_error("", {"nudges.max_lateness.checkin=tomorrow"}), Catch::Contains("rest_of_day"));
  CHECK_THAT(only_error("nudges:\n  max_lateness:\n    nudge_minutes: -3\n"), Catch::Contains("test.yaml:3:20"));
}
