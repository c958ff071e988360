#include "bot/app/daemon.hpp"

#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <spdlog/spdlog.h>
#include <utility>

#include "bot/app/core.hpp"
#include "bot/app/dialog_files.hpp"
#include "bot/app/logging.hpp"
#include "bot/app/test_endpoints.hpp"
#include "bot/app/version.hpp"
#include "bot/coach/coach.hpp"
#include "bot/core/clock.hpp"
#include "bot/core/iso8601.hpp"
#include "bot/core/metrics.hpp"
#include "bot/safety/safety_policy.hpp"
#include "bot/store/full_disk_vfs.hpp"
#include "bot/store/sqlite_store.hpp"
#include "bot/store/store_error.hpp"
#include "connectors/http/http_server.hpp"
#include "connectors/matrix/matrix_connector.hpp"
#include "connectors/telegram/telegram_connector.hpp"
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

// A secret from the environment variable a `*_env` key names; empty when unset.
std::string secret(const std::string& variable) {
  const char* value = std::getenv(variable.c_str());
  return value ? value : "";
}

// The daemon's parts, built in order; each step logs why when it cannot go on.
class Daemon {
 public:
  explicit Daemon(const Config& config) : config_(config) {}

  int run() {
    raise_open_files_limit();
    if (!prepare_data_dir() || !load_content() || !open_store()) return 1;
    build_core();
    if (!build_connectors()) return 1;
    install_routes();
    handle_signals();  // before the first connection is taken: a SIGTERM right after "listening on" stops cleanly
    if (!listen()) return 1;
    start_work();
    run_loop();
    store_->flush();
    spdlog::info("stopped");
    return 0;
  }

 private:
  bool prepare_data_dir() {
    try {
      std::filesystem::create_directories(config_.data_dir);
      return true;
    } catch (const std::filesystem::filesystem_error& e) {
      spdlog::error("cannot create data_dir {}: {}", config_.data_dir, e.code().message());
      return false;
    }
  }

  // The conversation trees and the safety lists: the daemon runs without neither.
  bool load_content() {
    auto loaded = load_daemon_dialogs(config_.dialogs);
    if (!loaded.ok()) {
      for (const auto& d : loaded.diagnostics) spdlog::error("{}", d.to_string());
      spdlog::error("dialogs: {} problem(s) in {}; fix them (bounceback check shows them too)",
                    loaded.diagnostics.size(), config_.dialogs);
      return false;
    }
    spdlog::info("dialogs: {} conversation trees from {}", loaded.set.trees.size(), config_.dialogs);
    dialogs_ = std::make_shared<const dialog::DialogSet>(std::move(loaded.set));

    std::vector<core::Diagnostic> problems;
    safety_ = std::make_shared<const safety::SafetyPolicy>(safety::load_safety_policy(config_.safety_file, problems));
    if (!problems.empty()) {
      for (const auto& d : problems) spdlog::error("{}", d.to_string());
      spdlog::error("safety: {} problem(s) in {}; bounceback does not run without its safety screen", problems.size(),
                    config_.safety_file);
      return false;
    }
    return true;
  }

  bool open_store() {
    if (config_.manual_clock) {
      auto manual = std::make_unique<core::ManualClock>(config_.clock_start);
      manual_clock_ = manual.get();
      clock_ = std::move(manual);
      spdlog::info("clock: manual, starting at {}", core::format_iso8601(config_.clock_start));
    } else {
      clock_ = std::make_unique<core::SystemClock>();
    }
    // With the test clock and an admin token, the disk can be filled on command (/admin/store).
    if (test_endpoints()) store::FullDiskVfs::install();
    try {
      store_ = std::make_unique<store::SqliteStore>(config_.database_path(), &metrics_,
                                                    config_.storage_synchronous == "full");
    } catch (const store::StoreError& e) {
      spdlog::error("store: {}", e.what());
      return false;
    }
    spdlog::info("store: SQLite at {}", config_.database_path());
    return true;
  }

  bool test_endpoints() const { return config_.manual_clock && !secret(config_.admin_token_env).empty(); }

  void build_core() {
    coach_ = std::make_unique<coach::Coach>(dialogs_, config_.discouragement);
    Core::Settings settings{config_.default_timezone, config_.default_country, config_.help_directory, safety_,
                            config_.retention_days, config_.unfinished_onboarding_days, config_.nudges,
                            config_.manual_clock};
    settings.nudge_rules.default_timezone = config_.default_timezone;
    settings.cache_idle = config_.cache_idle;
    settings.read_off_strand = true;
    core_ = std::make_unique<Core>(io_, *store_, *clock_, metrics_, *coach_, std::move(settings));
    server_ = std::make_unique<HttpServer>(io_, config_.http_host, config_.http_port);
  }

  bool build_connectors() {
    auto saved = [this](const std::string& key) { return store_->setting(key); };
    if (config_.telegram.enabled) {
      auto settings = telegram::TelegramConnector::from_config(config_.telegram, saved);
      if (!settings) return false;
      telegram_ = std::make_unique<telegram::TelegramConnector>(io_, *core_, metrics_, std::move(*settings));
      core_->attach(*telegram_);
    }
    if (config_.matrix.enabled) {
      auto save = [this](const std::string& key, const std::string& value) { core_->checkpoint(key, value, nullptr); };
      auto settings = matrix::MatrixConnector::from_config(config_.matrix, saved, save);
      if (!settings) return false;
      matrix_ = std::make_unique<matrix::MatrixConnector>(io_, *core_, metrics_, std::move(*settings));
      core_->attach(*matrix_);
    }
    if (config_.websocket.enabled) {
      web_ = std::make_shared<websocket::WebsocketConnector>(*core_, metrics_, config_.websocket);
      core_->attach(*web_);
    }
    return true;
  }

  void install_routes() {
    if (telegram_) telegram_->install(*server_);
    if (web_) web_->install(*server_);
    std::vector<const core::Connector*> platforms;
    if (telegram_) platforms.push_back(telegram_.get());
    if (matrix_) platforms.push_back(matrix_.get());
    const auto started = std::chrono::steady_clock::now();
    server_->route("GET", "/healthz", [store = store_.get(), started, platforms](const HttpRequest&, HttpServer::Respond respond) {
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
    server_->route("GET", "/metrics", [metrics = &metrics_](const HttpRequest&, HttpServer::Respond respond) {
      respond({200, "text/plain; version=0.0.4; charset=utf-8", metrics->render(), {}});
    });
    http::TrustedProxies proxies;
    for (const auto& p : config_.http_trusted_proxies) proxies.add(p);  // checked when the config was read
    server_->trust_proxies(std::move(proxies));
    // Without a token /admin/* does not exist (404); with one, only with the test clock.
    if (manual_clock_ && test_endpoints())
      install_test_endpoints(*server_, secret(config_.admin_token_env), *manual_clock_, *core_, *store_);
  }

  void handle_signals() {
    stop_signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      spdlog::info("{}: stopping: no new connections, saving what is pending", signal == SIGTERM ? "SIGTERM" : "SIGINT");
      server_->stop();
      retention_timer_.cancel();
      if (web_) web_->stop();
      if (telegram_) telegram_->stop();
      if (matrix_) matrix_->stop();
      core_->flush([this] { io_.stop(); });
    });
    wait_for_reload();
  }

  // SIGHUP: the dialogs and the safety lists again, each all or nothing: a set with any
  // problem keeps the one that runs now.
  void wait_for_reload() {
    reload_signal_.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      auto reloaded = load_daemon_dialogs(config_.dialogs);
      if (reloaded.ok()) {
        spdlog::info("SIGHUP: reloaded {} conversation trees from {}", reloaded.set.trees.size(), config_.dialogs);
        core_->replace_dialogs(std::make_shared<const dialog::DialogSet>(std::move(reloaded.set)));
      } else {
        for (const auto& d : reloaded.diagnostics) spdlog::error("{}", d.to_string());
        spdlog::error("SIGHUP: the dialogs have {} problem(s); still running the ones loaded before",
                      reloaded.diagnostics.size());
      }
      std::vector<core::Diagnostic> problems;
      auto policy = safety::load_safety_policy(config_.safety_file, problems);
      if (problems.empty()) {
        spdlog::info("SIGHUP: reloaded the safety lists from {}", config_.safety_file);
        core_->replace_safety(std::make_shared<const safety::SafetyPolicy>(std::move(policy)));
      } else {
        for (const auto& d : problems) spdlog::error("{}", d.to_string());
        spdlog::error("SIGHUP: the safety lists have {} problem(s); still screening with the ones loaded before",
                      problems.size());
      }
      wait_for_reload();
    });
  }

  bool listen() {
    std::uint16_t port;
    try {
      port = server_->start();
    } catch (const std::exception& e) {
      spdlog::error("http: cannot listen on {}:{}: {}", config_.http_host, config_.http_port, e.what());
      return false;
    }
    const std::string& host = config_.http_host;
    log_always(fmt::format("listening on http://{}:{}", host.find(':') != std::string::npos ? "[" + host + "]" : host, port));
    return true;
  }

  void start_work() {
    sweep_hourly();
    core_->run_due();  // missed work after downtime (within its lateness), then the timer
    if (telegram_) {
      core_->redeliver("telegram");  // committed but not confirmed sent before the last stop
      telegram_->start();
    }
    if (matrix_) {
      core_->redeliver("matrix");  // with the same transaction ids: the room shows each once
      matrix_->start();
    }
  }

  // Retention runs at start and then every hour; idle people leave the cache then too.
  void sweep_hourly() {
    core_->sweep_retention();
    core_->evict_idle();
    retention_timer_.expires_after(std::chrono::hours(1));
    retention_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) sweep_hourly();
    });
  }

  // A handler that throws must not take everyone's conversations down with it: it is a
  // bug to fix (logged and counted), and Asio allows run() to go on after it.
  void run_loop() {
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("event loop: a handler threw and was abandoned: {}", e.what());
        metrics_.add_counter("bounceback_handler_errors_total", {{"place", "event_loop"}});
      }
    }
  }

  const Config& config_;
  std::shared_ptr<const dialog::DialogSet> dialogs_;
  std::shared_ptr<const safety::SafetyPolicy> safety_;
  core::Metrics metrics_;
  std::unique_ptr<core::Clock> clock_;
  core::ManualClock* manual_clock_ = nullptr;
  std::unique_ptr<store::SqliteStore> store_;
  asio::io_context io_;
  std::unique_ptr<coach::Coach> coach_;
  std::unique_ptr<Core> core_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<telegram::TelegramConnector> telegram_;
  std::unique_ptr<matrix::MatrixConnector> matrix_;
  std::shared_ptr<websocket::WebsocketConnector> web_;
  asio::steady_timer retention_timer_{io_};
  asio::signal_set stop_signals_{io_, SIGINT, SIGTERM};
  asio::signal_set reload_signal_{io_, SIGHUP};
};

}  // namespace

int run_daemon(const Config& config) { return Daemon(config).run(); }

}  // namespace bounceback::app
