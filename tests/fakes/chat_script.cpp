#include "tests/fakes/chat_script.hpp"

#include <catch2/catch.hpp>
#include <sqlite3.h>

namespace bounceback::testing {

using nlohmann::json;

json text(const std::string& words) { return {{"type", "text"}, {"text", words}}; }
json tap(const std::string& choice_id) { return {{"type", "choice"}, {"id", choice_id}}; }

std::vector<json> read_answer(WsTestClient& client, const std::string& correlation_id) {
  std::vector<json> frames;
  while (auto raw = client.read(std::chrono::seconds(10))) {
    json f = json::parse(*raw);
    if (f["type"] != "message") continue;
    frames.push_back(f);
    if (f.value("reply_to", "") == correlation_id && f.value("final", false)) return frames;
  }
  FAIL("no final answer to " << correlation_id << " after " << frames.size() << " frames");
  return frames;
}

std::vector<json> read_backlog(WsTestClient& client) {
  std::vector<json> frames;
  // The welcome says how many follow: read exactly those, not until a quiet spell.
  int expected = client.announced_backlog();
  REQUIRE(expected >= 0);
  while (static_cast<int>(frames.size()) < expected) {
    auto raw = client.read(std::chrono::seconds(10));
    if (!raw) FAIL("the welcome announced " << expected << " backlog messages, " << frames.size() << " came");
    json f = json::parse(*raw);
    if (f["type"] == "message") frames.push_back(f);
  }
  return frames;
}

std::vector<json> answer(WsTestClient& client, const json& frame, const std::string& id) {
  json f = frame;
  if (f["type"] == "text") f["id"] = id;
  else f["ref"] = id;  // in a choice frame "id" is the choice
  client.send_json(f);
  return read_answer(client, id);
}

long long count_rows(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  long long n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

}  // namespace bounceback::testing
