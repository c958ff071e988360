// What a failed commit leaves behind, through the real binary with a store that fails on
// command (POST /admin/store): nothing. The person is told, the platform offers the
// update again, /healthz says so, and what was never acknowledged never appears later.
#include <catch2/catch.hpp>
#include <signal.h>

#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <thread>

#include "tests/fakes/chat_script.hpp"
#include "tests/fakes/daemon_process.hpp"
#include "tests/fakes/fake_telegram.hpp"
#include "tests/fakes/http_test_client.hpp"
#include "tests/fakes/metrics_text.hpp"
#include "tests/fakes/test_clock.hpp"
#include "tests/fakes/ws_test_client.hpp"

using namespace bounceback::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> test_mode() { return manual_clock_args("2026-03-10T09:00:00Z"); }

// The frames up to an error answering `id` (or the final message answering it).
std::vector<json> until_answered(WsTestClient& client, const std::string& id) {
  std::vector<json> frames;
  for (int i = 0; i < 30; ++i) {
    json f = client.read_json();
    frames.push_back(f);
    if (f.value("reply_to", "") == id && (f["type"] == "error" || f.value("final", false))) break;
  }
  return frames;
}

}  // namespace

TEST_CASE("a message whose commit failed gets 'unavailable', /healthz 503, and nothing of it survives", "[durability]") {
  TempDir data;
  DaemonProcess daemon(data.path(), test_mode(), {kAdminTokenEnv});
  WsTestClient client(daemon.port());
  client.hello();
  read_backlog(client);
  answer(client, text("/goal Find a new flat"), "g");
  answer(client, text("/step call two agents"), "s1");

  fail_commits(daemon, 1);
  client.send_json({{"type", "text"}, {"text", "/step Zebracorn42 viewing"}, {"id", "s2"}});
  auto lost = until_answered(client, "s2");
  REQUIRE_FALSE(lost.empty());
  CHECK(lost.back()["type"] == "error");
  CHECK(lost.back()["code"] == "unavailable");
  for (const auto& f : lost) CHECK(f["type"] != "message");  // no "added" for a step that is not there
  CHECK(http_request(daemon.port(), "GET", "/healthz").status == 503);

  // Space is back: the list holds what was acknowledged and nothing else.
  auto steps = answer(client, text("/steps"), "l");
  REQUIRE_FALSE(steps.empty());
  CHECK_THAT(steps[0]["text"].get<std::string>(), Catch::Contains("call two agents"));
  CHECK_THAT(steps[0]["text"].get<std::string>(), !Catch::Contains("Zebracorn42"));
  CHECK(http_request(daemon.port(), "GET", "/healthz").status == 200);
  auto done = answer(client, text("/done 1"), "d");
  bool celebrated = false;
  for (const auto& f : done) celebrated |= f["kind"] == "celebration";
  CHECK(celebrated);  // not "already done"

  // After kill -9, the step never acknowledged is nowhere on disk.
  daemon.kill_hard();
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream in(data.path() + "/bounceback.db" + suffix, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    CHECK(bytes.find("Zebracorn42") == std::string::npos);
  }
}

TEST_CASE("a full disk: what could not be stored is refused, and once space is back the store works again with nothing acknowledged lost",
          "[durability]") {
  TempDir data;
  std::string token;
  std::vector<std::string> acknowledged;
  {
    DaemonProcess daemon(data.path(), test_mode(), {kAdminTokenEnv});
    WsTestClient client(daemon.port());
    token = client.hello()["token"];
    read_backlog(client);
    answer(client, text("/goal Find a new flat"), "g");
    // A value that is not true or false is refused, and fills nothing.
    CHECK(http_request(daemon.port(), "POST", "/admin/store", R"({"disk_full":"yes"})", {{"Authorization", "Bearer s3cret"}})
              .status == 400);
    CHECK(http_request(daemon.port(), "GET", "/healthz").status == 200);
    fill_disk(daemon, true);
    // The write-ahead log still has the blocks of earlier commits to write into, so the
    // first steps may be stored; sooner or later one needs a new block and is refused.
    bool refused = false;
    for (int i = 0; i < 400 && !refused; ++i) {
      std::string step = "/step Kiwi" + std::to_string(i) + " " + std::string(180, 'x');
      std::string id = "s" + std::to_string(i);
      client.send_json({{"type", "text"}, {"text", step}, {"id", id}});
      auto frames = until_answered(client, id);
      REQUIRE_FALSE(frames.empty());
      if (frames.back()["type"] == "error") {
        CHECK(frames.back()["code"] == "unavailable");
        refused = true;
      } else {
        acknowledged.push_back("Kiwi" + std::to_string(i) + " ");
      }
    }
    REQUIRE(refused);
    CHECK(http_request(daemon.port(), "GET", "/healthz").status == 503);

    // Space is back: the next message is stored and answered, and /healthz says so.
    fill_disk(daemon, false);
    auto added = answer(client, text("/step Kiwi-after the disk"), "after");
    REQUIRE_FALSE(added.empty());
    CHECK(added.back()["type"] == "message");
    acknowledged.push_back("Kiwi-after");
    CHECK(http_request(daemon.port(), "GET", "/healthz").status == 200);
    daemon.kill_hard();
  }
  DaemonProcess again(data.path(), test_mode(), {kAdminTokenEnv});
  WsTestClient client(again.port());
  client.hello(token);
  read_backlog(client);
  auto steps = answer(client, text("/steps"), "l");
  std::string all;
  for (const auto& f : steps) all += f.value("text", "");
  for (const auto& step : acknowledged) CHECK_THAT(all, Catch::Contains(step));
}

namespace {

json help_update(std::int64_t update_id, std::int64_t chat) {
  return {{"update_id", update_id},
          {"message", {{"message_id", update_id}, {"from", {{"id", chat}, {"is_bot", false}, {"first_name", "Jo"}}},
                       {"chat", {{"id", chat}, {"type", "private"}}}, {"date", 1773136800}, {"text", "/help"}}}};
}

}  // namespace

TEST_CASE("Telegram polling: an update whose commit failed is asked for again and answered once", "[durability][telegram]") {
  FakeTelegram api(kFakeTelegramToken);
  TempDir data;
  DaemonProcess daemon(data.path(), telegram_daemon_args(api.api_base()), telegram_daemon_env());
  REQUIRE(api.wait_for([&] { return !api.calls("getUpdates").empty(); }, 10s));
  fail_commits(daemon, 1);
  api.person_writes(4242, "/help");
  // /help's answer comes once the commit succeeds on the update's second reading.
  REQUIRE(api.wait_delivered(4242, 1, 20s));
  REQUIRE(daemon.wait_for_log(std::regex("could not be stored; asking for it again"), 1s));
  // Then another person's message: updates are handled in order and sends go out in
  // order, so once theirs is delivered, a second answer to the first would be too.
  api.person_writes(4343, "/help");
  REQUIRE(api.wait_delivered(4343, 1, 10s));
  CHECK(api.delivered(4242).size() == 1);
}

TEST_CASE("Telegram webhook: 500 when the update could not be stored, then its retry is handled once, and updates out of order are each handled",
          "[durability][telegram]") {
  FakeTelegram api(kFakeTelegramToken);
  TempDir data;
  DaemonProcess daemon(data.path(),
                       telegram_daemon_args(api.api_base(), {"--set", "connectors.telegram.mode=webhook", "--set",
                                                      "connectors.telegram.webhook_url=\"https://bot.example.org/telegram/webhook\""}),
                       telegram_daemon_env());
  REQUIRE(api.wait_for([&] { return !api.calls("setWebhook").empty(); }, 10s));
  const std::map<std::string, std::string> secret = {{"X-Telegram-Bot-Api-Secret-Token", "hook-secret-123"}};
  auto post = [&](const json& update) { return http_request(daemon.port(), "POST", "/telegram/webhook", update.dump(), secret).status; };

  fail_commits(daemon, 1);
  CHECK(post(help_update(7001, 901)) == 500);  // Telegram will send it again
  CHECK(post(help_update(7001, 901)) == 200);
  REQUIRE(api.wait_delivered(901, 1, 10s));
  CHECK(post(help_update(7001, 901)) == 200);  // a retry of one handled: not again

  // Parallel connections deliver 7005 before 7003: both are people's messages.
  CHECK(post(help_update(7005, 905)) == 200);
  CHECK(post(help_update(7003, 903)) == 200);
  REQUIRE(api.wait_delivered(905, 1, 10s));
  REQUIRE(api.wait_delivered(903, 1, 10s));
  // Each answered once; a last update whose answer, once delivered, follows any duplicate.
  CHECK(post(help_update(7009, 909)) == 200);
  REQUIRE(api.wait_delivered(909, 1, 10s));
  CHECK(api.delivered(901).size() == 1);
  CHECK(api.delivered(903).size() == 1);
  CHECK(api.delivered(905).size() == 1);
}

TEST_CASE("SIGTERM saves what was received and not yet committed before it exits", "[durability][lifecycle]") {
  TempDir data;
  std::string token;
  {
    DaemonProcess daemon(data.path(), test_mode(), {kAdminTokenEnv});
    WsTestClient client(daemon.port());
    token = client.hello()["token"];
    read_backlog(client);
    answer(client, text("/goal Settle in"), "g");
    auto received = [&] { return metric_total(http_request(daemon.port(), "GET", "/metrics").body, "bounceback_messages_in_total"); };
    double before = received();
    // Commits now take 1.5 s: at the signal the first step is being committed and the
    // second waits in the store's queue behind it.
    auto slow = http_request(daemon.port(), "POST", "/admin/store", R"({"delay_commits_ms":1500})", {{"Authorization", "Bearer s3cret"}});
    REQUIRE(slow.status == 200);
    client.send_json({{"type", "text"}, {"text", "/step Quokka77 walk to the park"}, {"id", "s1"}});
    for (int i = 0; i < 500 && received() <= before; ++i) std::this_thread::sleep_for(10ms);  // polled: the frame is in
    client.send_json({{"type", "text"}, {"text", "/step Wombat88 call a friend"}, {"id", "s2"}});
    for (int i = 0; i < 500 && received() <= before + 1; ++i) std::this_thread::sleep_for(10ms);
    REQUIRE(received() == before + 2);
    auto status = daemon.stop(SIGTERM, 15s);
    REQUIRE(status);
    CHECK(*status == 0);
  }
  DaemonProcess again(data.path(), test_mode(), {kAdminTokenEnv});
  WsTestClient client(again.port());
  client.hello(token);
  read_backlog(client);
  auto steps = answer(client, text("/steps"), "l");
  REQUIRE_FALSE(steps.empty());
  CHECK_THAT(steps[0]["text"].get<std::string>(), Catch::Contains("Quokka77") && Catch::Contains("Wombat88"));
}
