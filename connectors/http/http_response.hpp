#pragma once
#include <map>
#include <string>

namespace bounceback::http {

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::map<std::string, std::string> headers;

  static HttpResponse json(int status, std::string body) { return {status, "application/json", std::move(body), {}}; }
  static HttpResponse text(int status, std::string body) {
    return {status, "text/plain; charset=utf-8", std::move(body), {}};
  }
};

}  // namespace bounceback::http
