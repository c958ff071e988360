#include "connectors/websocket/websocket_connector.hpp"

#include <spdlog/spdlog.h>

#include "bot/core/metrics.hpp"
#include "connectors/http/http_server.hpp"
#include "connectors/http/websocket_upgrade.hpp"
#include "connectors/websocket/web_page.hpp"
#include "connectors/websocket/websocket_protocol.hpp"
#include "connectors/websocket/websocket_session.hpp"

namespace bounceback::websocket {

WebsocketConnector::WebsocketConnector(core::Inbox& inbox, core::Metrics& metrics, WebsocketSettings settings)
    : inbox_(inbox), metrics_(metrics), settings_(settings) {}

void WebsocketConnector::accept(std::unique_ptr<http::WebsocketUpgrade> upgrade) {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;  // the socket closes as the upgrade is dropped
  }
  auto session = start_websocket_session(std::move(upgrade), shared_from_this(), settings_);
  std::lock_guard lock(mutex_);
  all_.insert(session);
  metrics_.add_gauge("bounceback_sessions_connected", {{"connector", "websocket"}}, 1);
}

std::function<void(std::unique_ptr<http::WebsocketUpgrade>)> WebsocketConnector::upgrade_handler() {
  return [self = shared_from_this()](std::unique_ptr<http::WebsocketUpgrade> upgrade) { self->accept(std::move(upgrade)); };
}

void WebsocketConnector::install(http::HttpServer& server) {
  server.websocket("/ws", upgrade_handler());
  server.route("GET", "/", [](const http::HttpRequest&, http::HttpServer::Respond respond) {
    http::HttpResponse page{200, "text/html; charset=utf-8", std::string(web_page_html()), {}};
    page.headers["Content-Security-Policy"] =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    page.headers["X-Content-Type-Options"] = "nosniff";
    page.headers["Referrer-Policy"] = "no-referrer";
    respond(std::move(page));
  });
}

void WebsocketConnector::stop() {
  std::set<std::shared_ptr<WebsocketSession>> sessions;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    sessions = all_;
  }
  for (const auto& s : sessions) s->close_going_away();
}

void WebsocketConnector::deliver(const core::Outgoing& message) {
  if (auto name = room_of(message.to.user); !name.empty()) {
    // A room's message goes to the connections in it now; like a chat room, who joins later
    // does not get it (shared wins stay readable with /wins). So it is delivered at once.
    {
      std::lock_guard lock(mutex_);
      if (auto room = rooms_.find(std::string(name)); room != rooms_.end())
        for (const auto& session : room->second) session->send(message);
    }
    if (message.id != 0) inbox_.delivered(message.to, {message.id});
    return;
  }
  std::lock_guard lock(mutex_);
  auto it = by_user_.find(message.to.user);
  if (it == by_user_.end()) return;  // nobody connected: it waits in the outbox
  for (const auto& session : it->second) session->send(message);
}

void WebsocketConnector::forget(const std::string& user) {
  std::set<std::shared_ptr<WebsocketSession>> sessions;
  {
    std::lock_guard lock(mutex_);
    auto it = by_user_.find(user);
    if (it == by_user_.end()) return;
    sessions = it->second;
    by_user_.erase(it);
  }
  for (const auto& s : sessions) s->close_going_away();
}

// A refused hello is counted once, where the session sends the error frame.
void WebsocketConnector::session_hello(std::shared_ptr<WebsocketSession> session, std::string token,
                                       const std::string& remote_ip) {
  if (token.empty() && !allow_new_person(remote_ip)) {
    session->refuse("rate_limited", "too many new conversations from your network; please try again in a minute");
    return;
  }
  std::string given_token = token;
  inbox_.web_hello(std::move(token), [self = shared_from_this(), session, given_token](core::WebHelloResult result) {
    using Status = core::WebHelloResult::Status;
    if (result.status == Status::unauthorized) {
      return session->refuse("unauthorized", "this token is not known; say hello without a token to start anew");
    }
    if (result.status != Status::ok)
      return session->refuse("unavailable", "bounceback cannot reach its storage right now; please try again soon");
    {
      std::lock_guard lock(self->mutex_);
      if (!self->all_.count(session)) return;  // it closed while the core was answering
      self->by_user_[result.user].insert(session);
    }
    session->welcome(result.user, result.token.empty() ? given_token : result.token, std::move(result.backlog));
  });
}

void WebsocketConnector::session_message(const std::shared_ptr<WebsocketSession>& session, core::Incoming message) {
  metrics_.add_counter("bounceback_messages_in_total",
                       {{"connector", "websocket"}, {"type", message.is_choice() ? "choice" : "text"}});
  // Nothing of a message that could not be kept happened: the person is told so, and may
  // send it again.
  std::weak_ptr<WebsocketSession> weak = session;
  std::string id = message.correlation_id;
  inbox_.receive(std::move(message), [weak, id = std::move(id)](bool durable) {
    if (durable) return;
    if (auto s = weak.lock()) s->unavailable(id);
  });
}

void WebsocketConnector::session_delivered(const std::string& user, std::int64_t outbox_id) {
  inbox_.delivered({"websocket", user}, {outbox_id});
}

void WebsocketConnector::session_join(const std::shared_ptr<WebsocketSession>& session, const std::string& user,
                                      const std::string& room) {
  {
    std::lock_guard lock(mutex_);
    rooms_[room].insert(session);
  }
  // The core learns who is in the room (for shared wins; the first is its admin).
  core::Incoming joined;
  joined.from = {"websocket", user};
  joined.group = {"websocket", room_address(room)};
  joined.group_title = room;
  inbox_.receive(std::move(joined));
}

void WebsocketConnector::session_leave(const std::shared_ptr<WebsocketSession>& session, const std::string& room) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  it->second.erase(session);
  if (it->second.empty()) rooms_.erase(it);
}

void WebsocketConnector::session_closed(const std::shared_ptr<WebsocketSession>& session, const std::string& user) {
  std::lock_guard lock(mutex_);
  for (auto it = rooms_.begin(); it != rooms_.end();) {
    it->second.erase(session);
    it = it->second.empty() ? rooms_.erase(it) : std::next(it);
  }
  if (all_.erase(session)) metrics_.add_gauge("bounceback_sessions_connected", {{"connector", "websocket"}}, -1);
  auto it = by_user_.find(user);
  if (it == by_user_.end()) return;
  it->second.erase(session);
  if (it->second.empty()) by_user_.erase(it);
}

void WebsocketConnector::count_rejected(std::string_view code) {
  metrics_.add_counter("bounceback_frames_rejected_total", {{"connector", "websocket"}, {"code", std::string(code)}});
}

bool WebsocketConnector::allow_new_person(const std::string& remote_ip) {
  if (settings_.new_people_per_minute <= 0) return true;
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  auto& recent = new_people_by_ip_[remote_ip];
  while (!recent.empty() && now - recent.front() >= std::chrono::minutes(1)) recent.pop_front();
  if (recent.size() >= static_cast<std::size_t>(settings_.new_people_per_minute)) return false;
  recent.push_back(now);
  // Forget addresses that have gone quiet so the map does not grow without bound.
  if (new_people_by_ip_.size() > 10000) {
    for (auto it = new_people_by_ip_.begin(); it != new_people_by_ip_.end();)
      it = (it->second.empty() || now - it->second.back() >= std::chrono::minutes(1)) ? new_people_by_ip_.erase(it)
                                                                                       : std::next(it);
  }
  return true;
}

}  // namespace bounceback::websocket
