#pragma once
#include <chrono>
#include <string>

namespace bounceback::matrix {

struct MatrixSettings {
  std::string homeserver = "https://matrix.example.org";
  std::string user_id = "@coach:example.org";
  std::string access_token;  // from the environment; or empty, then password login
  std::string password;      // from the environment, for /login
  std::string device_id;     // kept in the store after the first login: the bot stays one device
  std::string since;         // where /sync goes on from (kept in the store); empty: first start
  std::string txn_prefix;    // random per database, so transaction ids never repeat across databases
  std::chrono::seconds sync_timeout{30};
  std::chrono::seconds request_timeout{30};
};

}  // namespace bounceback::matrix
