#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "connectors/websocket/websocket_protocol.hpp"

using namespace bounceback;
using websocket::ClientFrame;
using websocket::parse_client_frame;
using websocket::valid_room_name;
using websocket::room_address;
using websocket::encode_message;
using websocket::encode_room_event;
using nlohmann::json;

TEST_CASE("client frames decode", "[protocol]") {
  auto hello = parse_client_frame(R"({"type":"hello"})");
  CHECK(hello.type == ClientFrame::Type::hello);
  CHECK(hello.token.empty());
  CHECK_FALSE(hello.acks);

  auto resume = parse_client_frame(R"({"type":"hello","token":"abc","acks":true})");
  CHECK(resume.type == ClientFrame::Type::hello);
  CHECK(resume.token == "abc");
  CHECK(resume.acks);

  auto text = parse_client_frame(R"({"type":"text","text":"I feel stuck","id":"c7"})");
  CHECK(text.type == ClientFrame::Type::text);
  CHECK(text.text == "I feel stuck");
  CHECK(text.correlation_id == "c7");

  auto numeric_id = parse_client_frame(R"({"type":"text","text":"hi","id":42})");
  CHECK(numeric_id.correlation_id == "42");

  auto choice = parse_client_frame(R"({"type":"choice","id":"self_care"})");
  CHECK(choice.type == ClientFrame::Type::choice);
  CHECK(choice.choice_id == "self_care");
  CHECK(choice.correlation_id == "self_care");  // in a choice frame "id" is the choice

  auto choice_ref = parse_client_frame(R"({"type":"choice","id":"yes","ref":"r1"})");
  CHECK(choice_ref.correlation_id == "r1");

  auto ack = parse_client_frame(R"({"type":"ack","id":"17"})");
  CHECK(ack.type == ClientFrame::Type::ack);
  CHECK(ack.ack_id == 17);
}

TEST_CASE("bad client frames say what is wrong", "[protocol]") {
  auto error_of = [](const char* frame) {
    auto f = parse_client_frame(frame);
    CHECK(f.type == ClientFrame::Type::invalid);
    return f.error;
  };
  CHECK(error_of("{not json") == "the frame is not valid JSON");
  CHECK(error_of("[1,2]") == "the frame must be a JSON object");
  CHECK(error_of(R"({"text":"hi"})") == "the frame needs a \"type\" string");
  CHECK(error_of(R"({"type":"dance"})") == "unknown frame type \"dance\"");
  CHECK(error_of(R"({"type":"text"})") == "a text frame needs a \"text\" string");
  CHECK(error_of(R"({"type":"text","text":"   "})") == "\"text\" is empty");
  CHECK(error_of(R"({"type":"text","text":"hi","id":{}})") ==
        "\"id\" must be a string or an integer of at most 128 characters");
  CHECK(error_of(R"({"type":"choice"})") == "a choice frame needs the choice's \"id\"");
  CHECK(error_of(R"({"type":"hello","token":5})") == "\"token\" must be a string");
  CHECK(error_of(R"({"type":"ack","id":"x"})") == "an ack frame needs the \"id\" of a message");
}

TEST_CASE("room frames: join, leave, and a room on text and choice frames", "[protocol][groups]") {
  auto join = parse_client_frame(R"({"type":"join","room":"Tuesday circle"})");
  CHECK(join.type == ClientFrame::Type::join);
  CHECK(join.room == "Tuesday circle");
  CHECK(parse_client_frame(R"({"type":"leave","room":"a-b_c.d"})").type == ClientFrame::Type::leave);
  auto text = parse_client_frame(R"({"type":"text","text":"/wins","room":"circle","id":"1"})");
  CHECK(text.type == ClientFrame::Type::text);
  CHECK(text.room == "circle");
  CHECK(parse_client_frame(R"({"type":"choice","id":"group.checkin.ok","room":"circle"})").room == "circle");
  CHECK(parse_client_frame(R"({"type":"text","text":"hi"})").room.empty());
  const std::string rule = "\"room\" must be a name of 1 to 64 letters, digits, spaces, '.', '_' or '-'";
  for (const char* bad : {R"({"type":"join"})", R"({"type":"join","room":""})", R"({"type":"join","room":"<b>"})",
                          R"({"type":"join","room":" padded"})", R"({"type":"join","room":7})",
                          R"({"type":"text","text":"hi","room":"a/b"})"}) {
    auto f = parse_client_frame(bad);
    CHECK(f.type == ClientFrame::Type::invalid);
    CHECK(f.error == rule);
  }
  CHECK(valid_room_name(std::string(64, 'a')));
  CHECK_FALSE(valid_room_name(std::string(65, 'a')));
  core::Outgoing m;
  m.id = 9;
  m.to = {"websocket", room_address("circle")};
  m.text = "Ana completed a step";
  CHECK(nlohmann::json::parse(encode_message(m))["room"] == "circle");
  m.to = {"websocket", "abc"};
  CHECK_FALSE(nlohmann::json::parse(encode_message(m)).contains("room"));
  CHECK(encode_room_event("joined", "circle") == R"({"room":"circle","type":"joined"})");
  CHECK(websocket::room_of(room_address("Tuesday circle")) == "Tuesday circle");
  CHECK(websocket::room_of("abc").empty());
  CHECK(websocket::room_of("").empty());
}

TEST_CASE("server frames encode as the README documents them", "[protocol]") {
  core::Outgoing m;
  m.id = 12;
  m.kind = core::MessageKind::celebration;
  m.text = "You did it!";
  m.choices = {{"next", "Next step"}};
  auto plain = json::parse(websocket::encode_message(m));
  CHECK(plain == json::parse(
                     R"({"type":"message","id":"12","kind":"celebration","text":"You did it!","choices":[{"id":"next","label":"Next step"}]})"));

  m.reply_to = "c1";
  auto answer = json::parse(websocket::encode_message(m));
  CHECK(answer["reply_to"] == "c1");
  CHECK_FALSE(answer.contains("final"));
  m.final = true;
  CHECK(json::parse(websocket::encode_message(m))["final"] == true);

  CHECK(json::parse(websocket::encode_welcome("u1", "t1", 3)) ==
        json::parse(R"({"type":"welcome","user":"u1","token":"t1","backlog":3})"));
  CHECK(json::parse(websocket::encode_error("too_large", "x")) ==
        json::parse(R"({"type":"error","code":"too_large","message":"x"})"));
}

TEST_CASE("encoding never throws on invalid UTF-8", "[protocol]") {
  core::Outgoing m;
  m.text = std::string("broken \xff\xfe bytes");
  std::string frame;
  REQUIRE_NOTHROW(frame = websocket::encode_message(m));
  CHECK(json::parse(frame)["text"].get<std::string>().find("broken") == 0);
}
