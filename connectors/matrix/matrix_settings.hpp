#pragma once
#include <chrono>
#include <string>

namespace bounceback::matrix {

// The connector's settings: as configured (connectors.matrix.*), then completed at start by
// MatrixConnector::from_config with the secrets from the environment and what the store kept.
struct MatrixSettings {
  bool enabled = false;
  std::string homeserver = "https://matrix.example.org";
  std::string user_id = "@coach:example.org";
  std::string token_env = "BOUNCEBACK_MATRIX_TOKEN";
  std::string password_env = "BOUNCEBACK_MATRIX_PASSWORD";  // used when there is no token: /login
  std::chrono::seconds sync_timeout{30};
  std::chrono::seconds request_timeout{30};

  // Completed at start:
  std::string access_token;  // from the environment; or empty, then password login
  std::string password;      // from the environment, for /login
  std::string device_id;     // kept in the store after the first login: the bot stays one device
  std::string since;         // where /sync goes on from (kept in the store); empty: first start
  std::string txn_prefix;    // random per database, so transaction ids never repeat across databases
};

}  // namespace bounceback::matrix
