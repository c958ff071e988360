#pragma once
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace boost::asio {
class io_context;
}

namespace bounceback::http {

struct HttpClientRequest {
  std::string method = "POST";  // GET, POST, PUT
  std::string target;  // path and query, e.g. "/bot<token>/getUpdates"
  std::string body;
  std::string content_type = "application/json";
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  std::map<std::string, std::string> headers;  // extra ones, e.g. Authorization
};

struct HttpClientResponse {
  int status = 0;       // 0: no response (see error)
  std::string body;
  std::string error;    // transport error: resolve, connect, TLS, timeout, closed
  bool written = false; // the request reached the wire in full (it may have been acted on)
};

// A client for one HTTP(S) origin ("https://api.telegram.org", "http://127.0.0.1:8081"):
// one keep-alive connection, requests one at a time in the order given. HTTPS verifies
// the certificate against the system CA store and the host name. Plain http is allowed
// to loopback addresses only (see check_base_url).
class HttpClient {
 public:
  HttpClient(boost::asio::io_context& io, const std::string& base_url);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `done` runs on the io_context. Callable from any thread.
  void request(HttpClientRequest request, std::function<void(HttpClientResponse)> done);

  // Ends the connection; requests not yet answered get an error.
  void close();

  // Nothing when `url` is usable: https://HOST[:PORT][/prefix], or http:// to a loopback
  // address (127.0.0.0/8, ::1, localhost) for tests and a local server.
  static std::optional<std::string> check_base_url(const std::string& url);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace bounceback::http
