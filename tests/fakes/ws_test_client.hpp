#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace bounceback::testing {

// A websocket client for integration tests. Every wait has a deadline, so a test that
// does not get what it expects fails instead of hanging.
class WsTestClient {
 public:
  // receive_buffer > 0 shrinks the socket's receive buffer (a client that reads slowly).
  WsTestClient(std::uint16_t port, std::string path = "/ws", int receive_buffer = 0,
               std::string forwarded_for = "");  // sent as X-Forwarded-For when not empty
  ~WsTestClient();

  void send_text(const std::string& frame);
  void send_json(const nlohmann::json& frame);
  void send_binary(const std::string& bytes);

  // The next frame, or nullopt when the connection closed (see close_code()) or the
  // deadline passed (see timed_out()).
  std::optional<std::string> read(std::chrono::milliseconds deadline = std::chrono::seconds(10));
  nlohmann::json read_json(std::chrono::milliseconds deadline = std::chrono::seconds(10));  // throws if none

  // hello (with token if not empty) and the welcome frame's contents.
  nlohmann::json hello(const std::string& token = "");
  // How many backlog messages the last welcome announced (-1: none was received yet).
  int announced_backlog() const { return announced_backlog_; }

  // Reads raw bytes without answering pings (as a frozen client would) until the server
  // drops the connection; false if it is still open at the deadline.
  bool wait_dropped_without_answering(std::chrono::milliseconds deadline);

  bool closed() const;
  int close_code() const;  // the code the server closed with, 0 if none
  bool timed_out() const;
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int announced_backlog_ = -1;
};

}  // namespace bounceback::testing
