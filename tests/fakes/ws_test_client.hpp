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
  WsTestClient(std::uint16_t port, std::string path = "/ws");
  ~WsTestClient();

  void send_text(const std::string& frame);
  void send_json(const nlohmann::json& frame);

  // The next frame, or nullopt when the connection closed (see close_code()) or the
  // deadline passed (see timed_out()).
  std::optional<std::string> read(std::chrono::milliseconds deadline = std::chrono::seconds(10));
  nlohmann::json read_json(std::chrono::milliseconds deadline = std::chrono::seconds(10));  // throws if none

  // hello (with token if not empty) and the welcome frame's contents.
  nlohmann::json hello(const std::string& token = "");

  bool closed() const;
  int close_code() const;  // the code the server closed with, 0 if none
  bool timed_out() const;
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bounceback::testing
