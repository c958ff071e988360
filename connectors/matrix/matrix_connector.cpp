#include "connectors/matrix/matrix_connector.hpp"

#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <spdlog/spdlog.h>

#include "bot/core/group_command.hpp"
#include "bot/core/metrics.hpp"
#include "bot/core/random_ids.hpp"
#include "bot/core/text_parts.hpp"
#include "connectors/http/http_client.hpp"
#include "connectors/matrix/matrix_sync.hpp"
#include "connectors/platform/health.hpp"
#include "connectors/platform/poll_loop.hpp"
#include "connectors/platform/send_pump.hpp"

namespace bounceback::matrix {

namespace asio = boost::asio;
using nlohmann::json;
using namespace std::chrono;

namespace {

constexpr const char* kApi = "/_matrix/client/v3";

// Only what bounceback reads: room messages, encrypted ones (to say it cannot read them)
// and memberships; nothing of presence, typing, receipts or account data.
const std::string& sync_filter() {
  static const std::string filter =
      json{{"room",
            {{"timeline", {{"types", {"m.room.message", "m.room.member", "m.room.encrypted"}}, {"limit", 50}}},
             {"state", {{"types", {"m.room.member"}}}},
             {"ephemeral", {{"not_types", {"*"}}}},
             {"account_data", {{"not_types", {"*"}}}}}},
           {"presence", {{"not_types", {"*"}}}},
           {"account_data", {{"not_types", {"*"}}}}}
          .dump();
  return filter;
}

const char* kEncryptedNotice =
    "This room is end-to-end encrypted, and I can't read encrypted messages yet, so I won't see what you write "
    "here. Please start a chat with me without encryption.";

}  // namespace

struct MatrixConnector::Impl : std::enable_shared_from_this<MatrixConnector::Impl> {
  Impl(asio::io_context& io, core::Inbox& inbox, core::Metrics& metrics, MatrixSettings s)
      : io(io), strand(asio::make_strand(io)), inbox(inbox), metrics(metrics), settings(std::move(s)),
        syncer(io, settings.homeserver), sender(io, settings.homeserver),
        loop(strand, [this] { start(); }),  // logs in first while there is no token
        token(settings.access_token) {
    auto resume = ResumePoint::parse(settings.since);
    since = resume.since;
    skip_through = resume.after_event;
  }

  void make_pump() {  // after construction: the pump's sends call back into this Impl
    pump = std::make_shared<platform::SendPump>(
        strand, platform::SendQueue::Limits{}, "matrix",
        [weak = weak_from_this()](const platform::SendQueue::Item& item, platform::SendPump::Report report) {
          if (auto self = weak.lock()) self->send(item, std::move(report));
        });
  }

  asio::io_context& io;
  asio::strand<asio::io_context::executor_type> strand;
  core::Inbox& inbox;
  core::Metrics& metrics;
  MatrixSettings settings;
  http::HttpClient syncer;  // the long poll holds its connection
  http::HttpClient sender;  // sends, joins, logins
  platform::PollLoop loop;
  std::string token;
  bool stopped = false;

  std::string since;         // next_batch of the last confirmed /sync
  std::string skip_through;  // after a restart mid-batch: the last event already handled

  std::map<std::string, std::set<std::string>> members;  // room -> joined users, as far as known
  std::map<std::string, int> member_count;               // room -> from the server's summary
  std::map<std::string, std::vector<core::Choice>> choices;  // room -> the choices of the bot's last message
  std::map<std::string, std::string> room_names;            // room -> its m.room.name
  std::map<std::string, PowerLevels> power;                 // room -> who may change its settings
  std::map<std::pair<std::string, std::string>, std::string> display_names;  // (room, user) -> name
  std::set<std::string> told_encrypted;

  // Each room's messages in order; a room that fails waits alone, the others go on.
  std::shared_ptr<platform::SendPump> pump;

  platform::Health health;

  // --- calls ---------------------------------------------------------------------------

  struct Reply {
    int status = 0;
    std::string body;
    std::string error;  // transport
    MatrixError matrix;
    bool ok() const { return error.empty() && status == 200; }
  };

  void call(http::HttpClient& client, std::string method, std::string target, std::string body,
            std::function<void(Reply)> then, milliseconds timeout = milliseconds(0)) {
    http::HttpClientRequest r;
    r.method = std::move(method);
    r.target = kApi + target;
    r.body = std::move(body);
    r.timeout = timeout.count() ? timeout : duration_cast<milliseconds>(settings.request_timeout);
    if (!token.empty()) r.headers["Authorization"] = "Bearer " + token;
    std::string what = target.substr(0, target.find_first_of("/?", 1));
    client.request(std::move(r), [self = shared_from_this(), what, then = std::move(then)](http::HttpClientResponse res) {
      asio::post(self->strand, [self, what, then, res = std::move(res)] {
        Reply reply{res.status, res.body, res.error, {}};
        if (!reply.ok()) {
          reply.matrix = parse_error(res.status, res.body);
          std::string reason = !res.error.empty() ? "transport" : reply.matrix.errcode.empty() ? std::to_string(res.status) : reply.matrix.errcode;
          self->metrics.add_counter("bounceback_platform_errors_total", {{"connector", "matrix"}, {"method", what}, {"reason", reason}});
          if (reply.matrix.errcode == "M_UNKNOWN_TOKEN" || reply.matrix.errcode == "M_MISSING_TOKEN") {
            spdlog::error("matrix: the homeserver refused the access token ({}): set a valid token in the token variable "
                          "or log in again", reply.matrix.errcode);
            self->health.set(reply.matrix.errcode + ": the homeserver refused the access token");
          }
        }
        if (then) then(std::move(reply));
      });
    });
  }

  static std::string describe(const Reply& r) {
    if (!r.error.empty()) return r.error;
    return std::to_string(r.status) + (r.matrix.errcode.empty() ? "" : " " + r.matrix.errcode) +
           (r.matrix.error.empty() ? "" : ": " + r.matrix.error);
  }

  // How long the homeserver asked to wait (rate limited), or a minute for a refused token
  // (someone has to fix it); zero when it did not say: then a growing back-off.
  static milliseconds told_wait(const Reply& r) {
    if (r.matrix.errcode == "M_LIMIT_EXCEEDED" || r.status == 429)
      return milliseconds(std::max(r.matrix.retry_after_ms, 100));
    if (r.matrix.errcode == "M_UNKNOWN_TOKEN" || r.matrix.errcode == "M_MISSING_TOKEN") return seconds(60);
    return milliseconds(0);
  }

  // --- start: login, then sync ---------------------------------------------------------

  void start() {
    if (!token.empty()) return sync();
    json body = {{"type", "m.login.password"},
                 {"identifier", {{"type", "m.id.user"}, {"user", settings.user_id}}},
                 {"password", settings.password},
                 {"initial_device_display_name", "bounceback"}};
    if (!settings.device_id.empty()) body["device_id"] = settings.device_id;  // stay one device
    call(sender, "POST", "/login", body.dump(), [self = shared_from_this()](Reply r) {
      json j = r.ok() ? json::parse(r.body, nullptr, false) : json();
      auto string_at = [&j](const char* key) {
        return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
      };
      if (string_at("access_token").empty()) {
        spdlog::error("matrix: login as {} failed: {}", self->settings.user_id, describe(r));
        self->health.set("login failed: " + describe(r));
        self->loop.failed();
        return;
      }
      self->token = string_at("access_token");
      std::string device = string_at("device_id");
      spdlog::info("matrix: logged in as {} (device {})", self->settings.user_id, device);
      if (!device.empty() && device != self->settings.device_id) {
        self->settings.device_id = device;
        self->inbox.checkpoint(kDeviceKey, device, nullptr);
      }
      self->sync();
    });
  }

  void sync() {
    if (stopped) return;
    bool first = since.empty();
    std::string target = "/sync?filter=" + encode_query(sync_filter()) +
                         "&timeout=" + std::to_string(first ? 0 : settings.sync_timeout.count() * 1000);
    if (!first) target += "&since=" + encode_query(since);
    call(syncer, "GET", target, "", [self = shared_from_this(), first](Reply r) { self->synced(std::move(r), first); },
         duration_cast<milliseconds>(settings.sync_timeout + settings.request_timeout));
  }

  void synced(Reply r, bool first) {
    if (stopped) return;
    std::string why;
    std::optional<SyncBatch> batch;
    if (r.ok()) batch = parse_sync(r.body, &why);
    if (!batch) {
      auto wait = loop.failed(told_wait(r));
      spdlog::warn("matrix: /sync failed ({}), again in {} ms", why.empty() ? describe(r) : why, wait.count());
      return;
    }
    loop.succeeded();
    health.clear();
    for (const auto& room : batch->invited_rooms) join(room);
    for (const auto& [room, n] : batch->joined_member_count) member_count[room] = n;
    for (const auto& e : batch->events) {
      if (e.type == "m.room.member" && !e.state_key.empty()) {
        if (e.membership == "join") members[e.room_id].insert(e.state_key);
        else members[e.room_id].erase(e.state_key);
        if (!e.displayname.empty()) display_names[{e.room_id, e.state_key}] = e.displayname;
      }
      if (e.type == "m.room.name") room_names[e.room_id] = e.room_name;
      if (e.type == "m.room.power_levels") power[e.room_id] = PowerLevels{e.power_users, e.power_default};
    }
    if (first) {  // the very first start: history older than now is not answered
      spdlog::info("matrix: first start; {} event(s) of earlier history are not answered", batch->events.size());
      return confirm(batch->next_batch);
    }
    std::vector<MatrixEvent> todo;
    bool skipping = !skip_through.empty();
    for (auto& e : batch->events) {
      if (skipping) {  // handled before the restart, in this same batch
        if (e.event_id == skip_through) skipping = false;
        continue;
      }
      if (e.type == "m.room.message" || e.type == "m.room.encrypted") todo.push_back(std::move(e));
    }
    if (skipping) {
      // The batch changed since the event to resume after was stored: which of these were
      // answered is unknown. Said once, loudly, rather than answering some twice.
      spdlog::warn("matrix: the event to resume after is not in the batch again; {} message(s) in it are not answered",
                   todo.size());
      metrics.add_counter("bounceback_platform_errors_total", {{"connector", "matrix"}, {"method", "sync"}, {"reason", "resume_marker_missing"}});
      todo.clear();
    }
    skip_through.clear();
    handle_batch(std::move(todo), batch->next_batch);
  }

  void join(const std::string& room) {
    call(sender, "POST", "/join/" + encode_path(room), "{}", [room](Reply r) {
      if (r.ok()) spdlog::info("matrix: joined a room after an invite");
      else spdlog::warn("matrix: could not join a room: {}", describe(r));
    });
  }

  int room_size(const std::string& room) const {
    if (auto it = member_count.find(room); it != member_count.end()) return it->second;
    if (auto it = members.find(room); it != members.end()) return static_cast<int>(it->second.size());
    return 0;  // unknown
  }

  // Rooms whose size is unknown (after a restart) are asked first: one person or a group?
  // And a group whose admins are unknown, before anyone there changes its settings.
  void handle_batch(std::vector<MatrixEvent> events, std::string next_batch) {
    for (const auto& e : events)
      if (room_size(e.room_id) > 2 && !power.count(e.room_id) && core::changes_group_settings(e.body)) {
        std::string room = e.room_id;
        return call(sender, "GET", "/rooms/" + encode_path(room) + "/state/m.room.power_levels", "",
                    [self = shared_from_this(), room, events = std::move(events), next_batch](Reply r) mutable {
                      auto levels = r.ok() ? parse_power_levels(r.body) : std::nullopt;
                      if (!levels) spdlog::warn("matrix: a room's power levels are unknown; nobody there counts as its admin");
                      self->power[room] = levels.value_or(PowerLevels{});
                      self->handle_batch(std::move(events), std::move(next_batch));
                    });
      }
    for (const auto& e : events)
      if (room_size(e.room_id) == 0) {
        std::string room = e.room_id;
        return call(sender, "GET", "/rooms/" + encode_path(room) + "/joined_members", "",
                    [self = shared_from_this(), room, events = std::move(events), next_batch](Reply r) mutable {
                      json j = r.ok() ? json::parse(r.body, nullptr, false) : json();
                      int n = 2;  // unknown after all: treat it as a private chat
                      if (j.is_object() && j.contains("joined") && j["joined"].is_object()) n = static_cast<int>(j["joined"].size());
                      self->member_count[room] = std::max(n, 1);
                      self->handle_batch(std::move(events), std::move(next_batch));
                    });
      }
    // Each event's fate, in order: the batch is confirmed only when every one is on disk.
    auto pending = std::make_shared<std::size_t>(events.size() + 1);
    auto durable = std::make_shared<std::vector<bool>>(events.size(), true);
    auto ids = std::make_shared<std::vector<std::string>>();
    for (const auto& e : events) ids->push_back(e.event_id);
    auto one_done = [self = shared_from_this(), pending, durable, ids, next_batch](std::size_t i, bool ok) {
      asio::post(self->strand, [self, pending, durable, ids, next_batch, i, ok] {
        if (i < durable->size() && !ok) (*durable)[i] = false;
        if (--*pending > 0) return;
        auto lost = std::find(durable->begin(), durable->end(), false);
        if (lost == durable->end()) return self->confirm(next_batch);
        // The same batch again, after the last event that was stored (the cursor on disk says
        // the same): nothing after it is lost, nothing before it is answered twice.
        auto k = static_cast<std::size_t>(lost - durable->begin());
        self->skip_through = k == 0 ? std::string() : (*ids)[k - 1];
        auto wait = self->loop.failed();
        spdlog::warn("matrix: a message could not be stored; reading the batch again in {} ms", wait.count());
      });
    };
    std::string previous_since = since;
    for (std::size_t i = 0; i < events.size(); ++i)
      handle(events[i], previous_since, [one_done, i](bool ok) { one_done(i, ok); });
    one_done(events.size(), true);
  }

  // The whole batch is on disk: Matrix may move on.
  void confirm(const std::string& next_batch) {
    inbox.checkpoint(kSinceKey, next_batch, [self = shared_from_this(), next_batch](bool durable) {
      asio::post(self->strand, [self, next_batch, durable] {
        if (!durable) {
          auto wait = self->loop.failed();
          spdlog::warn("matrix: the sync position could not be stored; again in {} ms", wait.count());
          return;
        }
        self->since = next_batch;
        self->sync();
      });
    });
  }

  bool for_the_bot(std::string& text, const std::string& room) const {
    if (room_size(room) <= 2) return true;  // a private coaching chat
    if (!text.empty() && text.front() == '/') return true;
    // An answer to the bot's last question in the room (a check-in's "1", "2", "3").
    if (auto listed = choices.find(room); listed != choices.end() && text.size() <= 40 && choice_for(text, listed->second))
      return true;
    auto at = text.find(settings.user_id);
    std::string localpart = settings.user_id.substr(1, settings.user_id.find(':') - 1);
    if (at == std::string::npos) {
      at = text.find(localpart);
      if (at == std::string::npos) return false;
      text.erase(at, localpart.size());
    } else {
      text.erase(at, settings.user_id.size());
    }
    auto first = text.find_first_not_of(" ,:");
    text = first == std::string::npos ? std::string() : text.substr(first);
    return !text.empty();
  }

  void handle(const MatrixEvent& e, const std::string& previous_since, core::Inbox::Acknowledge done) {
    if (e.sender == settings.user_id) return done(true);  // our own echo, or the bot's account elsewhere
    if (e.type == "m.room.encrypted") {
      if (told_encrypted.insert(e.room_id).second) tell_encrypted(e.room_id);
      return done(true);
    }
    if (e.msgtype != "m.text" || e.body.empty()) return done(true);
    std::string text = e.body;
    if (!for_the_bot(text, e.room_id)) return done(true);
    metrics.add_counter("bounceback_messages_in_total", {{"connector", "matrix"}, {"type", "text"}});
    core::Incoming in;
    in.from = {"matrix", e.room_id};
    if (room_size(e.room_id) > 2) describe_group_message(e, in);
    in.platform_event_id = e.event_id;
    in.cursor_key = kSinceKey;
    in.cursor_value = ResumePoint{previous_since, e.event_id}.encode();  // a restart goes on after this event
    auto listed = choices.find(e.room_id);
    if (text.front() != '/' && listed != choices.end())
      if (auto id = choice_for(text, listed->second)) in.choice_id = *id;
    if (in.choice_id.empty()) in.text = std::move(text);
    inbox.receive(std::move(in), std::move(done));
  }

  // A message in a group room: the person is reached at their private room with the bot,
  // when there is one; the group is the room.
  void describe_group_message(const MatrixEvent& e, core::Incoming& in) const {
    in.group = {"matrix", e.room_id};
    auto name = room_names.find(e.room_id);
    in.group_title = name != room_names.end() && !name->second.empty() ? name->second : "this room";
    auto display = display_names.find({e.room_id, e.sender});
    in.sender_name = display != display_names.end() ? display->second : e.sender.substr(1, e.sender.find(':') - 1);
    auto levels = power.find(e.room_id);
    in.sender_role = levels != power.end() && levels->second.of(e.sender) >= kAdminPowerLevel ? core::Incoming::Role::admin
                                                                                               : core::Incoming::Role::member;
    in.from = {"matrix", e.sender};  // no private room known: the core then writes nothing privately
    in.reachable_privately = false;
    for (const auto& [room, people] : members)
      if (room != e.room_id && room_size(room) <= 2 && people.count(e.sender)) {
        in.from = {"matrix", room};
        in.reachable_privately = true;
        break;
      }
  }

  // Said once per room and run: the transaction id makes a repeat after a restart a no-op.
  void tell_encrypted(const std::string& room) {
    json content = {{"msgtype", "m.notice"}, {"body", kEncryptedNotice}};
    std::string txn = "bb" + settings.txn_prefix + ".encrypted." + std::to_string(std::hash<std::string>{}(room));
    call(sender, "PUT", "/rooms/" + encode_path(room) + "/send/m.room.message/" + encode_path(txn), content.dump(),
         [](Reply r) {
           if (!r.ok()) spdlog::warn("matrix: could not say that encrypted rooms are not supported: {}", describe(r));
         });
  }

  // --- sending ---------------------------------------------------------------------------

  void deliver(const core::Outgoing& m) {
    auto parts = core::split_text(m.text, 30000);  // events may be 64 KiB with their JSON around
    for (std::size_t i = 0; i < parts.size(); ++i) {
      core::Outgoing part = m;
      part.text = parts[i];
      if (i + 1 < parts.size()) part.choices.clear();  // the numbered list goes with the last part
      pump->push({m.to.user, false, std::move(part), 0, static_cast<int>(i), i + 1 == parts.size()});
    }
  }

  // One event into its room; the answer read into what the pump does next.
  void send(const platform::SendQueue::Item& item, platform::SendPump::Report report) {
    const core::Outgoing& m = item.message;
    // The id comes from the outbox entry, committed before the first try: every retry,
    // even after a crash, reuses it, and the homeserver keeps one copy.
    std::string txn = transaction_id(settings.txn_prefix, m.id);
    if (item.part > 0) txn += ".p" + std::to_string(item.part);
    call(sender, "PUT", "/rooms/" + encode_path(m.to.user) + "/send/m.room.message/" + encode_path(txn),
         message_content(m), [self = shared_from_this(), item, report](Reply r) {
           auto outcome = self->sent(item, r);
           report(outcome, told_wait(r));
         });
  }

  platform::SendOutcome sent(const platform::SendQueue::Item& item, const Reply& r) {
    using platform::SendOutcome;
    const core::Outgoing& m = item.message;
    if (r.ok()) {
      choices[m.to.user] = m.choices;  // a typed number answers the latest question
      if (m.id != 0 && item.last_part) inbox.delivered(m.to, {m.id});
      return SendOutcome::sent;
    }
    if (r.error.empty() && (r.status == 403 || r.matrix.errcode == "M_FORBIDDEN")) {  // not in the room any more
      spdlog::info("matrix: a room refuses messages ({}); its nudges are paused", describe(r));
      inbox.unreachable(m.to);
      return SendOutcome::unreachable;
    }
    if (r.error.empty() && r.status == 400) {
      spdlog::error("matrix: a message was refused and dropped: {}", describe(r));
      if (m.id != 0 && item.last_part) inbox.delivered(m.to, {m.id});
      return SendOutcome::drop;
    }
    spdlog::warn("matrix: sending to a room failed ({}), again later with the same transaction id", describe(r));
    // Told when (rate limit, a refused token): then; otherwise a growing pause.
    bool told = r.matrix.errcode == "M_LIMIT_EXCEEDED" || r.status == 429 || r.matrix.errcode == "M_UNKNOWN_TOKEN" ||
                r.matrix.errcode == "M_MISSING_TOKEN";
    return told ? SendOutcome::retry_after : SendOutcome::back_off;
  }
};

std::optional<MatrixSettings> MatrixConnector::from_config(MatrixSettings ms, const SavedSetting& saved, const Save& save) {
  auto secret = [](const std::string& variable) {
    const char* value = std::getenv(variable.c_str());
    return std::string(value ? value : "");
  };
  ms.access_token = secret(ms.token_env);
  if (ms.access_token.empty()) ms.password = secret(ms.password_env);
  if (ms.access_token.empty() && ms.password.empty()) {
    spdlog::error("matrix: enabled, but neither {} (an access token) nor {} (the bot account's password) is set",
                  ms.token_env, ms.password_env);
    return std::nullopt;
  }
  try {
    ms.since = saved(kSinceKey).value_or("");
    ms.device_id = saved(kDeviceKey).value_or("");
    ms.txn_prefix = saved(kTxnPrefixKey).value_or("");
  } catch (const std::exception& e) {
    spdlog::error("matrix: cannot read the saved sync position: {}", e.what());
    return std::nullopt;
  }
  if (ms.txn_prefix.empty()) {  // once per database: transaction ids never repeat across databases
    ms.txn_prefix = core::random_token(6);
    save(kTxnPrefixKey, ms.txn_prefix);
  }
  return ms;
}

MatrixConnector::MatrixConnector(asio::io_context& io, core::Inbox& inbox, core::Metrics& metrics, MatrixSettings settings)
    : impl_(std::make_shared<Impl>(io, inbox, metrics, std::move(settings))) {
  impl_->make_pump();
}

MatrixConnector::~MatrixConnector() { stop(); }

void MatrixConnector::deliver(const core::Outgoing& message) {
  asio::post(impl_->strand, [impl = impl_, message] { impl->deliver(message); });
}

std::string MatrixConnector::problem() const {
  return impl_->health.problem();
}

void MatrixConnector::start() {
  asio::post(impl_->strand, [impl = impl_] { impl->start(); });
}

void MatrixConnector::stop() {
  asio::post(impl_->strand, [impl = impl_] {
    impl->stopped = true;
    impl->loop.stop();
    impl->pump->stop();
    impl->syncer.close();
    impl->sender.close();
  });
}

}  // namespace bounceback::matrix
