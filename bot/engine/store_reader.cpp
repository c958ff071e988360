#include "bot/engine/store_reader.hpp"

namespace bounceback::engine {

StoreReader::StoreReader(Post post, bool own_thread) : post_(std::move(post)) {
  if (own_thread) thread_ = std::thread([this] { loop(); });
}

StoreReader::~StoreReader() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StoreReader::read(std::function<void()> read, std::function<void()> then) {
  if (!thread_.joinable()) {
    read();
    then();
    return;
  }
  {
    std::lock_guard lock(mutex_);
    jobs_.emplace_back(std::move(read), std::move(then));
  }
  wake_.notify_one();
}

void StoreReader::loop() {
  for (;;) {
    std::pair<std::function<void()>, std::function<void()>> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and nothing left
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job.first();
    post_(std::move(job.second));
  }
}

}  // namespace bounceback::engine
