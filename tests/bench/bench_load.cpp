// Load on the web chat: N people run /goal, /step x3, /done x3 in a loop over real
// websockets, against the real daemon and, in the same run, against a raw Beast echo
// server (the limit of this machine for the same client). Reports messages/s, latency
// from send to the answering frame (p50/p99/p999), errors, the server's CPU time per
// answered message (the daemon's threads; the echo's thread), the daemon's peak RSS, and
// its store's figures over the run (log pages per message, commits, checkpoints).
//
//   build/bin/bench_load closed PEOPLE SECONDS         each person sends when answered
//   build/bin/bench_load open PEOPLE RATE SECONDS      RATE messages/s spread over PEOPLE
//   build/bin/bench_load idle PEOPLE                   PEOPLE connected and quiet: daemon RSS
#include <pthread.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <utility>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/fakes/daemon_process.hpp"
#include "tests/fakes/http_test_client.hpp"
#include "tests/fakes/metrics_text.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ws = boost::beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using nlohmann::json;
using namespace bounceback::testing;

namespace {

const std::vector<std::string> kScript = {"/goal Run a 5k", "/step buy shoes", "/step run 1k", "/step run 3k",
                                          "/done 1",         "/done 2",         "/done 3"};

struct Stats {
  std::vector<double> latency_us;
  long errors = 0;
  long answered = 0;
};

// ---- the raw echo server: reads a frame, writes it back -------------------------------
asio::awaitable<void> echo_session(tcp::socket socket) {
  ws::stream<beast::tcp_stream> stream(std::move(socket));
  beast::error_code ec;
  co_await stream.async_accept(asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  beast::flat_buffer buffer;
  for (;;) {
    co_await stream.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    stream.text(stream.got_text());
    co_await stream.async_write(buffer.data(), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    buffer.consume(buffer.size());
  }
}

asio::awaitable<void> echo_listen(tcp::acceptor& acceptor) {
  for (;;) {
    beast::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), echo_session(std::move(socket)), asio::detached);
  }
}

// ---- one person of the load ---------------------------------------------------------------
struct Run {
  bool bounceback;        // wait for the final frame answering our id; else any frame answers
  bool open_loop;
  double interval_s;      // open loop: time between one person's sends
  Clock::time_point until;
  Clock::time_point start;
  Stats stats;
  int connected = 0;
};

// Everything one person's reader and (open loop) writer share; both hold it.
struct Conversation {
  explicit Conversation(asio::io_context& io) : stream(io) {}
  ws::stream<beast::tcp_stream> stream;
  std::map<std::string, Clock::time_point> pending;
  long sent = 0;
  bool writer_done = false;
};

asio::awaitable<void> open_loop_writer(asio::io_context& io, std::shared_ptr<Conversation> c, Run& run, int index,
                                       std::function<std::string(Conversation&)> make_frame) {
  asio::steady_timer timer(io);
  auto step = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(run.interval_s));
  auto next = Clock::now() + step * (index % 100) / 100;  // spread the people over the interval
  beast::error_code ec;
  while (Clock::now() < run.until) {
    timer.expires_at(next);
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    std::string frame = make_frame(*c);
    co_await c->stream.async_write(asio::buffer(frame), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      ++run.stats.errors;
      break;
    }
    next += step;
  }
  c->writer_done = true;
}

asio::awaitable<void> person(asio::io_context& io, std::uint16_t port, Run& run, int index) {
  beast::error_code ec;
  auto c = std::make_shared<Conversation>(io);
  auto& stream = c->stream;
  co_await stream.next_layer().async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                             asio::redirect_error(asio::use_awaitable, ec));
  if (ec) { ++run.stats.errors; co_return; }
  stream.next_layer().socket().set_option(tcp::no_delay(true));
  co_await stream.async_handshake("127.0.0.1", "/ws", asio::redirect_error(asio::use_awaitable, ec));
  if (ec) { ++run.stats.errors; co_return; }
  stream.text(true);
  beast::flat_buffer buffer;
  if (run.bounceback) {  // hello, then the welcome and the first conversation's backlog
    co_await stream.async_write(asio::buffer(std::string(R"({"type":"hello"})")), asio::redirect_error(asio::use_awaitable, ec));
    // The welcome says how many backlog frames follow.
    co_await stream.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    int backlog = ec ? 0 : json::parse(beast::buffers_to_string(buffer.data()), nullptr, false).value("backlog", 0);
    buffer.consume(buffer.size());
    for (int seen = 0; !ec && seen < backlog; ++seen) {
      co_await stream.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
      buffer.consume(buffer.size());
    }
    if (ec) { ++run.stats.errors; co_return; }
  }
  ++run.connected;
  asio::steady_timer wait(io);
  while (Clock::now() < run.start) {  // everyone starts together, once all are connected
    wait.expires_after(std::chrono::milliseconds(5));
    co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  ec = {};

  std::function<std::string(Conversation&)> make_frame = [index](Conversation& conv) {
    std::string id = std::to_string(index) + ":" + std::to_string(conv.sent);
    std::string text = kScript[static_cast<std::size_t>(conv.sent++) % kScript.size()];
    conv.pending[id] = Clock::now();
    return json{{"type", "text"}, {"text", text}, {"id", id}}.dump();
  };
  if (run.open_loop) {
    asio::co_spawn(io, open_loop_writer(io, c, run, index, make_frame), asio::detached);
  } else {
    std::string frame = make_frame(*c);
    co_await stream.async_write(asio::buffer(frame), asio::redirect_error(asio::use_awaitable, ec));
    c->writer_done = true;
  }
  while (!ec && (!c->writer_done || !c->pending.empty() || Clock::now() < run.until)) {
    if (Clock::now() > run.until + std::chrono::seconds(5)) break;  // stragglers are errors
    co_await stream.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    std::string text = beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    std::string id;
    if (run.bounceback) {
      json f = json::parse(text, nullptr, false);
      if (!f.is_object() || !f.value("final", false)) continue;
      id = f.value("reply_to", "");
    } else {
      id = json::parse(text, nullptr, false).value("id", "");
    }
    auto it = c->pending.find(id);
    if (it == c->pending.end()) continue;
    run.stats.latency_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - it->second).count());
    ++run.stats.answered;
    c->pending.erase(it);
    if (!run.open_loop && Clock::now() < run.until) {
      std::string frame = make_frame(*c);
      co_await stream.async_write(asio::buffer(frame), asio::redirect_error(asio::use_awaitable, ec));
    }
    if (run.open_loop && c->writer_done && c->pending.empty()) break;
  }
  run.stats.errors += static_cast<long>(c->pending.size());
  c->pending.clear();
  beast::error_code ignored;
  stream.next_layer().socket().close(ignored);
}

// The daemon's store figures from /metrics (the sum over each metric's label sets).
struct StoreFigures {
  double messages = 0, wal_pages = 0, commits = 0, transactions = 0, checkpoints = 0;
};

StoreFigures store_figures(std::uint16_t port) {
  std::string text;
  try {
    text = http_request(port, "GET", "/metrics").body;
  } catch (const std::exception&) {
    return {};
  }
  return {metric_total(text, "bounceback_messages_in_total"), metric_total(text, "bounceback_store_wal_pages_total"),
          metric_total(text, "bounceback_store_commit_batch_size_count"),
          metric_total(text, "bounceback_store_commit_batch_size_sum"),
          metric_total(text, "bounceback_store_checkpoints_total")};
}

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

struct Result {
  double per_second = 0, p50 = 0, p99 = 0, p999 = 0;
  long errors = 0;
  double server_cpu_us = 0;  // the server's CPU time per answered message (less noisy than messages/s)
};

// CPU seconds the server used so far: the daemon process (all its threads), or the echo thread.
using CpuProbe = std::function<double()>;

double process_cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = stat.rfind(')');  // the command name may hold spaces; the fields follow it
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stod(f);
    if (i == 15) stime = std::stod(f);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double thread_cpu_seconds(std::thread& thread) {
  clockid_t clock;
  timespec ts{};
  if (pthread_getcpuclockid(thread.native_handle(), &clock) != 0 || clock_gettime(clock, &ts) != 0) return 0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

Result load(std::uint16_t port, bool bounceback, int people, bool open_loop, double rate, double seconds,
            const CpuProbe& server_cpu) {
  asio::io_context io;
  Run run{bounceback, open_loop, open_loop ? people / rate : 0, {}, {}, {}, 0};
  run.start = run.until = Clock::now() + std::chrono::hours(1);  // set for real once everyone is connected
  for (int i = 0; i < people; ++i) asio::co_spawn(io, person(io, port, run, i), asio::detached);
  while (run.connected + run.stats.errors < people) io.run_one();
  run.start = Clock::now();
  run.until = run.start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  double cpu_before = server_cpu();  // after the connections: the messages' cost only
  io.run();
  double cpu_used = server_cpu() - cpu_before;
  Result r;
  r.server_cpu_us = run.stats.answered ? cpu_used * 1e6 / static_cast<double>(run.stats.answered) : 0;
  r.per_second = static_cast<double>(run.stats.answered) / seconds;
  r.p50 = percentile(run.stats.latency_us, 0.5);
  r.p99 = percentile(run.stats.latency_us, 0.99);
  r.p999 = percentile(run.stats.latency_us, 0.999);
  r.errors = run.stats.errors;
  return r;
}

long rss_kb(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::string(field).size()));
  return -1;
}

void print(const char* name, const Result& r) {
  std::printf("%-11s %9.0f msg/s  p50 %7.0f us  p99 %7.0f us  p999 %7.0f us  errors %ld  server CPU %5.1f us/msg\n",
              name, r.per_second, r.p50, r.p99, r.p999, r.errors, r.server_cpu_us);
}

}  // namespace

int main(int argc, char** argv) {
  // Arguments after "--" go to the daemon, to compare settings: -- --set storage.synchronous=full
  std::vector<std::string> daemon_args = {"--set", "connectors.websocket.rate_limit=0", "--set",
                                          "connectors.websocket.new_people_per_minute=0", "--set", "log.level=warn"};
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--") {
      for (int j = i + 1; j < argc; ++j) daemon_args.push_back(argv[j]);
      argc = i;
      break;
    }
  std::string mode = argc > 1 ? argv[1] : "closed";
  int people = argc > 2 ? std::stoi(argv[2]) : 100;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  TempDir data;
  DaemonProcess daemon(data.path(), daemon_args);
  std::printf("bench_load %s: %d people, %u cores (client, echo and daemon share them)\n", mode.c_str(), people,
              std::thread::hardware_concurrency());

  if (mode == "idle") {
    asio::io_context io;
    Run run{true, false, 0, Clock::now() + std::chrono::hours(1), {}, {}, 0};
    long before = rss_kb(daemon.pid(), "VmRSS:");
    for (int i = 0; i < people; ++i)
      asio::co_spawn(io, [&, i]() -> asio::awaitable<void> {
        beast::error_code ec;
        auto stream = std::make_shared<ws::stream<beast::tcp_stream>>(io);
        co_await stream->next_layer().async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), daemon.port()),
                                                    asio::redirect_error(asio::use_awaitable, ec));
        if (!ec) co_await stream->async_handshake("127.0.0.1", "/ws", asio::redirect_error(asio::use_awaitable, ec));
        if (!ec) co_await stream->async_write(asio::buffer(std::string(R"({"type":"hello"})")), asio::redirect_error(asio::use_awaitable, ec));
        beast::flat_buffer buffer;
        if (!ec) co_await stream->async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) ++run.stats.errors; else ++run.connected;
        // Stay connected: keep reading until the bench ends.
        while (!ec) {
          buffer.consume(buffer.size());
          co_await stream->async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
        }
        (void)i;
      }, asio::detached);
    while (run.connected + run.stats.errors < people) io.run_one();
    io.run_for(std::chrono::seconds(2));  // the backlogs delivered, everyone quiet
    std::printf("idle: %d connected (%ld errors); daemon RSS %ld MB (before %ld MB, peak %ld MB)\n", run.connected,
                run.stats.errors, rss_kb(daemon.pid(), "VmRSS:") / 1024, before / 1024,
                rss_kb(daemon.pid(), "VmHWM:") / 1024);
    return 0;
  }

  bool open_loop = mode == "open";
  double rate = open_loop ? (argc > 3 ? std::stod(argv[3]) : 5000) : 0;
  double seconds = std::stod(argc > (open_loop ? 4 : 3) ? argv[open_loop ? 4 : 3] : "10");

  asio::io_context echo_io;
  tcp::acceptor acceptor(echo_io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  asio::co_spawn(echo_io, echo_listen(acceptor), asio::detached);
  std::thread echo_thread([&] { echo_io.run(); });

  Result echo = load(acceptor.local_endpoint().port(), false, people, open_loop, rate, seconds,
                     [&] { return thread_cpu_seconds(echo_thread); });
  auto store_before = store_figures(daemon.port());
  Result bb = load(daemon.port(), true, people, open_loop, rate, seconds,
                   [&] { return process_cpu_seconds(daemon.pid()); });
  auto store_after = store_figures(daemon.port());
  echo_io.stop();
  echo_thread.join();

  if (open_loop) std::printf("offered %.0f msg/s for %.0f s\n", rate, seconds);
  print("raw echo", echo);
  print("bounceback", bb);
  std::printf("bounceback / echo: %.0f%% of the messages per second; daemon peak RSS %ld MB\n",
              100.0 * bb.per_second / std::max(1.0, echo.per_second), rss_kb(daemon.pid(), "VmHWM:") / 1024);
  double in = store_after.messages - store_before.messages;
  double commits = store_after.commits - store_before.commits;
  if (in > 0 && commits > 0)
    std::printf("store: %.2f log pages per message, %.0f commits of %.1f transactions on average, %.0f checkpoints\n",
                (store_after.wal_pages - store_before.wal_pages) / in, commits,
                (store_after.transactions - store_before.transactions) / commits,
                store_after.checkpoints - store_before.checkpoints);
  return 0;
}
