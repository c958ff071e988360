#pragma once
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace bounceback::testing {

// A fresh temporary folder, removed with everything in it when this goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The real bounceback binary run as a child process, its log collected line by line.
class DaemonProcess {
 public:
  // Runs `bounceback run --config <default> --set http.listen=127.0.0.1:0 --set data_dir=DATA_DIR ARGS...`
  // and waits for "listening on" (throws if it exits or does not get there in time).
  DaemonProcess(const std::string& data_dir, std::vector<std::string> extra_args = {},
                std::vector<std::string> environment = {});
  // Another program with the same contract (a test peer such as the Telegram emulator):
  // it prints "listening on http://127.0.0.1:PORT" once it accepts connections.
  struct Peer {
    std::string program;
    std::vector<std::string> args;
  };
  explicit DaemonProcess(Peer peer);
  ~DaemonProcess();  // SIGKILL if still running

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }

  // Sends `signal` and waits for the exit status (nullopt: still running at the deadline).
  std::optional<int> stop(int signal, std::chrono::milliseconds deadline = std::chrono::seconds(10));
  void kill_hard();

  bool wait_for_log(const std::regex& pattern, std::chrono::milliseconds deadline);
  std::string log() const;

  static std::string binary();
  static std::string default_config();

 private:
  void start(const std::vector<std::string>& args, const std::vector<std::string>& environment);

  std::string program_ = binary();
  pid_t pid_ = -1;
  int log_fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string log_;
  bool log_closed_ = false;
};

// Runs the binary to completion (for CLI tests): exit code and everything it printed.
struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};
CommandResult run_command(const std::vector<std::string>& args, std::chrono::seconds deadline = std::chrono::seconds(30));

}  // namespace bounceback::testing
