#include "tests/fakes/fake_homeserver.hpp"

#include <cctype>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "connectors/http/http_server.hpp"

namespace bounceback::testing {

namespace asio = boost::asio;
using nlohmann::json;
using Respond = http::HttpServer::Respond;

namespace {

std::string percent_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string query_value(const std::string& query, const std::string& key) {
  std::size_t at = 0;
  while (at < query.size()) {
    auto amp = query.find('&', at);
    std::string pair = query.substr(at, amp == std::string::npos ? std::string::npos : amp - at);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == key) return eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1));
    if (amp == std::string::npos) break;
    at = amp + 1;
  }
  return "";
}

http::HttpResponse error(int status, const std::string& code, const std::string& message, int retry_after_ms = 0) {
  json body = {{"errcode", code}, {"error", message}};
  if (retry_after_ms) body["retry_after_ms"] = retry_after_ms;
  return http::HttpResponse::json(status, body.dump());
}

}  // namespace

struct FakeHomeserver::Impl {
  Impl(std::string bot, std::string token, std::string password)
      : bot(std::move(bot)), token(std::move(token)), password(std::move(password)), server(io, "127.0.0.1", 0) {}

  std::string bot, token, password;
  asio::io_context io;
  http::HttpServer server;
  std::thread thread;
  std::uint16_t port = 0;

  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  struct Stored {
    std::int64_t position;
    std::string room;
    json event;
  };
  std::vector<Stored> stream;  // every event, in order
  std::int64_t next_position = 1;
  int next_room = 1, next_event = 1, next_device = 1;
  std::map<std::string, std::set<std::string>> joined;   // room -> members
  std::map<std::string, std::set<std::string>> invited;  // room -> invited users
  std::map<std::string, std::string> txn_events;         // transaction id -> event id
  std::map<std::string, int> txn_requests;
  std::vector<std::string> txn_order;
  std::deque<Scripted> scripted;
  std::map<std::string, Scripted> failing_rooms;
  std::deque<Scripted> scripted_syncs;
  std::vector<std::string> sinces;
  std::vector<json> login_requests;
  bool revoked = false;

  struct Poll {
    std::int64_t since;
    Respond respond;
    std::shared_ptr<asio::steady_timer> timer;
  };
  std::vector<std::shared_ptr<Poll>> polls;  // io thread only

  // Appends an event (under the lock).
  void append(const std::string& room, json event) {
    event["event_id"] = "$ev" + std::to_string(next_event++) + ":fake.test";
    event["room_id"] = room;
    event["origin_server_ts"] = 1773136800000 + next_position;
    if (event["type"] == "m.room.member") {
      const std::string who = event["state_key"];
      const std::string membership = event["content"]["membership"];
      if (membership == "join") {
        joined[room].insert(who);
        invited[room].erase(who);
      } else if (membership == "invite") {
        invited[room].insert(who);
      } else {
        joined[room].erase(who);
      }
    }
    stream.push_back({next_position++, room, std::move(event)});
    changed.notify_all();
  }

  json sync_body(std::int64_t since) {  // under the lock
    json rooms = {{"join", json::object()}, {"invite", json::object()}, {"leave", json::object()}};
    for (const auto& s : stream) {
      if (s.position <= since || !joined[s.room].count(bot)) continue;
      json& room = rooms["join"][s.room];
      if (!room.contains("timeline")) room["timeline"] = {{"events", json::array()}, {"limited", false}};
      room["timeline"]["events"].push_back(s.event);
      // Joining, the bot is sent the room's state so far (its name, members, power levels).
      if (s.event["type"] == "m.room.member" && s.event["state_key"] == bot && s.event["content"]["membership"] == "join") {
        json state = json::array();
        for (const auto& earlier : stream)
          if (earlier.room == s.room && earlier.position < s.position && earlier.event.contains("state_key"))
            state.push_back(earlier.event);
        room["state"] = {{"events", state}};
      }
      if (s.event["type"] == "m.room.member")
        room["summary"] = {{"m.joined_member_count", joined[s.room].size()}, {"m.invited_member_count", invited[s.room].size()}};
    }
    for (const auto& [room, users] : invited)
      if (users.count(bot))
        rooms["invite"][room] = {{"invite_state", {{"events", json::array({{{"type", "m.room.member"}, {"sender", "@someone:fake.test"},
                                                                             {"state_key", bot}, {"content", {{"membership", "invite"}}}}})}}}};
    return {{"next_batch", "s" + std::to_string(next_position - 1)}, {"rooms", rooms}};
  }

  bool has_news(std::int64_t since) {  // under the lock
    for (const auto& s : stream)
      if (s.position > since && joined[s.room].count(bot)) return true;
    for (const auto& [room, users] : invited)
      if (users.count(bot)) return true;
    return false;
  }

  void wake_polls() {  // io thread
    auto waiting = std::move(polls);
    polls.clear();
    for (auto& p : waiting) {
      json body;
      {
        std::lock_guard lock(mutex);
        if (!has_news(p->since)) {
          polls.push_back(p);
          continue;
        }
        body = sync_body(p->since);
      }
      p->timer->cancel();
      p->respond(http::HttpResponse::json(200, body.dump()));
    }
  }

  bool authorised(const http::HttpRequest& req, const Respond& respond) {
    std::lock_guard lock(mutex);
    std::string given = req.header("authorization");
    if (given.empty()) {
      respond(error(401, "M_MISSING_TOKEN", "Missing access token"));
      return false;
    }
    if (revoked || given != "Bearer " + token) {
      respond(error(401, "M_UNKNOWN_TOKEN", "Invalid access token passed."));
      return false;
    }
    return true;
  }

  void install() {
    const std::string api = "/_matrix/client/v3";
    server.route("POST", api + "/login", [this](const http::HttpRequest& req, Respond respond) {
      json body = json::parse(req.body, nullptr, false);
      std::lock_guard lock(mutex);
      login_requests.push_back(body);
      if (!body.is_object() || body.value("type", "") != "m.login.password" || body.value("password", "") != password ||
          password.empty())
        return respond(error(403, "M_FORBIDDEN", "Invalid username or password"));
      std::string device = body.value("device_id", "");
      if (device.empty()) device = "FAKEDEV" + std::to_string(next_device++);
      respond(http::HttpResponse::json(200, json{{"user_id", bot}, {"access_token", token}, {"device_id", device}}.dump()));
    });
    server.route("GET", api + "/sync", [this](const http::HttpRequest& req, Respond respond) {
      if (!authorised(req, respond)) return;
      std::string since_text = query_value(req.query, "since");
      int timeout_ms = std::atoi(query_value(req.query, "timeout").c_str());
      std::int64_t since = since_text.size() > 1 ? std::stoll(since_text.substr(1)) : 0;
      json body;
      {
        std::lock_guard lock(mutex);
        sinces.push_back(since_text);
        if (!scripted_syncs.empty()) {
          Scripted answer = scripted_syncs.front();
          scripted_syncs.pop_front();
          return respond(http::HttpResponse::json(answer.status, answer.body));
        }
        if (since_text.empty() || has_news(since) || timeout_ms <= 0) body = sync_body(since);
      }
      if (!body.is_null()) return respond(http::HttpResponse::json(200, body.dump()));
      auto poll = std::make_shared<Poll>(Poll{since, std::move(respond), std::make_shared<asio::steady_timer>(io)});
      polls.push_back(poll);
      poll->timer->expires_after(std::chrono::milliseconds(timeout_ms));
      poll->timer->async_wait([this, poll](boost::system::error_code ec) {
        if (ec) return;
        std::erase(polls, poll);
        json empty;
        {
          std::lock_guard lock(mutex);
          empty = sync_body(poll->since);
        }
        poll->respond(http::HttpResponse::json(200, empty.dump()));
      });
    });
    server.route_prefix("POST", api + "/join/", [this, api](const http::HttpRequest& req, Respond respond) {
      if (!authorised(req, respond)) return;
      std::string room = percent_decode(req.path.substr((api + "/join/").size()));
      {
        std::lock_guard lock(mutex);
        if (!invited[room].count(bot) && !joined[room].count(bot))
          return respond(error(403, "M_FORBIDDEN", "You are not invited to this room."));
        append(room, {{"type", "m.room.member"}, {"sender", bot}, {"state_key", bot}, {"content", {{"membership", "join"}}}});
      }
      asio::post(io, [this] { wake_polls(); });
      respond(http::HttpResponse::json(200, json{{"room_id", room}}.dump()));
    });
    auto rooms = [this, api](const http::HttpRequest& req, Respond respond) {
      if (!authorised(req, respond)) return;
      std::string rest = req.path.substr((api + "/rooms/").size());
      auto slash = rest.find('/');
      std::string room = percent_decode(rest.substr(0, slash));
      std::string what = slash == std::string::npos ? "" : rest.substr(slash);
      if (req.method == "GET" && what == "/state/m.room.power_levels") {
        std::lock_guard lock(mutex);
        json content;
        for (const auto& e : stream)
          if (e.room == room && e.event["type"] == "m.room.power_levels") content = e.event["content"];
        if (content.is_null()) return respond(error(404, "M_NOT_FOUND", "Event not found"));
        return respond(http::HttpResponse::json(200, content.dump()));
      }
      if (req.method == "GET" && what == "/joined_members") {
        std::lock_guard lock(mutex);
        json members = json::object();
        for (const auto& u : joined[room]) members[u] = json::object();
        return respond(http::HttpResponse::json(200, json{{"joined", members}}.dump()));
      }
      const std::string prefix = "/send/m.room.message/";
      if (req.method != "PUT" || what.rfind(prefix, 0) != 0) return respond(error(404, "M_UNRECOGNIZED", "Unrecognized request"));
      std::string txn = percent_decode(what.substr(prefix.size()));
      json content = json::parse(req.body, nullptr, false);
      Scripted answer;
      std::string event_id;
      {
        std::lock_guard lock(mutex);
        if (!txn_requests[txn]++) txn_order.push_back(txn);
        if (!scripted.empty()) {
          answer = scripted.front();
          scripted.pop_front();
        }
        if (auto failing = failing_rooms.find(room); failing != failing_rooms.end()) answer = failing->second;
        if (answer.status != 200) {
          changed.notify_all();
          return respond(http::HttpResponse::json(answer.status, answer.body));
        }
        if (!joined[room].count(bot)) return respond(error(403, "M_FORBIDDEN", "You are not in this room."));
        if (auto seen = txn_events.find(txn); seen != txn_events.end()) {
          event_id = seen->second;  // the same transaction: the same event, stored once
        } else {
          append(room, {{"type", "m.room.message"}, {"sender", bot}, {"content", content}});
          event_id = stream.back().event["event_id"];
          txn_events[txn] = event_id;
        }
      }
      asio::post(io, [this] { wake_polls(); });
      auto reply = http::HttpResponse::json(200, json{{"event_id", event_id}}.dump());
      if (answer.delay.count() == 0) return respond(reply);
      auto timer = std::make_shared<asio::steady_timer>(io, answer.delay);  // the answer is late: lost to the client
      timer->async_wait([timer, respond, reply](boost::system::error_code) { respond(reply); });
    };
    server.route_prefix("PUT", api + "/rooms/", rooms);
    server.route_prefix("GET", api + "/rooms/", rooms);
  }
};

FakeHomeserver::FakeHomeserver(std::string bot_user, std::string access_token, std::string password)
    : impl_(std::make_shared<Impl>(std::move(bot_user), std::move(access_token), std::move(password))) {
  impl_->install();
  impl_->port = impl_->server.start();
  impl_->thread = std::thread([impl = impl_] {
    auto guard = asio::make_work_guard(impl->io);
    impl->io.run();
  });
}

FakeHomeserver::~FakeHomeserver() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string FakeHomeserver::base_url() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }

std::string FakeHomeserver::create_room(const std::string& person, const std::vector<std::string>& others,
                                        const std::string& name) {
  std::string room;
  auto member = [](const std::string& who) {
    json content = {{"membership", "join"}};
    std::string local = who.substr(1, who.find(':') - 1);
    if (!local.empty()) content["displayname"] = std::string(1, static_cast<char>(std::toupper(local[0]))) + local.substr(1);
    return json{{"type", "m.room.member"}, {"sender", who}, {"state_key", who}, {"content", content}};
  };
  {
    std::lock_guard lock(impl_->mutex);
    room = "!room" + std::to_string(impl_->next_room++) + ":fake.test";
    impl_->append(room, member(person));
    // As a homeserver does: the creator gets power level 100, everyone else 0.
    impl_->append(room, {{"type", "m.room.power_levels"}, {"sender", person}, {"state_key", ""},
                         {"content", {{"users", {{person, 100}}}, {"users_default", 0}}}});
    if (!name.empty())
      impl_->append(room, {{"type", "m.room.name"}, {"sender", person}, {"state_key", ""}, {"content", {{"name", name}}}});
    for (const auto& o : others) impl_->append(room, member(o));
    impl_->append(room, {{"type", "m.room.member"}, {"sender", person}, {"state_key", impl_->bot}, {"content", {{"membership", "invite"}}}});
  }
  asio::post(impl_->io, [impl = impl_] { impl->wake_polls(); });
  return room;
}

void FakeHomeserver::say(const std::string& room, const std::string& sender, const std::string& body) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->append(room, {{"type", "m.room.message"}, {"sender", sender}, {"content", {{"msgtype", "m.text"}, {"body", body}}}});
  }
  asio::post(impl_->io, [impl = impl_] { impl->wake_polls(); });
}

void FakeHomeserver::say_encrypted(const std::string& room, const std::string& sender) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->append(room, {{"type", "m.room.encrypted"}, {"sender", sender},
                         {"content", {{"algorithm", "m.megolm.v1.aes-sha2"}, {"ciphertext", "AwgAEnACgAkLmt6q..."},
                                      {"device_id", "RJYKSTBOIE"}, {"session_id", "X3lUlvLELLYxeTx4"}}}});
  }
  asio::post(impl_->io, [impl = impl_] { impl->wake_polls(); });
}

void FakeHomeserver::fail_room(const std::string& room, Scripted answer) {
  std::lock_guard lock(impl_->mutex);
  impl_->failing_rooms[room] = std::move(answer);
}

void FakeHomeserver::heal_room(const std::string& room) {
  std::lock_guard lock(impl_->mutex);
  impl_->failing_rooms.erase(room);
}

void FakeHomeserver::script_send(Scripted answer) {
  std::lock_guard lock(impl_->mutex);
  impl_->scripted.push_back(std::move(answer));
}

void FakeHomeserver::script_sync(Scripted answer) {
  std::lock_guard lock(impl_->mutex);
  impl_->scripted_syncs.push_back(std::move(answer));
}

void FakeHomeserver::revoke_token() {
  std::lock_guard lock(impl_->mutex);
  impl_->revoked = true;
}

std::vector<json> FakeHomeserver::bot_contents(const std::string& room) const {
  std::lock_guard lock(impl_->mutex);
  std::vector<json> out;
  for (const auto& s : impl_->stream)
    if (s.room == room && s.event["type"] == "m.room.message" && s.event["sender"] == impl_->bot) out.push_back(s.event["content"]);
  return out;
}

std::vector<std::string> FakeHomeserver::bot_messages(const std::string& room) const {
  std::vector<std::string> out;
  for (const auto& c : bot_contents(room)) out.push_back(c.value("body", ""));
  return out;
}

bool FakeHomeserver::bot_joined(const std::string& room) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->joined[room].count(impl_->bot) > 0;
}

int FakeHomeserver::send_requests(const std::string& txn_id) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->txn_requests.find(txn_id);
  return it == impl_->txn_requests.end() ? 0 : it->second;
}

std::vector<std::string> FakeHomeserver::transaction_ids() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->txn_order;
}

std::vector<std::string> FakeHomeserver::sync_sinces() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->sinces;
}

std::vector<json> FakeHomeserver::logins() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->login_requests;
}

bool FakeHomeserver::wait_for(const std::function<bool()>& condition, std::chrono::milliseconds deadline) const {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::unique_lock lock(impl_->mutex);
    impl_->changed.wait_for(lock, std::chrono::milliseconds(50));
  }
  return true;
}

}  // namespace bounceback::testing
