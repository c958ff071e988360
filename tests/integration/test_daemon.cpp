// The daemon's life and its HTTP endpoints, through the real binary.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <signal.h>

#include "tests/fakes/chat_script.hpp"
#include "tests/fakes/daemon_process.hpp"
#include "tests/fakes/http_test_client.hpp"
#include "tests/fakes/ws_test_client.hpp"

using namespace bounceback::testing;
using nlohmann::json;

namespace {

// A short conversation: hello, one text, its answer. Returns the welcome.
json converse(std::uint16_t port, const std::string& text) {
  WsTestClient client(port);
  json welcome = client.hello();
  client.send_json({{"type", "text"}, {"text", text}, {"id", "x"}});
  for (int i = 0; i < 20; ++i) {
    json f = client.read_json();
    if (f.value("final", false)) break;
  }
  return welcome;
}

}  // namespace

TEST_CASE("/healthz reports status, version, uptime and the store", "[http]") {
  TempDir data;
  DaemonProcess daemon(data.path());
  auto r = http_request(daemon.port(), "GET", "/healthz");
  CHECK(r.status == 200);
  json body = json::parse(r.body);
  CHECK(body["status"] == "ok");
  CHECK(body["store"] == "ok");
  CHECK(body["version"].is_string());
  CHECK(body["uptime_s"].is_number());
}

TEST_CASE("/metrics counts messages by connector and kind in Prometheus format", "[http]") {
  TempDir data;
  DaemonProcess daemon(data.path());
  converse(daemon.port(), "hello there");
  auto r = http_request(daemon.port(), "GET", "/metrics");
  CHECK(r.status == 200);
  CHECK_THAT(r.headers["content-type"], Catch::StartsWith("text/plain; version=0.0.4"));
  CHECK_THAT(r.body, Catch::Contains("bounceback_messages_in_total{connector=\"websocket\",type=\"text\"} 1"));
  CHECK_THAT(r.body, Catch::Contains("bounceback_messages_out_total{connector=\"websocket\",kind=\"reply\"}"));
  CHECK_THAT(r.body, Catch::Contains("bounceback_sessions_connected{connector=\"websocket\"}"));
  CHECK_THAT(r.body, Catch::Contains("bounceback_store_commit_seconds_bucket{le=\"+Inf\"}"));
  CHECK_THAT(r.body, !Catch::Contains("hello there"));
}

TEST_CASE("the chat page is served, unknown paths are 404, wrong methods 405", "[http]") {
  TempDir data;
  DaemonProcess daemon(data.path());
  auto page = http_request(daemon.port(), "GET", "/");
  CHECK(page.status == 200);
  CHECK_THAT(page.headers["content-type"], Catch::StartsWith("text/html"));
  CHECK_THAT(page.body, Catch::Contains("new WebSocket("));
  CHECK_THAT(page.body, !Catch::Contains("https://"));  // nothing loaded from other hosts
  CHECK(http_request(daemon.port(), "GET", "/nothing-here").status == 404);
  // A body over 1 MiB is refused with 413, and the server keeps serving.
  CHECK(http_request(daemon.port(), "POST", "/healthz", std::string(1024 * 1024 + 1, 'x')).status == 413);
  auto wrong = http_request(daemon.port(), "POST", "/healthz");
  CHECK(wrong.status == 405);
  CHECK(wrong.headers["allow"] == "GET");
}

TEST_CASE("/admin/* is 404 without a token and in system clock mode", "[http][admin]") {
  TempDir data;
  {
    DaemonProcess no_token(data.path(), {"--set", "clock.mode=manual"});
    CHECK(http_request(no_token.port(), "POST", "/admin/clock", R"({"advance_s":1})").status == 404);
  }
  {
    DaemonProcess system_clock(data.path(), {}, {"BOUNCEBACK_ADMIN_TOKEN=s3cret"});
    CHECK(http_request(system_clock.port(), "POST", "/admin/clock", R"({"advance_s":1})",
                       {{"Authorization", "Bearer s3cret"}}).status == 404);
  }
}

TEST_CASE("the manual clock moves only through POST /admin/clock", "[http][admin]") {
  TempDir data;
  DaemonProcess daemon(data.path(), {"--set", "clock.mode=manual", "--set", "clock.start=\"2026-03-08T06:00:00Z\""},
                       {"BOUNCEBACK_ADMIN_TOKEN=s3cret"});
  std::map<std::string, std::string> auth = {{"Authorization", "Bearer s3cret"}};
  CHECK(http_request(daemon.port(), "POST", "/admin/clock", R"({"advance_s":90})").status == 401);
  CHECK(http_request(daemon.port(), "POST", "/admin/clock", R"({"advance_s":90})",
                     {{"Authorization", "Bearer wrong!"}}).status == 401);
  auto moved = http_request(daemon.port(), "POST", "/admin/clock", R"({"advance_s":90})", auth);
  CHECK(moved.status == 200);
  CHECK(json::parse(moved.body)["now"] == "2026-03-08T06:01:30Z");
  auto set = http_request(daemon.port(), "POST", "/admin/clock", R"({"set":"2026-03-09T22:00:00+01:00"})", auth);
  CHECK(json::parse(set.body)["now"] == "2026-03-09T21:00:00Z");
  CHECK(http_request(daemon.port(), "POST", "/admin/clock", R"({"set":"tomorrow"})", auth).status == 400);
  CHECK(http_request(daemon.port(), "POST", "/admin/clock", "not json", auth).status == 400);
  CHECK(http_request(daemon.port(), "POST", "/admin/clock", R"({"advance_s":-5})", auth).status == 400);
  CHECK(http_request(daemon.port(), "POST", "/admin/clock", "{}", auth).status == 400);
}

TEST_CASE("SIGTERM stops the daemon with exit 0 and everything on disk", "[lifecycle]") {
  TempDir data;
  DaemonProcess daemon(data.path());
  json welcome = converse(daemon.port(), "please remember this");
  CHECK(daemon.stop(SIGTERM) == 0);
  std::string db = data.path() + "/bounceback.db";
  CHECK(count_rows(db, "SELECT COUNT(*) FROM people WHERE platform_user = '" + welcome["user"].get<std::string>() +
                           "'") == 1);
  CHECK(count_rows(db, "SELECT COUNT(*) FROM outbox WHERE reply_to = 'x' AND final = 1") == 1);
}

TEST_CASE("resuming with the token after a restart gives the same person", "[lifecycle]") {
  TempDir data;
  json welcome;
  {
    DaemonProcess first(data.path());
    welcome = converse(first.port(), "day one");
    CHECK(first.stop(SIGTERM) == 0);
  }
  DaemonProcess second(data.path());
  WsTestClient client(second.port());
  json again = client.hello(welcome["token"]);
  CHECK(again["user"] == welcome["user"]);
  CHECK(again["token"] == welcome["token"]);
}

TEST_CASE("SIGHUP does not stop the daemon", "[lifecycle]") {
  TempDir data;
  DaemonProcess daemon(data.path());
  ::kill(daemon.pid(), SIGHUP);
  CHECK(daemon.wait_for_log(std::regex("SIGHUP"), std::chrono::seconds(10)));
  CHECK(http_request(daemon.port(), "GET", "/healthz").status == 200);
}

TEST_CASE("backup makes a consistent copy while the daemon runs", "[lifecycle][backup]") {
  TempDir data;
  DaemonProcess daemon(data.path());
  json welcome = converse(daemon.port(), "back me up");
  std::string copy = data.path() + "/copy.db";
  auto r = run_command({"backup", "--config", DaemonProcess::default_config(), "--set", "data_dir=" + data.path(), copy});
  CHECK(r.exit_code == 0);
  CHECK(count_rows(copy, "SELECT COUNT(*) FROM people WHERE platform_user = '" + welcome["user"].get<std::string>() +
                             "'") == 1);
  CHECK(http_request(daemon.port(), "GET", "/healthz").status == 200);
}

TEST_CASE("what people write never reaches the log at info level", "[lifecycle][privacy]") {
  TempDir data;
  DaemonProcess daemon(data.path(), {"--set", "log.format=json"});
  converse(daemon.port(), "a very private sentence 8841");
  CHECK(daemon.stop(SIGTERM) == 0);
  std::string log = daemon.log();
  CHECK_THAT(log, !Catch::Contains("8841"));
  // JSON lines: every line parses.
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) CHECK_NOTHROW(json::parse(line));
}

TEST_CASE("a config error stops the daemon before it starts, naming the key", "[lifecycle]") {
  auto r = run_command({"run", "--config", DaemonProcess::default_config(), "--set", "http.listen=127.0.0.1:99999"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("--set http.listen: error:"));
}

TEST_CASE("a port that is taken is a clear error with exit 1", "[lifecycle]") {
  TempDir data, other;
  DaemonProcess daemon(data.path());
  auto r = run_command({"run", "--config", DaemonProcess::default_config(), "--set", "data_dir=" + other.path(), "--set",
                        "http.listen=127.0.0.1:" + std::to_string(daemon.port())});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("cannot listen on 127.0.0.1:" + std::to_string(daemon.port())));
}

TEST_CASE("the listening line is written even when log.level hides info", "[lifecycle]") {
  TempDir data;
  DaemonProcess daemon(data.path(), {"--set", "log.level=error"});  // throws without the line
  CHECK(daemon.port() > 0);
  CHECK_THAT(daemon.log(), !Catch::Contains("store: SQLite"));  // other info lines stay hidden
}

TEST_CASE("dialogs that fail check keep the daemon from starting, with each problem named", "[lifecycle]") {
  TempDir data;
  auto result = run_command({"run", "--config", DaemonProcess::default_config(), "--set", "http.listen=127.0.0.1:0", "--set",
                             "data_dir=" + data.path(), "--set",
                             std::string("dialogs=") + BOUNCEBACK_SOURCE_DIR + "/tests/fixtures/dialogs/broken"});
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output, Catch::Contains("call_cycle.yaml:4:3: error: this node comes back to itself"));
  CHECK_THAT(result.output, Catch::Contains("fix them (bounceback check shows them too)"));
  CHECK_THAT(result.output, !Catch::Contains("listening on"));
}
