#include "bot/app/runtime.hpp"

#include <sys/resource.h>

#include <optional>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include "bot/app/core.hpp"
#include "bot/safety/safety_policy.hpp"
#include "bot/app/dialog_files.hpp"
#include "bot/app/logging.hpp"
#include "bot/app/version.hpp"
#include "bot/coach/coach.hpp"
#include "bot/core/clock.hpp"
#include "bot/core/random_ids.hpp"
#include "connectors/matrix/matrix_connector.hpp"
#include "connectors/telegram/telegram_connector.hpp"
#include "bot/core/iso8601.hpp"
#include "bot/core/metrics.hpp"
#include "bot/store/full_disk_vfs.hpp"
#include "bot/store/sqlite_store.hpp"
#include "bot/store/store_error.hpp"
#include "connectors/http/http_server.hpp"
#include "connectors/websocket/web_page.hpp"
#include "connectors/websocket/websocket_connector.hpp"

namespace bounceback::app {

namespace asio = boost::asio;
using http::HttpRequest;
using http::HttpResponse;
using http::HttpServer;
using nlohmann::json;

namespace {

// 10,000 open connections need more than the usual soft limit of 1024 descriptors.
void raise_open_files_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) == 0)
    spdlog::debug("open files limit raised from {} to {}", before, limit.rlim_max);
}

bool same_secret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// A secret from the environment variable a `*_env` key names; empty when unset.
std::string secret(const std::string& variable) {
  const char* value = std::getenv(variable.c_str());
  return value ? value : "";
}

// The Telegram connector's settings from the config, the environment and the store;
// nothing (after logging why) when it cannot run.
std::optional<telegram::TelegramSettings> telegram_settings(const Config& config, store::Store& store) {
  telegram::TelegramSettings ts;
  ts.token = secret(config.telegram.token_env);
  if (ts.token.empty()) {
    spdlog::error("telegram: enabled, but the environment variable {} with the bot token is not set",
                  config.telegram.token_env);
    return std::nullopt;
  }
  ts.api_base = config.telegram.api_base;
  ts.webhook = config.telegram.mode == "webhook";
  ts.webhook_url = config.telegram.webhook_url;
  if (ts.webhook) {
    ts.webhook_secret = secret(config.telegram.webhook_secret_env);
    if (ts.webhook_secret.empty()) {
      spdlog::error("telegram: webhook mode needs a secret in the environment variable {}",
                    config.telegram.webhook_secret_env);
      return std::nullopt;
    }
  }
  ts.poll_timeout = config.telegram.poll_timeout;
  ts.request_timeout = config.telegram.request_timeout;
  try {
    if (auto offset = store.setting(telegram::TelegramConnector::kOffsetKey)) ts.offset = std::stoll(*offset);
  } catch (const std::exception& e) {
    spdlog::error("telegram: cannot read the saved update offset: {}", e.what());
    return std::nullopt;
  }
  return ts;
}

// The same for Matrix; a new database gets its transaction id prefix here (saved through `core`).
std::optional<matrix::MatrixSettings> matrix_settings(const Config& config, store::Store& store, Core& core) {
  matrix::MatrixSettings ms;
  ms.homeserver = config.matrix.homeserver;
  ms.user_id = config.matrix.user_id;
  ms.access_token = secret(config.matrix.token_env);
  if (ms.access_token.empty()) ms.password = secret(config.matrix.password_env);
  if (ms.access_token.empty() && ms.password.empty()) {
    spdlog::error("matrix: enabled, but neither {} (an access token) nor {} (the bot account's password) is set",
                  config.matrix.token_env, config.matrix.password_env);
    return std::nullopt;
  }
  ms.sync_timeout = config.matrix.sync_timeout;
  ms.request_timeout = config.matrix.request_timeout;
  try {
    ms.since = store.setting(matrix::MatrixConnector::kSinceKey).value_or("");
    ms.device_id = store.setting(matrix::MatrixConnector::kDeviceKey).value_or("");
    ms.txn_prefix = store.setting("matrix.txn_prefix").value_or("");
  } catch (const store::StoreError& e) {
    spdlog::error("matrix: cannot read the saved sync position: {}", e.what());
    return std::nullopt;
  }
  if (ms.txn_prefix.empty()) {  // once per database: transaction ids never repeat across databases
    ms.txn_prefix = core::random_token(6);
    core.checkpoint("matrix.txn_prefix", ms.txn_prefix, nullptr);
  }
  return ms;
}

void add_admin_routes(HttpServer& server, const Config& config, core::ManualClock* manual_clock, Core& core,
                      store::SqliteStore& store) {
  std::string token = secret(config.admin_token_env);
  if (token.empty()) return;  // no token configured: /admin/* does not exist (404)
  std::string expected = "Bearer " + token;
  if (!manual_clock) return;  // the admin endpoints are for tests: they exist with the test clock only

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

}  // namespace

int run_daemon(const Config& config) {
  raise_open_files_limit();
  try {
    std::filesystem::create_directories(config.data_dir);
  } catch (const std::filesystem::filesystem_error& e) {
    spdlog::error("cannot create data_dir {}: {}", config.data_dir, e.code().message());
    return 1;
  }

  auto loaded = load_daemon_dialogs(config.dialogs);
  if (!loaded.ok()) {
    for (const auto& d : loaded.diagnostics) spdlog::error("{}", d.to_string());
    spdlog::error("dialogs: {} problem(s) in {}; fix them (bounceback check shows them too)", loaded.diagnostics.size(),
                  config.dialogs);
    return 1;
  }
  spdlog::info("dialogs: {} conversation trees from {}", loaded.set.trees.size(), config.dialogs);

  std::vector<core::Diagnostic> safety_problems;
  auto safety_policy = std::make_shared<const safety::SafetyPolicy>(
      safety::load_safety_policy(config.safety_file, safety_problems));
  if (!safety_problems.empty()) {
    for (const auto& d : safety_problems) spdlog::error("{}", d.to_string());
    spdlog::error("safety: {} problem(s) in {}; bounceback does not run without its safety screen",
                  safety_problems.size(), config.safety_file);
    return 1;
  }

  core::Metrics metrics;
  std::unique_ptr<core::Clock> clock;
  core::ManualClock* manual_clock = nullptr;
  if (config.manual_clock) {
    auto manual = std::make_unique<core::ManualClock>(config.clock_start);
    manual_clock = manual.get();
    clock = std::move(manual);
    spdlog::info("clock: manual, starting at {}", core::format_iso8601(config.clock_start));
  } else {
    clock = std::make_unique<core::SystemClock>();
  }

  // With the test clock and an admin token, the disk can be filled on command (/admin/store).
  if (config.manual_clock && !secret(config.admin_token_env).empty()) store::FullDiskVfs::install();
  std::unique_ptr<store::SqliteStore> store;
  try {
    store = std::make_unique<store::SqliteStore>(config.database_path(), &metrics, config.storage_synchronous == "full");
  } catch (const store::StoreError& e) {
    spdlog::error("store: {}", e.what());
    return 1;
  }
  spdlog::info("store: SQLite at {}", config.database_path());

  asio::io_context io;
  coach::Coach coach(std::make_shared<const dialog::DialogSet>(std::move(loaded.set)), config.discouragement);
  Core::Settings core_settings{config.default_timezone, config.default_country, config.help_directory, safety_policy,
                               config.retention_days, config.unfinished_onboarding_days, config.nudges,
                               config.manual_clock};
  core_settings.nudge_rules.default_timezone = config.default_timezone;
  core_settings.cache_idle = config.cache_idle;
  Core core(io, *store, *clock, metrics, coach, std::move(core_settings));
  HttpServer server(io, config.http_host, config.http_port);
  asio::steady_timer retention_timer(io);
  const auto started = std::chrono::steady_clock::now();

  std::unique_ptr<telegram::TelegramConnector> tg;
  if (config.telegram.enabled) {
    auto ts = telegram_settings(config, *store);
    if (!ts) return 1;
    bool webhook = ts->webhook;
    tg = std::make_unique<telegram::TelegramConnector>(io, core, metrics, std::move(*ts));
    core.attach(*tg);
    if (webhook)
      server.route("POST", telegram::TelegramConnector::kWebhookPath,
                   [&tg](const HttpRequest& req, HttpServer::Respond respond) { tg->handle_webhook(req, std::move(respond)); });
  }

  std::unique_ptr<matrix::MatrixConnector> mx;
  if (config.matrix.enabled) {
    auto ms = matrix_settings(config, *store, core);
    if (!ms) return 1;
    mx = std::make_unique<matrix::MatrixConnector>(io, core, metrics, std::move(*ms));
    core.attach(*mx);
  }

  std::shared_ptr<websocket::WebsocketConnector> web;
  if (config.websocket.enabled) {
    web = std::make_shared<websocket::WebsocketConnector>(core, metrics, config.websocket);
    core.attach(*web);
    server.websocket("/ws", web->upgrade_handler());
    server.route("GET", "/", [](const HttpRequest&, HttpServer::Respond respond) {
      HttpResponse page{200, "text/html; charset=utf-8", std::string(websocket::web_page_html()), {}};
      page.headers["Content-Security-Policy"] =
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
          "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
      page.headers["X-Content-Type-Options"] = "nosniff";
      page.headers["Referrer-Policy"] = "no-referrer";
      respond(std::move(page));
    });
  }
  std::vector<const core::Connector*> platforms;
  if (tg) platforms.push_back(tg.get());
  if (mx) platforms.push_back(mx.get());
  server.route("GET", "/healthz", [&store, started, platforms](const HttpRequest&, HttpServer::Respond respond) {
    bool store_ok = store->healthy();
    bool ok = store_ok;
    auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
    json body = {{"version", kVersion}, {"uptime_s", uptime.count()}, {"store", store_ok ? "ok" : "failing"}};
    for (const auto* c : platforms) {
      std::string problem = c->problem();
      body["connectors"][std::string(c->name())] = problem.empty() ? "ok" : problem;
      ok = ok && problem.empty();
    }
    body["status"] = ok ? "ok" : "degraded";
    respond(HttpResponse::json(ok ? 200 : 503, body.dump()));
  });
  server.route("GET", "/metrics", [&metrics](const HttpRequest&, HttpServer::Respond respond) {
    respond({200, "text/plain; version=0.0.4; charset=utf-8", metrics.render(), {}});
  });
  {
    http::TrustedProxies proxies;
    for (const auto& p : config.http_trusted_proxies) proxies.add(p);  // checked when the config was read
    server.trust_proxies(std::move(proxies));
  }
  add_admin_routes(server, config, manual_clock, core, *store);

  // Signals are handled before the first connection is taken: a SIGTERM right after
  // "listening on" must stop cleanly, not kill.
  asio::signal_set stop_signals(io, SIGINT, SIGTERM);
  stop_signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("{}: stopping: no new connections, saving what is pending", signal == SIGTERM ? "SIGTERM" : "SIGINT");
    server.stop();
    retention_timer.cancel();
    if (web) web->stop();
    if (tg) tg->stop();
    if (mx) mx->stop();
    core.flush([&io] { io.stop(); });
  });
  asio::signal_set reload_signal(io, SIGHUP);
  std::function<void()> wait_for_reload = [&] {
    reload_signal.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      // All or nothing: a set with any problem keeps the one that runs now.
      auto reloaded = load_daemon_dialogs(config.dialogs);
      if (reloaded.ok()) {
        spdlog::info("SIGHUP: reloaded {} conversation trees from {}", reloaded.set.trees.size(), config.dialogs);
        core.replace_dialogs(std::make_shared<const dialog::DialogSet>(std::move(reloaded.set)));
      } else {
        for (const auto& d : reloaded.diagnostics) spdlog::error("{}", d.to_string());
        spdlog::error("SIGHUP: the dialogs have {} problem(s); still running the ones loaded before",
                      reloaded.diagnostics.size());
      }
      std::vector<core::Diagnostic> problems;
      auto policy = safety::load_safety_policy(config.safety_file, problems);
      if (problems.empty()) {
        spdlog::info("SIGHUP: reloaded the safety lists from {}", config.safety_file);
        core.replace_safety(std::make_shared<const safety::SafetyPolicy>(std::move(policy)));
      } else {
        for (const auto& d : problems) spdlog::error("{}", d.to_string());
        spdlog::error("SIGHUP: the safety lists have {} problem(s); still screening with the ones loaded before",
                      problems.size());
      }
      wait_for_reload();
    });
  };
  wait_for_reload();

  std::uint16_t port;
  try {
    port = server.start();
  } catch (const std::exception& e) {
    spdlog::error("http: cannot listen on {}:{}: {}", config.http_host, config.http_port, e.what());
    return 1;
  }
  std::string shown_host = config.http_host.find(':') != std::string::npos ? "[" + config.http_host + "]" : config.http_host;
  log_always(fmt::format("listening on http://{}:{}", shown_host, port));

  // Retention runs at start and then every hour; idle people leave the cache then too.
  std::function<void()> sweep_hourly = [&] {
    core.sweep_retention();
    core.evict_idle();
    retention_timer.expires_after(std::chrono::hours(1));
    retention_timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) sweep_hourly();
    });
  };
  sweep_hourly();
  core.run_due();  // missed work after downtime (within its lateness), then the timer
  if (tg) {
    core.redeliver("telegram");  // committed but not confirmed sent before the last stop
    tg->start();
  }
  if (mx) {
    core.redeliver("matrix");  // with the same transaction ids: the room shows each once
    mx->start();
  }

  // A handler that throws must not take everyone's conversations down with it: it is a
  // bug to fix (logged and counted), and Asio allows run() to go on after it.
  for (;;) {
    try {
      io.run();
      break;
    } catch (const std::exception& e) {
      spdlog::error("event loop: a handler threw and was abandoned: {}", e.what());
      metrics.add_counter("bounceback_handler_errors_total", {{"place", "event_loop"}});
    }
  }
  store->flush();
  spdlog::info("stopped");
  return 0;
}

}  // namespace bounceback::app
