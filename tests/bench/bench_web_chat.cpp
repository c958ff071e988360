// Round trips through the real daemon: a websocket text in, the committed answer out.
// Prints throughput, latency percentiles and the store's mean group-commit size for one
// client and for many clients side by side, so the effect of group commit shows as a ratio.
//
//   build/bin/bench_web_chat [ROUND_TRIPS_PER_CLIENT=200] [CLIENTS=16]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "tests/fakes/daemon_process.hpp"
#include "tests/fakes/http_test_client.hpp"
#include "tests/fakes/metrics_text.hpp"
#include "tests/fakes/ws_test_client.hpp"

using namespace bounceback::testing;
using Clock = std::chrono::steady_clock;

namespace {

struct Phase {
  double seconds = 0;
  std::vector<double> latencies_ms;
  double mean_batch = 0;
};

Phase run_phase(std::uint16_t port, int clients, int round_trips) {
  auto before = http_request(port, "GET", "/metrics").body;
  std::vector<std::vector<double>> latencies(clients);
  std::vector<std::thread> threads;
  auto started = Clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      WsTestClient client(port);
      client.hello();
      while (client.read(std::chrono::milliseconds(200))) {
      }
      for (int i = 0; i < round_trips; ++i) {
        std::string id = std::to_string(i);
        auto sent = Clock::now();
        client.send_json({{"type", "text"}, {"text", "step " + id}, {"id", id}});
        for (;;) {
          auto frame = client.read_json();
          if (frame.value("reply_to", "") == id && frame.value("final", false)) break;
        }
        latencies[c].push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
      }
    });
  }
  for (auto& t : threads) t.join();
  Phase p;
  p.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  for (auto& l : latencies) p.latencies_ms.insert(p.latencies_ms.end(), l.begin(), l.end());
  std::sort(p.latencies_ms.begin(), p.latencies_ms.end());
  auto after = http_request(port, "GET", "/metrics").body;
  double commits = metric_total(after, "bounceback_store_commit_batch_size_count") -
                   metric_total(before, "bounceback_store_commit_batch_size_count");
  double transactions = metric_total(after, "bounceback_store_commit_batch_size_sum") -
                        metric_total(before, "bounceback_store_commit_batch_size_sum");
  p.mean_batch = commits > 0 ? transactions / commits : 0;
  return p;
}

double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(q * static_cast<double>(sorted.size())))];
}

void print(const char* name, int clients, const Phase& p) {
  double per_second = static_cast<double>(p.latencies_ms.size()) / p.seconds;
  std::printf("%-14s clients=%-3d round_trips=%-6zu %8.0f round trips/s  p50=%6.2f ms  p99=%6.2f ms  "
              "mean group commit=%5.1f transactions\n",
              name, clients, p.latencies_ms.size(), per_second, percentile(p.latencies_ms, 0.5),
              percentile(p.latencies_ms, 0.99), p.mean_batch);
}

}  // namespace

int main(int argc, char** argv) {
  int round_trips = argc > 1 ? std::stoi(argv[1]) : 200;
  int clients = argc > 2 ? std::stoi(argv[2]) : 16;
  TempDir data;
  DaemonProcess daemon(data.path(), {"--set", "connectors.websocket.rate_limit=0", "--set",
                                     "connectors.websocket.new_people_per_minute=0", "--set", "log.level=warn",
                                     "--set", "storage.synchronous=full"});
  std::printf("bench_web_chat: text in -> committed answer out, SQLite synchronous=FULL, %u cores\n",
              std::thread::hardware_concurrency());
  Phase one = run_phase(daemon.port(), 1, round_trips);
  print("one client", 1, one);
  Phase many = run_phase(daemon.port(), clients, round_trips);
  print("many clients", clients, many);
  double ratio = (static_cast<double>(many.latencies_ms.size()) / many.seconds) /
                 (static_cast<double>(one.latencies_ms.size()) / one.seconds);
  std::printf("throughput ratio many/one: %.1fx\n", ratio);
  return 0;
}
