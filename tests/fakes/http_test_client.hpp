#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace bounceback::testing {

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case
};

// One HTTP/1.1 request to 127.0.0.1:port with a 10 s deadline; throws when it cannot connect.
HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body = "", const std::map<std::string, std::string>& headers = {});

// Writes `bytes` as they are to 127.0.0.1:port (as much as the peer takes before it closes)
// and returns everything read back until the peer closes or `deadline` passes: for requests
// no well-behaved client would send.
std::string raw_exchange(std::uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds deadline = std::chrono::seconds(10));

}  // namespace bounceback::testing
