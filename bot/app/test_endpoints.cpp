#include "bot/app/test_endpoints.hpp"

#include <openssl/crypto.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>

#include "bot/app/core.hpp"
#include "bot/core/clock.hpp"
#include "bot/core/iso8601.hpp"
#include "bot/store/full_disk_vfs.hpp"
#include "bot/store/sqlite_store.hpp"
#include "connectors/http/http_server.hpp"

namespace bounceback::app {

using http::HttpRequest;
using http::HttpResponse;
using http::HttpServer;
using nlohmann::json;

namespace {

bool same_secret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

void install_test_endpoints(HttpServer& server, const std::string& admin_token, core::ManualClock& clock, Core& core,
                            store::SqliteStore& store) {
  std::string expected = "Bearer " + admin_token;
  core::ManualClock* manual_clock = &clock;

  // Failures and slowness on command, for the paths a test cannot otherwise reach:
  // {"fail_commits": N}, {"delay_commits_ms": M} and/or {"disk_full": true|false}.
  server.route("POST", "/admin/store", [expected, &store](const HttpRequest& req, HttpServer::Respond respond) {
    if (!same_secret(req.header("authorization"), expected))
      return respond(HttpResponse::json(401, R"({"error":"unauthorized"})"));
    json body = json::parse(req.body, nullptr, false);
    auto number = [&](const char* key, std::int64_t most) -> std::optional<std::int64_t> {
      if (!body.is_object() || !body.contains(key)) return std::nullopt;
      const json& v = body[key];
      if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > most) return -1;
      return v.get<std::int64_t>();
    };
    auto fail = number("fail_commits", 1000);
    auto delay = number("delay_commits_ms", 10000);
    std::optional<bool> disk_full;
    if (body.is_object() && body.contains("disk_full") && body["disk_full"].is_boolean()) disk_full = body["disk_full"].get<bool>();
    bool disk_wrong = body.is_object() && body.contains("disk_full") && !disk_full;
    if ((!fail && !delay && !disk_full) || fail == -1 || delay == -1 || disk_wrong)
      return respond(HttpResponse::json(
          400, R"x({"error":"expected {\"fail_commits\": N} (0 to 1000), {\"delay_commits_ms\": M} (0 to 10000) and/or {\"disk_full\": true|false}"})x"));
    if (fail) store.inject_commit_failures(static_cast<int>(*fail));
    if (delay) store.inject_commit_delay(std::chrono::milliseconds(*delay));
    if (disk_full) *disk_full ? store::FullDiskVfs::fill() : store::FullDiskVfs::empty();
    respond(HttpResponse::json(200, R"({"ok":true})"));
  });

  server.route("POST", "/admin/clock", [expected, manual_clock, &core](const HttpRequest& req, HttpServer::Respond respond) {
    if (!same_secret(req.header("authorization"), expected))
      return respond(HttpResponse::json(401, R"({"error":"unauthorized"})"));
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
      return respond(HttpResponse::json(400, R"({"error":"expected {\"advance_s\": N} or {\"set\": \"ISO-8601\"}"})"));
    if (auto advance = body.find("advance_s"); advance != body.end()) {
      // Up to a hundred years at once: further would overflow the clock's milliseconds.
      constexpr double kMaxAdvance = 100.0 * 366 * 24 * 3600;
      if (!advance->is_number() || !(advance->get<double>() >= 0) || advance->get<double>() > kMaxAdvance)
        return respond(HttpResponse::json(400, R"({"error":"advance_s must be a number of seconds from 0 to 100 years"})"));
      manual_clock->advance(std::chrono::milliseconds(static_cast<std::int64_t>(advance->get<double>() * 1000)));
    } else if (auto set = body.find("set"); set != body.end()) {
      auto to = set->is_string() ? core::parse_iso8601(set->get<std::string>()) : std::nullopt;
      if (!to) return respond(HttpResponse::json(400, R"({"error":"set must be an ISO-8601 time such as 2026-03-08T06:00:00Z"})"));
      manual_clock->set(*to);
    } else {
      return respond(HttpResponse::json(400, R"({"error":"expected {\"advance_s\": N} or {\"set\": \"ISO-8601\"}"})"));
    }
    // Answer once everything the core had to do by this time has been committed and handed on.
    core.sweep_retention();
    core.run_due([manual_clock, respond] {
      respond(HttpResponse::json(200, json{{"now", core::format_iso8601(manual_clock->now())}}.dump()));
    });
  });
}

}  // namespace bounceback::app
