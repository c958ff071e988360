#include "tests/fakes/fake_telegram.hpp"

#include <map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "connectors/http/http_server.hpp"
#include "tests/fakes/test_clock.hpp"

namespace bounceback::testing {

namespace asio = boost::asio;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct FakeTelegram::Impl {
  explicit Impl(std::string token) : token(std::move(token)), server(io, "127.0.0.1", 0) {}

  std::string token;
  asio::io_context io;
  http::HttpServer server;
  std::thread thread;

  mutable std::mutex mutex;
  std::condition_variable changed;
  std::vector<Call> calls;
  std::deque<json> updates;  // not yet confirmed
  std::int64_t next_update_id = 1000;
  std::int64_t next_message_id = 1;
  std::deque<Scripted> scripted;
  std::map<std::int64_t, std::string> titles;   // group chat -> title
  std::map<std::int64_t, std::string> names;    // user -> first name
  std::map<std::pair<std::int64_t, std::int64_t>, std::string> member_status;  // (chat, user) -> status
  std::deque<Scripted> scripted_polls;
  std::vector<json> delivered;

  struct Poll {
    std::int64_t offset;
    http::HttpServer::Respond respond;
    std::shared_ptr<asio::steady_timer> timer;
  };
  std::vector<std::shared_ptr<Poll>> polls;  // io thread only

  static http::HttpResponse ok(json result) { return http::HttpResponse::json(200, json{{"ok", true}, {"result", result}}.dump()); }

  void record(const std::string& method, const json& body) {
    std::lock_guard lock(mutex);
    calls.push_back({method, body, Clock::now()});
    changed.notify_all();
  }

  // Forgets what the offset confirms; answers a poll when something is there.
  json take(std::int64_t offset) {
    std::lock_guard lock(mutex);
    while (!updates.empty() && updates.front()["update_id"].get<std::int64_t>() < offset) updates.pop_front();
    json out = json::array();
    for (const auto& u : updates) out.push_back(u);
    return out;
  }

  void wake_polls() {  // io thread
    auto waiting = std::move(polls);
    polls.clear();
    for (auto& p : waiting) {
      json result = take(p->offset);
      if (result.empty()) {
        polls.push_back(p);
        continue;
      }
      p->timer->cancel();
      p->respond(ok(result));
    }
  }

  void route(const std::string& method, std::function<void(const json&, http::HttpServer::Respond)> handler) {
    server.route("POST", "/bot" + token + "/" + method, [this, method, handler](const http::HttpRequest& req, http::HttpServer::Respond respond) {
      json body = json::parse(req.body, nullptr, false);
      if (body.is_discarded()) body = json::object();
      record(method, body);
      handler(body, std::move(respond));
    });
  }

  void install() {
    route("getMe", [](const json&, auto respond) {
      respond(ok({{"id", 7000000001}, {"is_bot", true}, {"first_name", "bounceback"}, {"username", "bounceback_bot"}}));
    });
    route("getChatMember", [this](const json& body, auto respond) {
      std::string status = "member";
      {
        std::lock_guard lock(mutex);
        auto key = std::make_pair(body.value("chat_id", std::int64_t{0}), body.value("user_id", std::int64_t{0}));
        if (auto it = member_status.find(key); it != member_status.end()) status = it->second;
      }
      respond(ok({{"status", status}, {"user", {{"id", body.value("user_id", std::int64_t{0})}, {"is_bot", false}}}}));
    });
    for (const char* m : {"setMyCommands", "deleteWebhook", "setWebhook", "answerCallbackQuery", "editMessageReplyMarkup"})
      route(m, [](const json&, auto respond) { respond(ok(true)); });
    route("getUpdates", [this](const json& body, http::HttpServer::Respond respond) {
      {
        std::lock_guard lock(mutex);
        if (!scripted_polls.empty()) {
          Scripted answer = scripted_polls.front();
          scripted_polls.pop_front();
          return respond(http::HttpResponse::json(answer.status, answer.body));
        }
      }
      std::int64_t offset = body.value("offset", std::int64_t{0});
      json result = take(offset);
      int timeout = body.value("timeout", 0);
      if (!result.empty() || timeout <= 0) return respond(ok(result));
      auto poll = std::make_shared<Poll>(Poll{offset, std::move(respond), std::make_shared<asio::steady_timer>(io)});
      polls.push_back(poll);
      poll->timer->expires_after(std::chrono::seconds(timeout));
      poll->timer->async_wait([this, poll](boost::system::error_code ec) {
        if (ec) return;
        std::erase(polls, poll);
        poll->respond(ok(json::array()));
      });
    });
    route("sendMessage", [this](const json& body, http::HttpServer::Respond respond) {
      Scripted answer{200, "", std::chrono::milliseconds(0)};
      {
        std::lock_guard lock(mutex);
        if (!scripted.empty()) {
          answer = scripted.front();
          scripted.pop_front();
        }
      }
      auto finish = [this, body, answer, respond]() {
        if (body.value("text", "").size() > 4096)  // Telegram's limit (characters; bytes bound them)
          return respond(http::HttpResponse::json(400, R"({"ok":false,"error_code":400,"description":"Bad Request: message is too long"})"));
        if (answer.status != 200 || !answer.body.empty()) {
          return respond(http::HttpResponse::json(answer.status, answer.body));
        }
        json message;
        {
          std::lock_guard lock(mutex);
          message = {{"message_id", next_message_id++}, {"chat", {{"id", body.value("chat_id", json())}}},
                     {"text", body.value("text", "")}};
          json seen = body;
          seen["message_id"] = message["message_id"];
          delivered.push_back(seen);
          changed.notify_all();
        }
        respond(ok(message));
      };
      if (answer.delay.count() == 0) return finish();
      auto timer = std::make_shared<asio::steady_timer>(io, answer.delay);
      timer->async_wait([timer, finish](boost::system::error_code) { finish(); });
    });
  }

  void push(json update) {
    {
      std::lock_guard lock(mutex);
      update["update_id"] = next_update_id++;
      updates.push_back(std::move(update));
    }
    asio::post(io, [this] { wake_polls(); });
  }
};

FakeTelegram::FakeTelegram(std::string token) : impl_(std::make_shared<Impl>(std::move(token))) {
  impl_->install();
  port_ = impl_->server.start();
  impl_->thread = std::thread([impl = impl_] {
    auto guard = asio::make_work_guard(impl->io);
    impl->io.run();
  });
}

FakeTelegram::~FakeTelegram() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

json FakeTelegram::chat(std::int64_t chat_id, const std::string& chat_type) const {
  json c = {{"id", chat_id}, {"type", chat_type}};
  std::lock_guard lock(impl_->mutex);
  if (auto it = impl_->titles.find(chat_id); it != impl_->titles.end()) c["title"] = it->second;
  return c;
}

json FakeTelegram::user(std::int64_t user_id, bool is_bot) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->names.find(user_id);
  return {{"id", user_id}, {"is_bot", is_bot}, {"first_name", it == impl_->names.end() ? "Mira" : it->second}};
}

void FakeTelegram::set_chat_title(std::int64_t chat_id, std::string title) {
  std::lock_guard lock(impl_->mutex);
  impl_->titles[chat_id] = std::move(title);
}

void FakeTelegram::set_name(std::int64_t user_id, std::string first_name) {
  std::lock_guard lock(impl_->mutex);
  impl_->names[user_id] = std::move(first_name);
}

void FakeTelegram::set_member_status(std::int64_t chat_id, std::int64_t user_id, std::string status) {
  std::lock_guard lock(impl_->mutex);
  impl_->member_status[{chat_id, user_id}] = std::move(status);
}

void FakeTelegram::person_writes(std::int64_t chat_id, const std::string& text, const std::string& chat_type,
                                 std::int64_t from_id, bool from_bot) {
  json from = user(from_id ? from_id : chat_id, from_bot);
  json message = {{"message_id", 500 + impl_->next_update_id}, {"from", from},
                  {"chat", chat(chat_id, chat_type)}, {"date", 1773136800}, {"text", text}};
  impl_->push({{"message", message}});
}

void FakeTelegram::person_sends_sticker(std::int64_t chat_id) {
  json from = {{"id", chat_id}, {"is_bot", false}, {"first_name", "Mira"}};
  json message = {{"message_id", 500 + impl_->next_update_id}, {"from", from},
                  {"chat", {{"id", chat_id}, {"type", "private"}}}, {"date", 1773136800},
                  {"sticker", {{"file_id", "CAACAgIAAxkBAAE"}, {"file_unique_id", "AgADAgAD"}, {"width", 512}, {"height", 512},
                               {"is_animated", false}, {"is_video", false}, {"type", "regular"}}}};
  impl_->push({{"message", message}});
}

void FakeTelegram::person_taps(std::int64_t chat_id, const std::string& data, std::int64_t on_message_id,
                               std::int64_t from_id, const std::string& chat_type) {
  json from = user(from_id ? from_id : chat_id, false);
  json message = {{"message_id", on_message_id}, {"chat", chat(chat_id, chat_type)}};
  json query = {{"id", "cb" + std::to_string(impl_->next_update_id)}, {"from", from}, {"data", data}, {"message", message}};
  impl_->push({{"callback_query", query}});
}

void FakeTelegram::script_send(Scripted answer) {
  std::lock_guard lock(impl_->mutex);
  impl_->scripted.push_back(std::move(answer));
}

void FakeTelegram::script_poll(Scripted answer) {
  std::lock_guard lock(impl_->mutex);
  impl_->scripted_polls.push_back(std::move(answer));
}

void FakeTelegram::clear_script() {
  std::lock_guard lock(impl_->mutex);
  impl_->scripted.clear();
}

std::vector<FakeTelegram::Call> FakeTelegram::calls(const std::string& method) const {
  std::lock_guard lock(impl_->mutex);
  std::vector<Call> out;
  for (const auto& c : impl_->calls)
    if (method.empty() || c.method == method) out.push_back(c);
  return out;
}

std::vector<json> FakeTelegram::delivered(std::int64_t chat_id) const {
  std::lock_guard lock(impl_->mutex);
  std::vector<json> out;
  for (const auto& m : impl_->delivered)
    if (chat_id == 0 || m.value("chat_id", std::int64_t{0}) == chat_id) out.push_back(m);
  return out;
}

bool FakeTelegram::wait_delivered(std::int64_t chat_id, std::size_t count, std::chrono::milliseconds deadline) {
  return wait_for([&] { return delivered(chat_id).size() >= count; }, deadline);
}

bool FakeTelegram::wait_for(const std::function<bool()>& condition, std::chrono::milliseconds deadline) {
  auto until = Clock::now() + deadline;
  while (!condition()) {
    if (Clock::now() >= until) return false;
    std::unique_lock lock(impl_->mutex);
    impl_->changed.wait_for(lock, std::chrono::milliseconds(50));  // short: a change may land between check and wait
  }
  return true;
}

std::vector<std::string> telegram_daemon_args(const std::string& api_base, std::vector<std::string> more) {
  std::vector<std::string> args = {"--set", "connectors.telegram.enabled=true",
                                   "--set", "connectors.telegram.api_base=\"" + api_base + "\"",
                                   "--set", "connectors.telegram.poll_timeout_s=5",
                                   "--set", "connectors.telegram.request_timeout_s=5"};
  auto clock = manual_clock_args("2026-03-10T06:00:00Z");
  args.insert(args.end(), clock.begin(), clock.end());
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::vector<std::string> telegram_daemon_env() {
  return {"BOUNCEBACK_TELEGRAM_TOKEN=" + kFakeTelegramToken, kAdminTokenEnv,
          "BOUNCEBACK_TELEGRAM_WEBHOOK_SECRET=hook-secret-123"};
}

}  // namespace bounceback::testing
