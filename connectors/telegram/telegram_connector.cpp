#include "connectors/telegram/telegram_connector.hpp"

#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstdlib>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include "bot/core/group_command.hpp"
#include "bot/core/metrics.hpp"
#include "bot/core/text_parts.hpp"
#include "connectors/http/http_client.hpp"
#include "connectors/http/http_server.hpp"
#include "connectors/platform/health.hpp"
#include "connectors/platform/poll_loop.hpp"
#include "connectors/platform/send_pump.hpp"
#include "connectors/telegram/telegram_message.hpp"
#include "connectors/telegram/telegram_update.hpp"

namespace bounceback::telegram {

namespace asio = boost::asio;
using nlohmann::json;
using namespace std::chrono;

namespace {

// Webhook mode: how many recent update ids are remembered. Telegram's parallel connections
// (at most 100) and its retries stay far inside it.
constexpr std::int64_t kWebhookWindow = 10000;

const json& bot_commands() {
  static const json commands = json::array({
      {{"command", "start"}, {"description", "Begin, or continue where we left off"}},
      {{"command", "menu"}, {"description", "What we can work on"}},
      {{"command", "help"}, {"description", "What bounceback is, and the commands"}},
      {{"command", "steps"}, {"description", "Your goal's steps"}},
      {{"command", "goal"}, {"description", "Start a goal: /goal find a new flat"}},
      {{"command", "step"}, {"description", "Add a step: /step call the landlord"}},
      {{"command", "done"}, {"description", "Cross off a step: /done 2"}},
      {{"command", "nudges"}, {"description", "Your daily nudges"}},
      {{"command", "nudge"}, {"description", "Add a nudge time: /nudge 09:00"}},
      {{"command", "quiet"}, {"description", "Quiet hours: /quiet 22:00-07:00"}},
      {{"command", "snooze"}, {"description", "Hold nudges back: /snooze 2h"}},
      {{"command", "pause"}, {"description", "Pause nudges"}},
      {{"command", "resume"}, {"description", "Resume nudges"}},
      {{"command", "tz"}, {"description", "Your time zone: /tz Europe/Berlin"}},
      {{"command", "export"}, {"description", "All your data"}},
      {{"command", "forget"}, {"description", "Delete all your data"}},
  });
  return commands;
}

const char* kTextOnly =
    "I can only read text for now, so I couldn't take in what you sent. Could you tell me in words?";

}  // namespace

struct TelegramConnector::Impl : std::enable_shared_from_this<TelegramConnector::Impl> {
  Impl(asio::io_context& io, core::Inbox& inbox, core::Metrics& metrics, TelegramSettings s)
      : io(io), strand(asio::make_strand(io)), inbox(inbox), metrics(metrics), settings(std::move(s)),
        poller(io, settings.api_base), sender(io, settings.api_base),
        // Webhook mode asks for setWebhook until it is set; polling asks for updates.
        loop(strand, [this] { settings.webhook() ? set_webhook() : poll(); }), offset(settings.offset) {}

  void make_pump() {  // after construction: the pump's sends call back into this Impl
    pump = std::make_shared<platform::SendPump>(
        strand, platform::SendQueue::Limits{std::chrono::seconds(1), 20, 30}, "telegram",
        [weak = weak_from_this()](const platform::SendQueue::Item& item, platform::SendPump::Report report) {
          if (auto self = weak.lock()) self->send(item, std::move(report));
        });
  }

  asio::io_context& io;
  asio::strand<asio::io_context::executor_type> strand;
  core::Inbox& inbox;
  core::Metrics& metrics;
  TelegramSettings settings;
  http::HttpClient poller;  // the long poll holds its connection for up to a minute
  http::HttpClient sender;  // everything else
  platform::PollLoop loop;
  bool stopped = false;

  std::int64_t offset;        // the next update_id to ask for (webhook: one past the highest seen)
  // Webhook mode: the update ids of the last kWebhookWindow updates, true once stored.
  std::map<std::int64_t, bool> webhook_ids;
  std::string bot_username;   // from getMe, for mentions in groups

  platform::Health health;

  // Telegram's limits: one message a second in a chat, twenty a minute in a group, thirty
  // a second overall.
  std::shared_ptr<platform::SendPump> pump;
  std::map<std::int64_t, std::int64_t> keyboard_message;  // chat -> the bot's last message with buttons

  // --- calls ---------------------------------------------------------------------------

  using Answer = std::function<void(const ApiAnswer&, const http::HttpClientResponse&)>;

  void call(http::HttpClient& client, const std::string& method, json body, Answer then,
            milliseconds timeout = milliseconds(0)) {
    http::HttpClientRequest r;
    r.target = "/bot" + settings.token + "/" + method;
    r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    r.timeout = timeout.count() ? timeout : duration_cast<milliseconds>(settings.request_timeout);
    client.request(std::move(r), [self = shared_from_this(), method, then = std::move(then)](http::HttpClientResponse res) {
      asio::post(self->strand, [self, method, then, res = std::move(res)] {
        ApiAnswer answer;
        if (res.error.empty()) answer = parse_answer(res.status, res.body);
        if (!answer.ok) {
          std::string reason = !res.error.empty() ? "transport" : std::to_string(answer.error_code);
          self->metrics.add_counter("bounceback_platform_errors_total",
                                    {{"connector", "telegram"}, {"method", method}, {"reason", reason}});
        }
        // 401/404 for every method means Telegram does not know the token: /healthz says so.
        if (res.error.empty() && (answer.error_code == 401 || answer.error_code == 404) && method == "getMe")
          self->health.set("the bot token was refused (" + std::to_string(answer.error_code) + ")");
        else if (answer.ok && method == "getUpdates")
          self->health.clear();
        if (then) then(answer, res);
      });
    });
  }

  std::string describe(const ApiAnswer& a, const http::HttpClientResponse& res) const {
    std::string what = !res.error.empty() ? res.error : std::to_string(a.error_code) + " " + a.description;
    return mask_token(what, settings.token);
  }


  // --- start -----------------------------------------------------------------------------

  void start() {
    call(sender, "getMe", json::object(), [self = shared_from_this()](const ApiAnswer& a, const http::HttpClientResponse& res) {
      if (a.ok) {
        self->bot_username = string_field(a.result, "username");
        spdlog::info("telegram: connected as @{}", self->bot_username);
      } else if (a.error_code == 401 || a.error_code == 404) {
        spdlog::error("telegram: the bot token was refused ({}); check the token variable", self->describe(a, res));
      } else {
        spdlog::warn("telegram: getMe failed: {}", self->describe(a, res));
      }
      self->set_commands();
      if (self->settings.webhook()) self->set_webhook();
      else self->delete_webhook_then_poll();
    });
  }

  void set_commands() {
    call(sender, "setMyCommands", {{"commands", bot_commands()}}, [self = shared_from_this()](const ApiAnswer& a, const http::HttpClientResponse& res) {
      if (!a.ok) spdlog::warn("telegram: setMyCommands failed, the command list is not shown in clients: {}", self->describe(a, res));
    });
  }

  void set_webhook() {
    json body = {{"url", settings.webhook_url}, {"allowed_updates", {"message", "callback_query"}}};
    if (!settings.webhook_secret.empty()) body["secret_token"] = settings.webhook_secret;
    call(sender, "setWebhook", body, [self = shared_from_this()](const ApiAnswer& a, const http::HttpClientResponse& res) {
      if (self->stopped) return;
      if (a.ok) {
        self->loop.succeeded();
        return spdlog::info("telegram: webhook set, updates arrive at {}", self->settings.webhook_url);
      }
      auto wait = self->loop.failed();
      spdlog::error("telegram: setWebhook failed: {}; again in {} ms", self->describe(a, res), wait.count());
    });
  }

  void delete_webhook_then_poll() {
    // Switching back from a webhook: Telegram refuses getUpdates while one is set.
    call(sender, "deleteWebhook", json::object(), [self = shared_from_this()](const ApiAnswer& a, const http::HttpClientResponse& res) {
      if (!a.ok) spdlog::warn("telegram: deleteWebhook failed: {}", self->describe(a, res));
      self->poll();
    });
  }

  // --- updates ---------------------------------------------------------------------------

  void poll() {
    if (stopped) return;
    json body = {{"offset", offset}, {"timeout", settings.poll_timeout.count()}, {"allowed_updates", {"message", "callback_query"}}};
    auto asked = steady_clock::now();
    call(poller, "getUpdates", body,
         [self = shared_from_this(), asked](const ApiAnswer& a, const http::HttpClientResponse& res) { self->polled(a, res, asked); },
         duration_cast<milliseconds>(settings.poll_timeout + settings.request_timeout));
  }

  void polled(const ApiAnswer& a, const http::HttpClientResponse& res, steady_clock::time_point asked) {
    if (stopped) return;
    std::optional<std::vector<TelegramUpdate>> updates;
    std::string why;
    if (a.ok) updates = parse_updates(res.body, &why);
    if (!updates) {
      if (a.error_code == 409 && res.error.empty()) {  // a webhook is still set
        spdlog::warn("telegram: getUpdates conflicts with a webhook; removing it");
        return delete_webhook_then_poll();
      }
      auto wait = loop.failed(duration_cast<milliseconds>(seconds(std::max(0, a.retry_after_s))));
      spdlog::warn("telegram: getUpdates failed ({}), again in {} ms", why.empty() ? describe(a, res) : why, wait.count());
      return;
    }
    loop.succeeded();
    spdlog::debug("telegram: getUpdates from {}: {} update(s)", offset, updates->size());
    std::vector<TelegramUpdate> fresh;
    for (auto& u : *updates)
      if (u.update_id >= offset) fresh.push_back(std::move(u));  // never twice, whatever the server sends
    if (fresh.empty()) {
      // A server without long polling answers at once: do not spin.
      if (steady_clock::now() - asked < milliseconds(500)) return loop.after(milliseconds(250));
      return poll();
    }
    auto pending = std::make_shared<std::size_t>(fresh.size());
    std::int64_t next = fresh.back().update_id + 1;
    for (const auto& u : fresh) next = std::max(next, u.update_id + 1);
    // The first update whose effects did not reach the disk: Telegram keeps it and those after.
    auto first_lost = std::make_shared<std::int64_t>(std::numeric_limits<std::int64_t>::max());
    auto batch = std::make_shared<std::vector<TelegramUpdate>>(std::move(fresh));
    auto ids = std::make_shared<std::vector<std::int64_t>>();
    for (const auto& u : *batch) ids->push_back(u.update_id);
    hand_over_from(batch, 0, [self = shared_from_this(), pending, next, first_lost, ids](std::size_t i, bool durable) {
      asio::post(self->strand, [self, pending, next, first_lost, ids, i, durable] {
        if (!durable) *first_lost = std::min(*first_lost, (*ids)[i]);
        if (--*pending > 0) return;
        // Only now may Telegram forget these updates: their effects are on disk.
        if (*first_lost == std::numeric_limits<std::int64_t>::max()) {
          self->offset = std::max(self->offset, next);
          return self->poll();
        }
        self->offset = std::max(self->offset, *first_lost);
        auto wait = self->loop.failed();
        spdlog::warn("telegram: update {} could not be stored; asking for it again in {} ms", *first_lost, wait.count());
      });
    });
  }

  // Hands a batch's updates to the core in their order, even when one waits for an admin
  // check first (the saved offsets then only ever move forward).
  void hand_over_from(std::shared_ptr<std::vector<TelegramUpdate>> batch, std::size_t i,
                      std::function<void(std::size_t, bool)> committed) {
    if (i == batch->size()) return;
    handle((*batch)[i], [committed, i](bool durable) { committed(i, durable); }, [self = shared_from_this(), batch, i, committed] {
      asio::post(self->strand, [self, batch, i, committed] { self->hand_over_from(batch, i + 1, committed); });
    });
  }

  // One update into the core; `committed` once its effects are on disk or were lost (true
  // when it was skipped), `handed` once it was handed to the core (or skipped), so the next
  // one may follow.
  void handle(const TelegramUpdate& u, core::Inbox::Acknowledge committed, std::function<void()> handed = nullptr) {
    auto skip = [&] {
      committed(true);
      if (handed) handed();
    };
    if (u.kind == TelegramUpdate::Kind::malformed) {
      // Confirmed past like any skipped update: read again, it would stop the bot again.
      spdlog::warn("telegram: update {} is malformed and was skipped: {}", u.update_id, u.problem);
      metrics.add_counter("bounceback_platform_errors_total",
                          {{"connector", "telegram"}, {"method", "update"}, {"reason", "malformed"}});
      return skip();
    }
    metrics.add_counter("bounceback_messages_in_total",
                        {{"connector", "telegram"}, {"type", u.kind == TelegramUpdate::Kind::callback ? "choice" : "text"}});
    core::Incoming in;
    in.from = {"telegram", std::to_string(u.chat_id)};
    if (u.in_group()) {
      // The person, at their private chat (its id is their user id); the group beside.
      in.from = {"telegram", std::to_string(u.from_id)};
      in.group = {"telegram", std::to_string(u.chat_id)};
      in.group_title = u.chat_title;
      in.sender_name = u.first_name;
      in.reachable_privately = false;  // a bot may not write first; the core knows who wrote to it
      in.sender_role = core::Incoming::Role::member;
    }
    in.platform_event_id = std::to_string(u.update_id);
    in.cursor_key = kOffsetKey;
    in.cursor_value = std::to_string(u.update_id + 1);
    if (u.kind == TelegramUpdate::Kind::message) {
      if (u.from_bot) return skip();  // other bots are not people
      auto text = addressed_to_bot(u.text, bot_username, u.in_group());
      if (!text || text->empty()) return skip();  // group talk not meant for the bot
      in.text = std::move(*text);
      if (!u.in_group() && in.text.rfind("/start ", 0) == 0) in.text = "/start";  // deep-link payloads
    } else if (u.kind == TelegramUpdate::Kind::callback) {
      if (u.from_bot) return skip();
      call(sender, "answerCallbackQuery", {{"callback_query_id", u.callback_id}}, nullptr);
      in.choice_id = u.callback_data;
    } else {
      // A photo, a voice note, a sticker: say kindly that only words get through (private
      // chats only; nothing of it is kept).
      if (u.without_text && !u.from_bot && u.chat_type == "private")
        call(sender, "sendMessage", {{"chat_id", u.chat_id}, {"text", kTextOnly}}, nullptr);
      return skip();  // an edit, a channel post ...
    }
    // The buttons of the bot's last question go: they cannot be pressed twice. Not in a
    // group, where a check-in's buttons are for everyone.
    std::int64_t with_buttons = u.kind == TelegramUpdate::Kind::callback && u.message_id && !u.in_group() ? u.message_id : 0;
    if (auto it = keyboard_message.find(u.chat_id); it != keyboard_message.end()) {
      if (!with_buttons) with_buttons = it->second;
      keyboard_message.erase(it);
    }
    if (with_buttons)
      call(sender, "editMessageReplyMarkup", json::parse(remove_keyboard_body(u.chat_id, with_buttons)), nullptr);
    if (u.in_group() && u.kind == TelegramUpdate::Kind::message && core::changes_group_settings(in.text)) {
      // Only the group's admins change its settings: Telegram says who they are.
      auto shared_in = std::make_shared<core::Incoming>(std::move(in));
      call(sender, "getChatMember", {{"chat_id", u.chat_id}, {"user_id", u.from_id}},
           [self = shared_from_this(), shared_in, committed, handed](const ApiAnswer& a, const http::HttpClientResponse& res) {
             std::string status = a.ok ? string_field(a.result, "status") : "";
             if (!a.ok) spdlog::warn("telegram: getChatMember failed, the sender counts as a member: {}", self->describe(a, res));
             shared_in->sender_role = status == "creator" || status == "administrator" ? core::Incoming::Role::admin
                                                                                        : core::Incoming::Role::member;
             self->inbox.receive(std::move(*shared_in), committed);
             if (handed) handed();
           });
      return;
    }
    inbox.receive(std::move(in), std::move(committed));
    if (handed) handed();
  }

  void handle_webhook(const http::HttpRequest& req, std::function<void(http::HttpResponse)> respond) {
    const std::string given = req.header("x-telegram-bot-api-secret-token");
    const std::string& expected = settings.webhook_secret;
    if (expected.empty() || given.size() != expected.size() || CRYPTO_memcmp(given.data(), expected.data(), given.size()) != 0)
      return respond(http::HttpResponse::json(401, R"({"error":"unauthorized"})"));
    auto update = parse_webhook_update(req.body);
    if (!update) return respond(http::HttpResponse::json(400, R"({"error":"expected a Telegram Update"})"));
    asio::post(strand, [self = shared_from_this(), u = std::move(*update), respond = std::move(respond)] {
      // Telegram delivers through many connections at once: updates arrive out of order,
      // and one it got no answer for comes again. Each id is handled once, by a window of
      // the ids seen, not by the highest one.
      auto id = u.update_id;
      if (id < self->offset - kWebhookWindow) return respond(http::HttpResponse::json(200, "{}"));  // long handled
      if (auto seen = self->webhook_ids.find(id); seen != self->webhook_ids.end()) {
        if (seen->second) return respond(http::HttpResponse::json(200, "{}"));  // a retry of one handled
        return respond(http::HttpResponse::json(503, R"({"error":"still being handled"})"));  // again later
      }
      self->webhook_ids[id] = false;
      self->offset = std::max(self->offset, id + 1);
      while (self->webhook_ids.size() > static_cast<std::size_t>(kWebhookWindow)) self->webhook_ids.erase(self->webhook_ids.begin());
      self->handle(u, [self, id, respond](bool durable) {
        asio::post(self->strand, [self, id, durable] {
          if (durable) self->webhook_ids[id] = true;
          else self->webhook_ids.erase(id);  // not kept: its retry is handled anew
        });
        // Not stored: Telegram sends the update again later (it retries anything but a 2xx).
        respond(durable ? http::HttpResponse::json(200, "{}") : http::HttpResponse::json(500, R"({"error":"unavailable"})"));
      });
    });
  }

  // --- sending ---------------------------------------------------------------------------

  void deliver(const core::Outgoing& m) {
    std::int64_t chat = 0;
    try {
      chat = std::stoll(m.to.user);
    } catch (const std::exception&) {
      return;
    }
    bool group = chat < 0;  // group and supergroup chat ids are negative
    auto parts = core::split_text(m.text, 4000);
    for (std::size_t i = 0; i < parts.size(); ++i) {
      core::Outgoing part = m;
      part.text = parts[i];
      if (i + 1 < parts.size()) part.choices.clear();  // the buttons go with the last part
      pump->push({std::to_string(chat), group, std::move(part), 0, static_cast<int>(i), i + 1 == parts.size()});
    }
  }

  // One message through the Bot API; the answer read into what the pump does next.
  void send(const platform::SendQueue::Item& item, platform::SendPump::Report report) {
    std::int64_t chat = std::stoll(item.destination);  // checked in deliver()
    call(sender, "sendMessage", json::parse(send_message_body(chat, item.message)),
         [self = shared_from_this(), item, chat, report](const ApiAnswer& a, const http::HttpClientResponse& res) {
           report(self->sent(item, chat, a, res), seconds(std::max(1, a.retry_after_s)));
         });
  }

  platform::SendOutcome sent(const platform::SendQueue::Item& item, std::int64_t chat, const ApiAnswer& a,
                             const http::HttpClientResponse& res) {
    using platform::SendOutcome;
    const core::Address& to = item.message.to;
    spdlog::debug("telegram: sendMessage {} to a chat: {}", item.message.id, a.ok ? "ok" : describe(a, res));
    if (a.ok) {
      if (!item.message.choices.empty() && !item.group) {
        json result = json::parse(a.result, nullptr, false);
        if (result.is_object() && result.contains("message_id") && result["message_id"].is_number_integer())
          keyboard_message[chat] = result["message_id"].get<std::int64_t>();
      }
      if (item.message.id != 0 && item.last_part) inbox.delivered(to, {item.message.id});
      return SendOutcome::sent;
    }
    if (res.error.empty() && a.error_code == 429) return SendOutcome::retry_after;  // that chat waits
    if (res.error.empty() && a.error_code == 403) {  // blocked by the person, or removed from the group
      spdlog::info("telegram: a chat refuses messages ({}); its nudges are paused", describe(a, res));
      inbox.unreachable(to);
      return SendOutcome::unreachable;
    }
    if (res.error.empty() && a.error_code == 400) {  // retrying cannot help; keep the queue moving
      spdlog::error("telegram: a message was refused and dropped: {}", describe(a, res));
      if (item.message.id != 0) inbox.delivered(to, {item.message.id});
      return SendOutcome::drop;
    }
    // 5xx, a timeout, a lost connection: again after a pause. A response lost after the
    // request went out cannot be told apart from one never acted on (the Bot API has no
    // idempotency key), so such a message may arrive twice rather than not at all.
    spdlog::warn("telegram: sending failed ({}), again after a pause", describe(a, res));
    return SendOutcome::back_off;
  }
};

std::optional<TelegramSettings> TelegramConnector::from_config(TelegramSettings ts, const SavedSetting& saved) {
  auto secret = [](const std::string& variable) {
    const char* value = std::getenv(variable.c_str());
    return std::string(value ? value : "");
  };
  ts.token = secret(ts.token_env);
  if (ts.token.empty()) {
    spdlog::error("telegram: enabled, but the environment variable {} with the bot token is not set", ts.token_env);
    return std::nullopt;
  }
  if (ts.webhook()) {
    ts.webhook_secret = secret(ts.webhook_secret_env);
    if (ts.webhook_secret.empty()) {
      spdlog::error("telegram: webhook mode needs a secret in the environment variable {}", ts.webhook_secret_env);
      return std::nullopt;
    }
  }
  try {
    if (auto offset = saved(kOffsetKey)) ts.offset = std::stoll(*offset);
  } catch (const std::exception& e) {
    spdlog::error("telegram: cannot read the saved update offset: {}", e.what());
    return std::nullopt;
  }
  return ts;
}

void TelegramConnector::install(http::HttpServer& server) {
  if (!impl_->settings.webhook()) return;
  server.route("POST", kWebhookPath, [impl = impl_](const http::HttpRequest& req, http::HttpServer::Respond respond) {
    impl->handle_webhook(req, std::move(respond));
  });
}

TelegramConnector::TelegramConnector(asio::io_context& io, core::Inbox& inbox, core::Metrics& metrics,
                                     TelegramSettings settings)
    : impl_(std::make_shared<Impl>(io, inbox, metrics, std::move(settings))) {
  impl_->make_pump();
}

TelegramConnector::~TelegramConnector() { stop(); }

void TelegramConnector::deliver(const core::Outgoing& message) {
  asio::post(impl_->strand, [impl = impl_, message] { impl->deliver(message); });
}

std::string TelegramConnector::problem() const {
  return impl_->health.problem();
}

void TelegramConnector::start() {
  asio::post(impl_->strand, [impl = impl_] { impl->start(); });
}

void TelegramConnector::stop() {
  asio::post(impl_->strand, [impl = impl_] {
    impl->stopped = true;
    impl->loop.stop();
    impl->pump->stop();
    impl->poller.close();
    impl->sender.close();
  });
}

void TelegramConnector::handle_webhook(const http::HttpRequest& request, std::function<void(http::HttpResponse)> respond) {
  impl_->handle_webhook(request, std::move(respond));
}

}  // namespace bounceback::telegram
