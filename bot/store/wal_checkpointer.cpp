#include "bot/store/wal_checkpointer.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>

#include "bot/store/sqlite_connection.hpp"

namespace bounceback::store {

WalCheckpointer::WalCheckpointer(const std::string& path, bool power_loss_safe, int limit_pages)
    : connection_(std::make_unique<SqliteConnection>(path)),
      limit_pages_(limit_pages),
      wake_pages_(std::max(1, limit_pages / 4)) {
  // A checkpoint syncs the log before copying and the database after, as the writer's would.
  connection_->exec(power_loss_safe ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  thread_ = std::thread([this] { loop(); });
}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WalCheckpointer::attach(sqlite3* writer) {
  sqlite3_wal_autocheckpoint(writer, 0);  // before the hook: it would replace ours
  sqlite3_wal_hook(writer, &WalCheckpointer::on_commit, this);
}

int WalCheckpointer::on_commit(void* self_ptr, sqlite3* db, const char* schema, int frames) {
  auto* self = static_cast<WalCheckpointer*>(self_ptr);
  if (frames < self->last_frames_) self->copied_through_.store(0);  // the log was rewound
  self->pages_written_.fetch_add(
      static_cast<std::uint64_t>(frames >= self->last_frames_ ? frames - self->last_frames_ : frames));
  self->last_frames_ = frames;

  if (frames >= self->limit_pages_) {
    // The log only starts over once a checkpoint has copied all of it before the next
    // commit, which a busy writer racing the checkpointer may never allow. So at the limit
    // the writer copies the rest itself (little: the checkpointer keeps close behind), and
    // its next commit starts the log from the beginning. Busy while the checkpointer
    // runs: tried again after the next commit.
    int log = 0, copied = 0;
    if (sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK && copied == log)
      self->inline_.fetch_add(1);
  } else if (frames - self->copied_through_.load() >= self->wake_pages_) {
    {
      std::lock_guard lock(self->mutex_);
      self->wanted_ = true;
    }
    self->wake_.notify_one();
  }
  return SQLITE_OK;
}

void WalCheckpointer::loop() {
  bool failing = false;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || wanted_; });
      if (stopping_) return;
      wanted_ = false;
    }
    int log = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(connection_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    if (rc == SQLITE_OK) {
      copied_through_.store(copied);
      background_.fetch_add(1);
      if (failing) spdlog::info("store: checkpoints work again");
      failing = false;
      spdlog::debug("store: checkpoint copied {} of {} log pages", copied, log);
    } else if (rc == SQLITE_BUSY) {
      spdlog::debug("store: checkpoint skipped: the writer is running one");  // it copies the same pages
    } else if (!failing) {  // once, not after every commit while it lasts
      failing = true;
      spdlog::warn("store: checkpoint failed: {} (the log grows until the writer's own checkpoint at its limit)",
                   sqlite3_errmsg(connection_->handle()));
    }
  }
}

}  // namespace bounceback::store
