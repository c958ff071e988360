#include "tests/fakes/daemon_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

extern char** environ;

namespace bounceback::testing {

namespace {

// Starts the binary with stdout+stderr on a pipe; returns pid and the read end.
std::pair<pid_t, int> spawn(const std::string& program, const std::vector<std::string>& args,
                            const std::vector<std::string>& environment) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // A test killed by its time limit must not leave a daemon behind.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    // As an operator runs it: from the project folder, where the config's relative paths
    // (dialogs/, config/safety/) resolve.
    if (chdir(BOUNCEBACK_SOURCE_DIR) != 0) _exit(126);
    for (const auto& e : environment) putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    std::string bin = program;
    argv.push_back(bin.data());
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(bin.c_str(), argv.data());  // a peer may be named by its program name (node)
    _exit(127);
  }
  close(fds[1]);
  return {pid, fds[0]};
}

std::optional<int> wait_exit(pid_t pid, std::chrono::milliseconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (std::chrono::steady_clock::now() >= until) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling a child's exit, not ordering
  }
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "bounceback-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string DaemonProcess::binary() { return BOUNCEBACK_BINARY; }
std::string DaemonProcess::default_config() { return BOUNCEBACK_SOURCE_DIR "/config/bounceback.yaml"; }

DaemonProcess::DaemonProcess(const std::string& data_dir, std::vector<std::string> extra_args,
                             std::vector<std::string> environment) {
  std::vector<std::string> args = {"run", "--config", default_config(), "--set", "http.listen=127.0.0.1:0",
                                   "--set", "data_dir=" + data_dir};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  start(args, environment);
}

DaemonProcess::DaemonProcess(Peer peer) : program_(std::move(peer.program)) { start(peer.args, {}); }

void DaemonProcess::start(const std::vector<std::string>& args, const std::vector<std::string>& environment) {
  auto [pid, fd] = spawn(program_, args, environment);
  pid_ = pid;
  log_fd_ = fd;
  reader_ = std::thread([this] {
    char buf[4096];
    for (;;) {
      ssize_t n = read(log_fd_, buf, sizeof buf);
      std::lock_guard lock(mutex_);
      if (n <= 0) {
        log_closed_ = true;
        changed_.notify_all();
        return;
      }
      log_.append(buf, static_cast<std::size_t>(n));
      changed_.notify_all();
    }
  });
  std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+))");
  if (!wait_for_log(listening, std::chrono::seconds(20))) {
    std::string why = "the daemon did not start listening; its log:\n" + log();
    kill_hard();  // a constructor that throws runs no destructor: clean up here
    if (reader_.joinable()) reader_.join();
    close(log_fd_);
    log_fd_ = -1;
    throw std::runtime_error(why);
  }
  std::smatch m;
  std::string text = log();
  std::regex_search(text, m, listening);
  port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) kill_hard();
  if (reader_.joinable()) reader_.join();
  if (log_fd_ >= 0) close(log_fd_);
}

std::optional<int> DaemonProcess::stop(int signal, std::chrono::milliseconds deadline) {
  if (pid_ <= 0) return std::nullopt;
  ::kill(pid_, signal);
  auto code = wait_exit(pid_, deadline);
  if (code) pid_ = -1;
  return code;
}

void DaemonProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  wait_exit(pid_, std::chrono::seconds(10));
  pid_ = -1;
}

bool DaemonProcess::wait_for_log(const std::regex& pattern, std::chrono::milliseconds deadline) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, deadline, [&] { return std::regex_search(log_, pattern) || log_closed_; }) &&
         std::regex_search(log_, pattern);
}

std::string DaemonProcess::log() const {
  std::lock_guard lock(mutex_);
  return log_;
}

CommandResult run_command(const std::vector<std::string>& args, std::chrono::seconds deadline) {
  auto [pid, fd] = spawn(DaemonProcess::binary(), args, {});
  CommandResult result;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) result.output.append(buf, static_cast<std::size_t>(n));
  close(fd);
  auto code = wait_exit(pid, deadline);
  if (!code) {
    ::kill(pid, SIGKILL);
    wait_exit(pid, std::chrono::seconds(5));
  }
  result.exit_code = code.value_or(-1);
  return result;
}

}  // namespace bounceback::testing
