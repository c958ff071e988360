#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/fakes/ws_test_client.hpp"

namespace bounceback::testing {

// A text frame and a choice frame, as a person's client sends them.
nlohmann::json text(const std::string& words);
nlohmann::json tap(const std::string& choice_id);

// The message frames up to the final one answering `correlation_id` (the test fails when
// none comes within 10 s).
std::vector<nlohmann::json> read_answer(WsTestClient& client, const std::string& correlation_id);

// The message frames that follow a welcome (the backlog): as many as it announced.
std::vector<nlohmann::json> read_backlog(WsTestClient& client);

// Sends `frame` with correlation id `id` and returns its answer (read_answer).
std::vector<nlohmann::json> answer(WsTestClient& client, const nlohmann::json& frame, const std::string& id);

// A number read straight from a SQLite file (SELECT COUNT(*) ...), as an outside tool would.
long long count_rows(const std::string& db_path, const std::string& sql);

}  // namespace bounceback::testing
