#pragma once
#include <map>
#include <string>

namespace bounceback::http {

// A request as route handlers see it: no Beast types, so handlers compile cheaply.
struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query
  std::string query;   // after '?', undecoded
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string remote_ip;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

}  // namespace bounceback::http
