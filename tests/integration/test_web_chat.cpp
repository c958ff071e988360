// The web chat through the real daemon: a websocket client on port 0.
#include <catch2/catch.hpp>

#include "tests/fakes/chat_script.hpp"
#include "tests/fakes/daemon_process.hpp"
#include "tests/fakes/http_test_client.hpp"
#include "tests/fakes/ws_test_client.hpp"

using namespace bounceback::testing;
using nlohmann::json;

namespace {

// A daemon of its own and one person who has said hello and read the welcome.
struct GreetedChat {
  TempDir data;
  DaemonProcess daemon{data.path()};
  WsTestClient client{daemon.port()};
  GreetedChat() {
    client.hello();
    read_backlog(client);
  }
};

}  // namespace

TEST_CASE("hello is answered with welcome: a user id and a resume token", "[web]") {
  TempDir data;
  DaemonProcess daemon(data.path());
  WsTestClient client(daemon.port());
  json welcome = client.hello();
  CHECK(welcome["type"] == "welcome");
  CHECK_FALSE(welcome["user"].get<std::string>().empty());
  CHECK(welcome["token"].get<std::string>().size() >= 22);  // at least 128 bits
  json first = client.read_json();
  CHECK(first["type"] == "message");
  CHECK(first["kind"] == "reply");
  CHECK_FALSE(first.contains("reply_to"));  // nobody asked: no correlation
}

TEST_CASE_METHOD(GreetedChat, "text is answered with messages that carry reply_to, the last one final", "[web]") {
  client.send_json({{"type", "text"}, {"text", "I can't sleep"}, {"id", "q1"}});
  auto answer = read_answer(client, "q1");
  REQUIRE_FALSE(answer.empty());
  for (const auto& f : answer) {
    CHECK(f["reply_to"] == "q1");
    CHECK_FALSE(f["text"].get<std::string>().empty());
    CHECK(f["id"].is_string());
  }
}

TEST_CASE_METHOD(GreetedChat, "malformed JSON and unknown types get bad_request and the connection still works", "[web]") {
  client.send_text("{\"type\": \"text\", \"text\": ");
  json error = client.read_json();
  CHECK(error["type"] == "error");
  CHECK(error["code"] == "bad_request");
  client.send_json({{"type", "shout"}});
  CHECK(client.read_json()["code"] == "bad_request");
  client.send_binary(std::string("\x00\x01 not text", 11));
  CHECK(client.read_json()["code"] == "bad_request");
  client.send_json({{"type", "text"}, {"text", "still here?"}, {"id", "after"}});
  CHECK_FALSE(read_answer(client, "after").empty());
}

TEST_CASE("text before hello is unauthorized, an unknown token is refused", "[web]") {
  TempDir data;
  DaemonProcess daemon(data.path());
  WsTestClient client(daemon.port());
  client.send_json({{"type", "text"}, {"text", "hi"}});
  CHECK(client.read_json()["code"] == "unauthorized");
  client.send_json({{"type", "hello"}, {"token", "made-up"}});
  CHECK(client.read_json()["code"] == "unauthorized");
  // The same connection can still start anew.
  CHECK(client.hello()["type"] == "welcome");
  // Each refusal counted once (a refused hello was counted twice).
  auto metrics = http_request(daemon.port(), "GET", "/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("bounceback_frames_rejected_total{connector=\"websocket\",code=\"unauthorized\"} 2\n"));
}

TEST_CASE_METHOD(GreetedChat, "a 64 KiB frame gets too_large and the connection still works", "[web][limits]") {
  client.send_json({{"type", "text"}, {"text", std::string(64 * 1024, 'a')}});
  json error = client.read_json();
  CHECK(error["type"] == "error");
  CHECK(error["code"] == "too_large");
  client.send_json({{"type", "text"}, {"text", "short now"}, {"id", "s"}});
  CHECK_FALSE(read_answer(client, "s").empty());
}

TEST_CASE_METHOD(GreetedChat, "a 2 MiB frame closes the connection with 1009", "[web][limits]") {
  client.send_json({{"type", "text"}, {"text", std::string(2 * 1024 * 1024, 'a')}});
  while (client.read()) {
  }
  CHECK_FALSE(client.timed_out());
  CHECK(client.close_code() == 1009);
}

TEST_CASE_METHOD(GreetedChat, "invalid UTF-8 in a text frame closes the connection with 1007", "[web][limits]") {
  client.send_text(std::string("{\"type\":\"text\",\"text\":\"\xff\xfe\"}"));
  while (client.read()) {
  }
  CHECK_FALSE(client.timed_out());
  CHECK(client.close_code() == 1007);
}

TEST_CASE("more frames per second than rate_limit get rate_limited", "[web][limits]") {
  TempDir data;
  DaemonProcess daemon(data.path(), {"--set", "connectors.websocket.rate_limit=2"});
  WsTestClient client(daemon.port());
  client.hello();  // takes one of the two tokens
  read_backlog(client);
  for (int i = 0; i < 6; ++i) client.send_json({{"type", "text"}, {"text", "quick " + std::to_string(i)}});
  bool limited = false;
  while (auto f = client.read(std::chrono::seconds(2))) {
    if (json::parse(*f).value("code", "") == "rate_limited") {
      limited = true;
      break;
    }
  }
  CHECK(limited);
}

TEST_CASE("tokenless hellos beyond new_people_per_minute from one address are refused", "[web][limits]") {
  TempDir data;
  DaemonProcess daemon(data.path(), {"--set", "connectors.websocket.new_people_per_minute=2"});
  WsTestClient a(daemon.port()), b(daemon.port()), c(daemon.port());
  json first = a.hello();
  b.hello();
  c.send_json({{"type", "hello"}});
  json refused = c.read_json();
  CHECK(refused["type"] == "error");
  CHECK(refused["code"] == "rate_limited");
  CHECK_THAT(http_request(daemon.port(), "GET", "/metrics").body,
             Catch::Contains("bounceback_frames_rejected_total{connector=\"websocket\",code=\"rate_limited\"} 1\n"));
  // Someone who already has a token is never held back by it.
  WsTestClient returning(daemon.port());
  CHECK(returning.hello(first["token"])["user"] == first["user"]);
}

TEST_CASE("behind a trusted proxy the limit on new people counts the forwarded address, otherwise the peer's", "[web][limits]") {
  TempDir data;
  SECTION("127.0.0.1 is a trusted proxy") {
    DaemonProcess daemon(data.path(), {"--set", "connectors.websocket.new_people_per_minute=1", "--set",
                                       "http.trusted_proxies=[127.0.0.1]"});
    WsTestClient a(daemon.port(), "/ws", 0, "203.0.113.7"), b(daemon.port(), "/ws", 0, "198.51.100.9, 127.0.0.1");
    CHECK(a.hello()["type"] == "welcome");
    CHECK(b.hello()["type"] == "welcome");  // another person behind the same proxy
    WsTestClient again(daemon.port(), "/ws", 0, "203.0.113.7");
    again.send_json({{"type", "hello"}});
    CHECK(again.read_json()["code"] == "rate_limited");  // the first address, a second time
  }
  SECTION("no trusted proxies: the header is the client's own words and ignored") {
    DaemonProcess daemon(data.path(), {"--set", "connectors.websocket.new_people_per_minute=1"});
    WsTestClient a(daemon.port(), "/ws", 0, "203.0.113.7"), b(daemon.port(), "/ws", 0, "198.51.100.9");
    CHECK(a.hello()["type"] == "welcome");
    b.send_json({{"type", "hello"}});
    CHECK(b.read_json()["code"] == "rate_limited");
  }
}

TEST_CASE("several connections with one token all receive every frame", "[web]") {
  TempDir data;
  DaemonProcess daemon(data.path());
  WsTestClient phone(daemon.port());
  json welcome = phone.hello();
  read_backlog(phone);
  WsTestClient laptop(daemon.port());
  CHECK(laptop.hello(welcome["token"])["user"] == welcome["user"]);
  read_backlog(laptop);
  phone.send_json({{"type", "text"}, {"text", "from my phone"}, {"id", "p1"}});
  auto on_phone = read_answer(phone, "p1");
  auto on_laptop = read_answer(laptop, "p1");
  CHECK(on_phone == on_laptop);
}

TEST_CASE("what was sent while the person had no connection arrives after their next welcome", "[web]") {
  TempDir data;
  DaemonProcess daemon(data.path());
  json welcome;
  {
    WsTestClient client(daemon.port());
    // With acks, only what the client acknowledged counts as delivered.
    client.send_json({{"type", "hello"}, {"acks", true}});
    welcome = client.read_json();
    auto backlog = read_backlog(client);
    CHECK(welcome["backlog"] == backlog.size());  // the welcome says how many follow
    CHECK(backlog.size() >= 1);
    for (const auto& f : backlog) client.send_json({{"type", "ack"}, {"id", f["id"]}});
    client.send_json({{"type", "text"}, {"text", "talk later"}, {"id", "gone"}});
    client.close();  // gone before the answer could be read
  }
  WsTestClient back(daemon.port());
  back.send_json({{"type", "hello"}, {"token", welcome["token"]}, {"acks", true}});
  CHECK(back.read_json()["type"] == "welcome");
  auto kept = read_answer(back, "gone");
  CHECK_FALSE(kept.empty());
  CHECK(kept.front()["reply_to"] == "gone");
}

TEST_CASE("a client that stops reading is dropped instead of buffered without bound", "[web][limits]") {
  TempDir data;
  DaemonProcess daemon(data.path(), {"--set", "connectors.websocket.rate_limit=0", "--set",
                                     "connectors.websocket.send_queue=8"});
  WsTestClient slow(daemon.port(), "/ws", /*receive_buffer=*/4096);
  slow.hello();
  for (int i = 0; i < 3000 && !slow.closed(); ++i)
    slow.send_json({{"type", "text"}, {"text", "are you there? " + std::to_string(i)}});
  CHECK((slow.closed() || slow.wait_dropped_without_answering(std::chrono::seconds(30))));
  CHECK(daemon.wait_for_log(std::regex("dropping a connection that does not read"), std::chrono::seconds(5)));
}

TEST_CASE("a connection that answers no pings is closed after the idle timeout", "[web][limits]") {
  TempDir data;
  DaemonProcess daemon(data.path(), {"--set", "connectors.websocket.idle_timeout_s=5"});
  WsTestClient frozen(daemon.port());
  frozen.hello();
  auto started = std::chrono::steady_clock::now();
  CHECK(frozen.wait_dropped_without_answering(std::chrono::seconds(20)));
  // A ping goes out after half the idle time; with no answer by the full 5 s the
  // connection is closed. Not before, and not long after (a loaded machine adds a little).
  auto took = std::chrono::steady_clock::now() - started;
  CHECK(took >= std::chrono::milliseconds(4500));
  CHECK(took <= std::chrono::seconds(9));
}
