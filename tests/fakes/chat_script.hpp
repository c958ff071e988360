#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/fakes/ws_test_client.hpp"

namespace bounceback::testing {

// A text frame and a choice frame, as a person's client sends them.
nlohmann::json text(const std::string& words);
nlohmann::json tap(const std::string& choice_id);

// Sends `frame` with correlation id `id` and returns every message frame of the answer,
// up to the one marked final (the test fails when there is none).
std::vector<nlohmann::json> answer(WsTestClient& client, const nlohmann::json& frame, const std::string& id);

// A number read straight from a SQLite file (SELECT COUNT(*) ...), as an outside tool would.
long long count_rows(const std::string& db_path, const std::string& sql);

}  // namespace bounceback::testing
