#pragma once
#include <functional>
#include <string>

namespace bounceback::core {

// Where a person is reached: the connector's name and the platform's id for them.
// A person is keyed by exactly this pair.
struct Address {
  std::string connector;  // "websocket", "telegram", "matrix"
  std::string user;       // the platform's user id (for the web chat: the id in "welcome")

  bool operator==(const Address&) const = default;
  std::string to_string() const;  // "connector:user", for logs at debug level
};

struct AddressHash {
  std::size_t operator()(const Address& a) const noexcept {
    return std::hash<std::string>{}(a.connector) * 31 + std::hash<std::string>{}(a.user);
  }
};

}  // namespace bounceback::core
