// The Telegram connector through the real daemon. Each test names the Bot API server it
// runs against: FakeTelegram (tests/fakes: long polling, offsets, 429/500/403, slow
// answers, webhooks) or the telegram-test-api emulator from npm (tests/peers).
#include <catch2/catch.hpp>
#include <signal.h>

#include <regex>
#include <set>
#include <thread>

#include "tests/fakes/chat_script.hpp"
#include "tests/fakes/daemon_process.hpp"
#include "tests/fakes/fake_telegram.hpp"
#include "tests/fakes/http_test_client.hpp"
#include "tests/fakes/test_clock.hpp"

using namespace bounceback::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string text_of(const json& sent) { return sent.value("text", ""); }

std::vector<std::string> buttons_of(const json& sent) {
  std::vector<std::string> ids;
  if (sent.contains("reply_markup"))
    for (const auto& row : sent["reply_markup"]["inline_keyboard"])
      for (const auto& b : row) ids.push_back(b["callback_data"]);
  return ids;
}

bool contains(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

TEST_CASE("fake Bot API: /start brings onboarding with buttons, then a tap is answered and goes on", "[telegram][integration]") {
  FakeTelegram api(kFakeTelegramToken);
  TempDir data;
  DaemonProcess daemon(data.path(), telegram_daemon_args(api.api_base()), telegram_daemon_env());
  api.person_writes(111, "/start");
  REQUIRE(api.wait_delivered(111, 1, 15s));
  auto sent = api.delivered(111);
  CHECK_THAT(text_of(sent[0]), Catch::Contains("bounceback"));
  CHECK(sent[0]["parse_mode"] == "HTML");
  const json& question = sent[0];  // one message: the welcome and the question, with its buttons
  REQUIRE(contains(buttons_of(question), "agree"));
  std::int64_t question_id = question["message_id"];

  api.person_taps(111, "agree", question_id);
  REQUIRE(api.wait_delivered(111, 2, 15s));
  CHECK(api.wait_for([&] { return !api.calls("answerCallbackQuery").empty(); }, 5s));
  auto edits = api.calls("editMessageReplyMarkup");
  REQUIRE_FALSE(edits.empty());
  CHECK(edits.back().body["message_id"] == question_id);  // the old buttons are gone
  CHECK(edits.back().body["reply_markup"]["inline_keyboard"].empty());
  CHECK_THAT(text_of(api.delivered(111)[1]), Catch::Contains("call you"));
  // One message a second in a chat: the welcome, the name question and the next took two
  // seconds at least, though each answer was asked for as soon as the last arrived.
  api.person_writes(111, "Mira");
  REQUIRE(api.wait_delivered(111, 3, 15s));
  auto calls = api.calls("sendMessage");
  REQUIRE(calls.size() >= 3);
  CHECK(calls[2].at - calls[0].at >= 1900ms);
  auto health = http_request(daemon.port(), "GET", "/healthz");
  CHECK(health.status == 200);
  CHECK(json::parse(health.body)["connectors"]["telegram"] == "ok");
}

TEST_CASE("fake Bot API: 429 waits retry_after and sends once, then 500 and a slow answer are retried or waited for", "[telegram][integration]") {
  FakeTelegram api(kFakeTelegramToken);
  api.script_send({429, R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 2","parameters":{"retry_after":2}})"});
  api.script_send({500, R"({"ok":false,"error_code":500,"description":"Internal Server Error"})"});
  api.script_send({200, "", 1500ms});  // slow, but within the request timeout
  TempDir data;
  DaemonProcess daemon(data.path(), telegram_daemon_args(api.api_base()), telegram_daemon_env());
  api.person_writes(222, "/start");  // three answers, one message each
  api.person_writes(222, "/help");
  api.person_writes(222, "/nudges");
  REQUIRE(api.wait_delivered(222, 3, 20s));
  auto calls = api.calls("sendMessage");
  REQUIRE(calls.size() >= 4);
  CHECK(calls[1].at - calls[0].at >= 2000ms);  // retry_after honoured
  CHECK(calls[1].body["text"] == calls[0].body["text"]);  // the same message again
  auto delivered = api.delivered(222);
  std::set<std::string> texts;
  for (const auto& m : delivered) CHECK(texts.insert(text_of(m)).second);  // none twice
  CHECK(delivered.size() == 3);
}

TEST_CASE("fake Bot API: a person who blocked the bot (403) gets no nudges until they write again", "[telegram][integration]") {
  FakeTelegram api(kFakeTelegramToken);
  TempDir data;
  DaemonProcess daemon(data.path(), telegram_daemon_args(api.api_base()), telegram_daemon_env());
  api.person_writes(333, "/nudge 09:00");
  REQUIRE(api.wait_delivered(333, 1, 15s));
  api.script_send({403, R"({"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"})"});
  api.person_writes(333, "/nudges");
  std::string db = data.path() + "/bounceback.db";
  CHECK(api.wait_for([&] { return count_rows(db, "SELECT nudges_paused FROM people WHERE platform_user = '333'") == 1; }, 15s));
  CHECK(count_rows(db, "SELECT unreachable FROM people WHERE platform_user = '333'") == 1);
  // The nudge time passes: nothing is sent into the blocked chat.
  auto to_333 = [&] {
    std::size_t n = 0;
    for (const auto& c : api.calls("sendMessage")) n += c.body["chat_id"] == 333;
    return n;
  };
  auto before = to_333();
  set_clock(daemon, "2026-03-10T09:30:00Z");
  // What fell due was handed over before the clock answered, and sends leave in order:
  // once a later message to someone else is delivered, a nudge to 333 would have been tried.
  api.person_writes(334, "/help");
  REQUIRE(api.wait_delivered(334, 1, 15s));
  CHECK(to_333() == before);
  api.person_writes(333, "hello again");  // unblocked and writing: nudges resume
  CHECK(api.wait_for([&] { return count_rows(db, "SELECT nudges_paused FROM people WHERE platform_user = '333'") == 0; }, 15s));
}

TEST_CASE("fake Bot API: a restart mid-conversation loses no update and handles none twice", "[telegram][integration]") {
  FakeTelegram api(kFakeTelegramToken);
  TempDir data;
  {
    DaemonProcess daemon(data.path(), telegram_daemon_args(api.api_base()), telegram_daemon_env());
    api.person_writes(444, "/start");
    REQUIRE(api.wait_delivered(444, 1, 15s));
    // Wait until the daemon asked past that update (it confirms only after the commit).
    REQUIRE(api.wait_for([&] {
      auto polls = api.calls("getUpdates");
      return !polls.empty() && polls.back().body.value("offset", 0) == 1001;
    }, 10s));
    // And until the sends were recorded as delivered: otherwise the last one is sent again
    // after the restart (at least once, by design), which is not what this test counts.
    std::string db = data.path() + "/bounceback.db";
    REQUIRE(api.wait_for([&] { return count_rows(db, "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL") == 0; }, 10s));
    daemon.kill_hard();
  }
  // While it is down, the person goes on.
  api.person_taps(444, "agree", api.delivered(444)[0]["message_id"]);
  api.person_writes(444, "Mira");
  {
    DaemonProcess daemon(data.path(), telegram_daemon_args(api.api_base()), telegram_daemon_env());
    REQUIRE(api.wait_for([&] {
      for (const auto& m : api.delivered(444))
        if (text_of(m).find("Mira") != std::string::npos) return true;
      return false;
    }, 20s));
    auto polls = api.calls("getUpdates");
    std::int64_t after_restart = 0;
    for (const auto& p : polls) after_restart = std::max<std::int64_t>(after_restart, p.body.value("offset", 0));
    CHECK(after_restart == 1003);  // all three updates confirmed, none asked for again
    CHECK(daemon.stop(SIGTERM) == 0);
  }
  // Each update answered once: one welcome, one name question, the name used once.
  int welcomes = 0, names = 0, questions = 0;
  std::string all;
  for (const auto& m : api.delivered(444)) all += text_of(m) + "\n";
  INFO(all);
  for (const auto& m : api.delivered(444)) {
    welcomes += text_of(m).find("Hi, I'm bounceback") != std::string::npos;
    names += text_of(m).find("Mira") != std::string::npos;
    questions += text_of(m).find("What would you like me to call you?") != std::string::npos;
  }
  CHECK(questions == 1);
  CHECK(welcomes == 1);
  CHECK(names == 1);
  CHECK(count_rows(data.path() + "/bounceback.db", "SELECT value FROM settings WHERE key = 'telegram.offset'") == 1003);
}

TEST_CASE("fake Bot API: /export longer than one Telegram message arrives in parts", "[telegram][integration]") {
  FakeTelegram api(kFakeTelegramToken);
  TempDir data;
  DaemonProcess daemon(data.path(), telegram_daemon_args(api.api_base()), telegram_daemon_env());
  api.person_writes(1313, "/start");
  REQUIRE(api.wait_delivered(1313, 1, 15s));
  // A goal with long steps makes the export longer than one message.
  api.person_writes(1313, "/goal " + std::string(150, 'g'));
  for (int i = 0; i < 4; ++i) api.person_writes(1313, "/step " + std::to_string(i) + std::string(290, 's'));
  REQUIRE(api.wait_delivered(1313, 6, 20s));
  api.person_writes(1313, "/export");
  // The export (in parts), the word about it, and the open question again.
  REQUIRE(api.wait_for([&] {
    for (const auto& m : api.delivered(1313))
      if (text_of(m).find("That's everything I keep about you") != std::string::npos) return true;
    return false;
  }, 30s));
  auto sent = api.delivered(1313);
  std::string exported;
  bool in_export = false;
  for (const auto& m : sent) {
    std::string t = text_of(m);
    CHECK(t.size() <= 4096);
    if (t.rfind("{", 0) == 0) in_export = true;
    if (in_export && t.find("That's everything I keep about you") != std::string::npos) break;
    if (in_export) exported += t;
  }
  // What Telegram shows is the HTML-escaped text: unescape before reading it as JSON.
  for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}})
    for (auto pos = exported.find(from); pos != std::string::npos; pos = exported.find(from, pos + to.size()))
      exported.replace(pos, from.size(), to);
  CHECK(exported.size() > 4096);
  json everything = json::parse(exported, nullptr, false);
  REQUIRE_FALSE(everything.is_discarded());
  CHECK(everything["person"]["connector"] == "telegram");
}

TEST_CASE("fake Bot API: getUpdates answering 502, a page that is not JSON and 429 is polled again", "[telegram][integration]") {
  FakeTelegram api(kFakeTelegramToken);
  api.script_poll({502, "<html><body>502 Bad Gateway</body></html>"});
  api.script_poll({200, "not json at all"});
  api.script_poll({429, R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}})"});
  TempDir data;
  DaemonProcess daemon(data.path(), telegram_daemon_args(api.api_base()), telegram_daemon_env());
  api.person_writes(1414, "/help");
  REQUIRE(api.wait_delivered(1414, 1, 20s));  // through every failure, with back-off
  CHECK(api.calls("getUpdates").size() >= 4);
  CHECK(daemon.log().find("getUpdates failed") != std::string::npos);
}

TEST_CASE("fake Bot API: a sticker is answered kindly that only text gets through", "[telegram][integration]") {
  FakeTelegram api(kFakeTelegramToken);
  TempDir data;
  DaemonProcess daemon(data.path(), telegram_daemon_args(api.api_base()), telegram_daemon_env());
  api.person_sends_sticker(1212);
  REQUIRE(api.wait_delivered(1212, 1, 10s));
  CHECK_THAT(text_of(api.delivered(1212)[0]), Catch::Contains("I can only read text"));
}

TEST_CASE("fake Bot API: what could not be sent before a stop is sent after the restart", "[telegram][integration]") {
  FakeTelegram api(kFakeTelegramToken);
  for (int i = 0; i < 50; ++i) api.script_send({500, R"({"ok":false,"error_code":500,"description":"Internal Server Error"})"});
  TempDir data;
  {
    DaemonProcess daemon(data.path(), telegram_daemon_args(api.api_base()), telegram_daemon_env());
    api.person_writes(999, "/help");
    api.person_writes(999, "/nudges");
    REQUIRE(api.wait_for([&] { return !api.calls("sendMessage").empty(); }, 10s));
    CHECK(daemon.stop(SIGTERM) == 0);
  }
  CHECK(api.delivered(999).empty());
  api.clear_script();
  DaemonProcess daemon(data.path(), telegram_daemon_args(api.api_base()), telegram_daemon_env());
  REQUIRE(api.wait_delivered(999, 2, 15s));
  CHECK_THAT(text_of(api.delivered(999)[0]), Catch::Contains("not a therapist"));
  CHECK(daemon.wait_for_log(std::regex("telegram: 2 unsent message"), 5s));
}

TEST_CASE("fake Bot API: in a group only commands and mentions are answered, then other bots never", "[telegram][integration]") {
  FakeTelegram api(kFakeTelegramToken);
  TempDir data;
  DaemonProcess daemon(data.path(), telegram_daemon_args(api.api_base()), telegram_daemon_env());
  const std::int64_t group = -1001234567890;
  api.person_writes(group, "we met on Thursday, it was good", "supergroup", 555);
  api.person_writes(group, "@bounceback_bot hi from a bot", "supergroup", 666, /*from_bot=*/true);
  api.person_writes(group, "/help@bounceback_bot", "supergroup", 555);
  REQUIRE(api.wait_delivered(group, 1, 15s));  // the group's help
  auto sent = api.delivered(group);
  CHECK_THAT(text_of(sent[0]), Catch::Contains("In this group I post a daily check-in"));
  REQUIRE(api.wait_for([&] {
    auto polls = api.calls("getUpdates");
    return !polls.empty() && polls.back().body.value("offset", 0) == 1003;
  }, 10s));
  // And nothing for the talk or the bot: another /help, handled after both, is the second
  // message the group gets.
  api.person_writes(group, "/help@bounceback_bot", "supergroup", 555);
  REQUIRE(api.wait_delivered(group, 2, 15s));
  CHECK(api.delivered(group).size() == 2);
  CHECK_THAT(text_of(api.delivered(group)[1]), Catch::Contains("In this group I post a daily check-in"));
}

TEST_CASE("fake Bot API: webhook mode checks the secret and answers after the commit", "[telegram][integration]") {
  FakeTelegram api(kFakeTelegramToken);
  TempDir data;
  DaemonProcess daemon(data.path(),
                       telegram_daemon_args(api.api_base(), {"--set", "connectors.telegram.mode=webhook", "--set",
                                                      "connectors.telegram.webhook_url=\"https://bot.example.org/telegram/webhook\""}),
                       telegram_daemon_env());
  REQUIRE(api.wait_for([&] { return !api.calls("setWebhook").empty(); }, 10s));
  auto set = api.calls("setWebhook").back().body;
  CHECK(set["url"] == "https://bot.example.org/telegram/webhook");
  CHECK(set["secret_token"] == "hook-secret-123");
  CHECK(api.calls("getUpdates").empty());

  json update = {{"update_id", 5001},
                 {"message", {{"message_id", 1}, {"from", {{"id", 777}, {"is_bot", false}, {"first_name", "Jo"}}},
                              {"chat", {{"id", 777}, {"type", "private"}}}, {"date", 1773136800}, {"text", "/help"}}}};
  CHECK(http_request(daemon.port(), "POST", "/telegram/webhook", update.dump()).status == 401);
  CHECK(http_request(daemon.port(), "POST", "/telegram/webhook", update.dump(),
                     {{"X-Telegram-Bot-Api-Secret-Token", "wrong-secret-123"}}).status == 401);
  auto accepted = http_request(daemon.port(), "POST", "/telegram/webhook", update.dump(),
                               {{"X-Telegram-Bot-Api-Secret-Token", "hook-secret-123"}});
  CHECK(accepted.status == 200);
  REQUIRE(api.wait_delivered(777, 1, 15s));  // help's answer
  // Telegram retries a webhook whose answer it did not get: the same update is not handled again.
  CHECK(http_request(daemon.port(), "POST", "/telegram/webhook", update.dump(),
                     {{"X-Telegram-Bot-Api-Secret-Token", "hook-secret-123"}}).status == 200);
  // A next update's answer follows any second answer to the repeat in the same chat's queue.
  json next = update;
  next["update_id"] = 5002;
  CHECK(http_request(daemon.port(), "POST", "/telegram/webhook", next.dump(),
                     {{"X-Telegram-Bot-Api-Secret-Token", "hook-secret-123"}}).status == 200);
  REQUIRE(api.wait_delivered(777, 2, 15s));
  CHECK(api.delivered(777).size() == 2);
  CHECK(http_request(daemon.port(), "POST", "/telegram/webhook", "not json",
                     {{"X-Telegram-Bot-Api-Secret-Token", "hook-secret-123"}}).status == 400);
}

TEST_CASE("fake Bot API: the token never reaches the log, then a missing token is a clear error", "[telegram][integration]") {
  FakeTelegram api(kFakeTelegramToken);
  api.script_send({500, R"({"ok":false,"error_code":500,"description":"Internal Server Error"})"});
  TempDir data;
  {
    DaemonProcess daemon(data.path(), telegram_daemon_args(api.api_base(), {"--set", "log.level=debug"}), telegram_daemon_env());
    api.person_writes(888, "/help");
    REQUIRE(api.wait_delivered(888, 1, 15s));
    CHECK(daemon.stop(SIGTERM) == 0);
    CHECK(daemon.log().find(kFakeTelegramToken) == std::string::npos);
    CHECK(daemon.log().find("7000000001:") == std::string::npos);
  }
  {
    // A token Telegram does not know: the fake has no route for it (404, as Telegram answers).
    DaemonProcess wrong(data.path(), telegram_daemon_args(api.api_base()), {"BOUNCEBACK_TELEGRAM_TOKEN=123:not-the-token"});
    REQUIRE(wrong.wait_for_log(std::regex("telegram: the bot token was refused"), 10s));
    auto health = http_request(wrong.port(), "GET", "/healthz");
    CHECK(health.status == 503);
    CHECK_THAT(json::parse(health.body)["connectors"]["telegram"].get<std::string>(), Catch::Contains("token was refused"));
    CHECK(wrong.log().find("not-the-token") == std::string::npos);
  }
  try {
    DaemonProcess without_token(data.path(), telegram_daemon_args(api.api_base()), {});
    FAIL("the daemon started without its token");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("BOUNCEBACK_TELEGRAM_TOKEN with the bot token is not set"));
  }
}

// --- against the telegram-test-api emulator (npm, tests/peers/telegram_emulator.js) -------

namespace {

// A person in the emulator: writes and taps through its client API, reads what the bot sent.
struct EmulatedPerson {
  std::uint16_t port;
  std::int64_t id;
  std::string name;

  json who() const { return {{"id", id}, {"is_bot", false}, {"first_name", name}, {"username", name}}; }
  json chat() const { return {{"id", id}, {"type", "private"}, {"first_name", name}}; }

  void writes(const std::string& text) const {
    json m = {{"botToken", kFakeTelegramToken}, {"from", who()}, {"chat", chat()}, {"date", 1773136800}, {"text", text}};
    REQUIRE(http_request(port, "POST", "/sendMessage", m.dump(), {{"Content-Type", "application/json"}}).status == 200);
  }
  // The same in a group chat (a supergroup with a title).
  void writes_in(std::int64_t group, const std::string& title, const std::string& text) const {
    json m = {{"botToken", kFakeTelegramToken}, {"from", who()}, {"chat", {{"id", group}, {"type", "supergroup"}, {"title", title}}},
              {"date", 1773136800}, {"text", text}};
    REQUIRE(http_request(port, "POST", "/sendMessage", m.dump(), {{"Content-Type", "application/json"}}).status == 200);
  }
  void taps(const std::string& data, std::int64_t message_id) const {
    json c = {{"botToken", kFakeTelegramToken}, {"from", who()}, {"data", data},
              {"message", {{"message_id", message_id}, {"chat", chat()}, {"from", who()}}}};
    REQUIRE(http_request(port, "POST", "/sendCallback", c.dump(), {{"Content-Type", "application/json"}}).status == 200);
  }
  // What the bot sent to this person since the last read: {text, buttons, messageId}.
  std::vector<json> received() const {
    auto r = http_request(port, "POST", "/getUpdates", json{{"token", kFakeTelegramToken}, {"chatId", id}}.dump(),
                          {{"Content-Type", "application/json"}});
    REQUIRE(r.status == 200);
    std::vector<json> out;
    const json answer = json::parse(r.body);  // kept: a range-for over a temporary's member dangles
    for (const auto& u : answer["result"]) {
      json m = u["message"];
      m["messageId"] = u["messageId"];
      if (m.contains("reply_markup") && m["reply_markup"].is_string()) m["reply_markup"] = json::parse(m["reply_markup"].get<std::string>());
      out.push_back(m);
    }
    return out;
  }
  // Reads until `count` messages arrived (15 s at most).
  std::vector<json> wait_for(std::size_t count) const {
    std::vector<json> all;
    auto until = std::chrono::steady_clock::now() + 15s;
    while (all.size() < count && std::chrono::steady_clock::now() < until) {
      auto more = received();
      all.insert(all.end(), more.begin(), more.end());
      if (all.size() < count) std::this_thread::sleep_for(100ms);  // polling the emulator, which cannot push
    }
    return all;
  }
};

struct Emulator {
  DaemonProcess process{DaemonProcess::Peer{BOUNCEBACK_NODE, {BOUNCEBACK_SOURCE_DIR "/tests/peers/telegram_emulator.js"}}};
  std::string api_base() const { return "http://127.0.0.1:" + std::to_string(process.port()); }
};

}  // namespace

TEST_CASE("emulator: /start brings onboarding, a button tap the next question", "[telegram][emulator][integration]") {
  Emulator emulator;
  TempDir data;
  DaemonProcess daemon(data.path(), telegram_daemon_args(emulator.api_base()), telegram_daemon_env());
  EmulatedPerson mira{emulator.process.port(), 5101, "Mira"};
  mira.writes("/start");
  auto onboarding = mira.wait_for(1);
  REQUIRE(onboarding.size() == 1);  // the welcome and the question, one message
  CHECK_THAT(text_of(onboarding[0]), Catch::Contains("Hi, I'm bounceback"));
  REQUIRE(contains(buttons_of(onboarding[0]), "agree"));
  mira.taps("agree", onboarding[0]["messageId"]);
  auto next = mira.wait_for(1);
  REQUIRE(next.size() == 1);
  CHECK_THAT(text_of(next[0]), Catch::Contains("What would you like me to call you?"));
  // setMyCommands is a method the emulator lacks: logged once, not fatal.
  CHECK(daemon.wait_for_log(std::regex("setMyCommands failed"), 5s));
}

TEST_CASE("emulator: two people at once get no crosstalk", "[telegram][emulator][integration]") {
  Emulator emulator;
  TempDir data;
  DaemonProcess daemon(data.path(), telegram_daemon_args(emulator.api_base()), telegram_daemon_env());
  EmulatedPerson ann{emulator.process.port(), 5201, "Ann"}, bob{emulator.process.port(), 5202, "Bob"};
  ann.writes("/goal Find a new flat");
  bob.writes("/goal Sleep better");
  ann.writes("/step list neighbourhoods");
  bob.writes("/step no phone after 22:00");
  auto to_ann = ann.wait_for(2);
  auto to_bob = bob.wait_for(2);
  REQUIRE(to_ann.size() == 2);
  REQUIRE(to_bob.size() == 2);
  for (const auto& m : to_ann) {
    CHECK(m["chat_id"].dump().find("5201") != std::string::npos);
    CHECK(text_of(m).find("Sleep better") == std::string::npos);
  }
  for (const auto& m : to_bob) CHECK(text_of(m).find("flat") == std::string::npos);
  CHECK_THAT(text_of(to_ann[1]), Catch::Contains("Find a new flat"));
  CHECK_THAT(text_of(to_bob[1]), Catch::Contains("Sleep better"));
}

TEST_CASE("emulator: a nudge due on the manual clock arrives in the chat", "[telegram][emulator][integration]") {
  Emulator emulator;
  TempDir data;
  DaemonProcess daemon(data.path(), telegram_daemon_args(emulator.api_base()), telegram_daemon_env());
  EmulatedPerson mira{emulator.process.port(), 5301, "Mira"};
  mira.writes("/tz Europe/Berlin");
  REQUIRE(mira.wait_for(1).size() >= 1);
  mira.writes("/nudge 09:00");
  REQUIRE(mira.wait_for(1).size() >= 1);
  set_clock(daemon, "2026-03-10T08:01:00Z");
  auto nudge = mira.wait_for(1);
  REQUIRE(nudge.size() == 1);
  CHECK_THAT(text_of(nudge[0]), Catch::Contains("check-in") || Catch::Contains("care") ||  // any variant
                                 Catch::Contains("looking after yourself"));
  CHECK(contains(buttons_of(nudge[0]), "checkin.done"));
  CHECK(contains(buttons_of(nudge[0]), "snooze.1h"));
}

TEST_CASE("fake Bot API: a group's check-in is set by admins only, posted at its local time, then a win reaches it only when shared",
          "[telegram][groups][integration]") {
  FakeTelegram api(kFakeTelegramToken);
  TempDir data;
  DaemonProcess daemon(data.path(), telegram_daemon_args(api.api_base()), telegram_daemon_env());
  const std::int64_t group = -1009876543210;
  const std::int64_t mira = 555, noa = 556;
  api.set_chat_title(group, "Tuesday circle");
  api.set_name(noa, "Noa");
  api.set_member_status(group, mira, "administrator");

  api.person_writes(group, "/checkin 19:00 Europe/Berlin", "supergroup", noa);
  REQUIRE(api.wait_delivered(group, 1, 15s));
  CHECK_THAT(text_of(api.delivered(group)[0]), Catch::Contains("Only a group admin"));
  auto asked = api.calls("getChatMember");
  REQUIRE(asked.size() == 1);
  CHECK(asked[0].body["user_id"] == noa);
  CHECK(asked[0].body["chat_id"] == group);

  api.person_writes(group, "/checkin@bounceback_bot 19:00 Europe/Berlin", "supergroup", mira);
  REQUIRE(api.wait_delivered(group, 2, 15s));
  CHECK_THAT(text_of(api.delivered(group)[1]), Catch::Contains("every day at 19:00 (Europe/Berlin)"));

  // 19:00 in Berlin (CET) is 18:00 UTC.
  set_clock(daemon, "2026-03-10T17:59:00Z");
  auto at_six = std::chrono::steady_clock::now();
  set_clock(daemon, "2026-03-10T18:00:20Z");
  REQUIRE(api.wait_delivered(group, 3, 15s));
  CHECK(api.delivered(group).size() == 3);  // one check-in, not one at 17:59 and another at 18:00
  for (const auto& c : api.calls("sendMessage"))
    if (c.body["chat_id"] == group && text_of(c.body).find("check") != std::string::npos && !buttons_of(c.body).empty())
      CHECK(c.at >= at_six);  // sent only once the clock reached its time
  json checkin = api.delivered(group)[2];
  CHECK(buttons_of(checkin) == std::vector<std::string>{"group.checkin.good", "group.checkin.ok", "group.checkin.hard"});

  // Noa answers; Noa never opened a chat with the bot, so nothing is sent to them, and the
  // buttons stay for everyone else.
  api.person_taps(group, "group.checkin.hard", checkin["message_id"], noa, "supergroup");
  REQUIRE(api.wait_for([&] { return !api.calls("answerCallbackQuery").empty(); }, 10s));

  // Mira, privately: a step done brings the offer to share it with the group.
  api.person_writes(mira, "/goal Sleep better rhythm");
  api.person_writes(mira, "/step evening walk without phone");
  api.person_writes(mira, "/done 1");
  json offer;
  REQUIRE(api.wait_for([&] {
    for (const auto& m : api.delivered(mira))
      for (const auto& id : buttons_of(m))
        if (id.rfind("share.", 0) == 0 && id != "share.keep") {
          offer = m;
          return true;
        }
    return false;
  }, 20s));
  CHECK_THAT(text_of(offer), Catch::Contains("share this win with Tuesday circle"));
  // Nothing before the choice: the share, below, is the group's fourth message.
  std::string share;
  for (const auto& id : buttons_of(offer))
    if (id.rfind("share.", 0) == 0 && id != "share.keep") share = id;
  api.person_taps(mira, share, offer["message_id"]);
  REQUIRE(api.wait_delivered(group, 4, 15s));
  CHECK(text_of(api.delivered(group)[3]) == "<b>Mira completed a step 🎉</b>");  // a celebration: bold

  // Noa in crisis in the group, with no private chat to reach: care and the resources there.
  api.person_writes(group, "@bounceback_bot I want to end my life", "supergroup", noa);
  REQUIRE(api.wait_delivered(group, 5, 15s));
  std::string care = text_of(api.delivered(group)[4]);
  CHECK_THAT(care, Catch::Contains("You don't have to face it alone") && Catch::Contains("•"));

  // Nothing Mira wrote privately, nor Noa's words, in anything the group was sent.
  for (const auto& m : api.delivered(group))
    for (const char* words : {"Sleep better", "evening walk", "end my life"}) CHECK_THAT(text_of(m), !Catch::Contains(words));
  // Checked last, long after Noa's tap: the check-in's buttons were never taken away, while
  // Mira's private offer lost its buttons when she tapped (so edits do reach the fake).
  auto edits = api.calls("editMessageReplyMarkup");
  CHECK(std::any_of(edits.begin(), edits.end(), [&](const auto& e) { return e.body["chat_id"] == mira; }));
  for (const auto& edit : edits) CHECK(edit.body["chat_id"] != group);
  // Noa, who never opened a chat with the bot, was never written to: not after the tap,
  // not after the crisis (both handled long before the messages waited for above).
  for (const auto& c : api.calls("sendMessage")) CHECK(c.body["chat_id"] != noa);
}

TEST_CASE("emulator: in a group, settings need an admin the emulator cannot confirm, then a shared win reaches the group",
          "[telegram][emulator][groups][integration]") {
  Emulator emulator;
  TempDir data;
  DaemonProcess daemon(data.path(), telegram_daemon_args(emulator.api_base()), telegram_daemon_env());
  const std::int64_t group_id = -1005550001;
  EmulatedPerson mira{emulator.process.port(), 5401, "Mira"};
  EmulatedPerson group{emulator.process.port(), group_id, "Tuesday circle"};  // reads the group chat

  // getChatMember is a method the emulator lacks: nobody counts as an admin then.
  mira.writes_in(group_id, "Tuesday circle", "/checkin 19:00 Europe/Berlin");
  auto refused = group.wait_for(1);
  REQUIRE(refused.size() == 1);
  CHECK_THAT(text_of(refused[0]), Catch::Contains("Only a group admin"));
  CHECK(daemon.wait_for_log(std::regex("getChatMember failed"), 5s));

  mira.writes("/goal Sleep better rhythm");
  mira.writes("/step evening walk without phone");
  REQUIRE(mira.wait_for(2).size() == 2);
  mira.writes("/done 1");
  auto done = mira.wait_for(2);  // the celebration and the offer
  REQUIRE(done.size() == 2);
  CHECK_THAT(text_of(done[1]), Catch::Contains("share this win with Tuesday circle"));
  std::string share;
  for (const auto& id : buttons_of(done[1]))
    if (id.rfind("share.", 0) == 0 && id != "share.keep") share = id;
  REQUIRE_FALSE(share.empty());
  CHECK(group.received().empty());  // nothing before the choice
  mira.taps(share, done[1]["messageId"]);
  auto posted = group.wait_for(1);
  REQUIRE(posted.size() == 1);
  CHECK(text_of(posted[0]) == "<b>Mira completed a step 🎉</b>");
  CHECK_THAT(text_of(mira.wait_for(1).at(0)), Catch::Contains("Shared with Tuesday circle"));
}

TEST_CASE("fake Bot API: a group that removed the bot (403) gets no check-ins until someone there writes again",
          "[telegram][groups][integration]") {
  FakeTelegram api(kFakeTelegramToken);
  TempDir data;
  DaemonProcess daemon(data.path(), telegram_daemon_args(api.api_base()), telegram_daemon_env());
  const std::int64_t group = -1004440001;
  api.set_member_status(group, 555, "creator");
  api.person_writes(group, "/checkin 07:00 UTC", "group", 555);
  REQUIRE(api.wait_delivered(group, 1, 15s));
  api.script_send({403, R"({"ok":false,"error_code":403,"description":"Forbidden: bot was kicked from the group chat"})"});
  set_clock(daemon, "2026-03-10T07:00:10Z");
  REQUIRE(daemon.wait_for_log(std::regex("a chat refuses messages"), 10s));
  auto attempts = [&] {
    std::size_t n = 0;
    for (const auto& c : api.calls("sendMessage")) n += c.body["chat_id"] == group;
    return n;
  };
  auto tried = attempts();
  set_clock(daemon, "2026-03-11T07:00:10Z");
  // A later message to someone else, delivered: a check-in to the group would have been tried.
  api.person_writes(556, "/help");
  REQUIRE(api.wait_delivered(556, 1, 15s));
  CHECK(attempts() == tried);
  api.person_writes(group, "/checkin", "group", 555);  // the bot is back in the group
  REQUIRE(api.wait_delivered(group, 2, 15s));
  set_clock(daemon, "2026-03-12T07:00:10Z");
  REQUIRE(api.wait_delivered(group, 3, 15s));
  CHECK(buttons_of(api.delivered(group)[2]).size() == 3);
}
