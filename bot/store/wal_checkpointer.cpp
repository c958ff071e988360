#include "bot/store/wal_checkpointer.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <string>

#include "bot/store/sqlite_connection.hpp"

namespace bounceback::store {

WalCheckpointer::WalCheckpointer(const std::string& path, bool power_loss_safe, int limit_pages)
    : connection_(std::make_unique<SqliteConnection>(path)),
      power_loss_safe_(power_loss_safe),
      limit_pages_(limit_pages),
      wake_pages_(std::max(1, limit_pages / 4)),
      catch_up_pages_(std::max(8, limit_pages / 64)) {
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

  switch (self->writer_step(frames, self->copied_through_.load(), self->passing_.load())) {
    case WriterStep::nothing:
      break;
    case WriterStep::wake_checkpointer: {
      {
        std::lock_guard lock(self->mutex_);
        self->wanted_ = true;
      }
      self->wake_.notify_one();
      break;
    }
    case WriterStep::copy_the_rest: {
      // Busy while the checkpointer runs: tried again after the next commit.
      int log = 0, copied = 0;
      if (sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK && copied == log)
        self->inline_.fetch_add(1);
      break;
    }
  }
  return SQLITE_OK;
}

WalCheckpointer::WriterStep WalCheckpointer::writer_step(int frames, int copied_through, bool passing) const {
  const int behind = frames - copied_through;
  if (frames >= 2 * limit_pages_) return WriterStep::copy_the_rest;  // the checkpointer cannot keep up
  if (frames >= limit_pages_) {
    // The log starts over only once a checkpoint has copied all of it before the next
    // commit, which a busy writer racing the checkpointer never allows. So the checkpointer
    // chases the writer pass after pass, each copying what the commits during the one before
    // appended, fewer pages each time; once it is close behind and idle, the writer copies
    // the few pages left itself and its next commit starts the log from the beginning.
    // Copying and syncing more here would hold every message waiting for the commit: a sync
    // costs ~30 us per page on a virtual disk. Close behind, the checkpointer is left to
    // finish its pass rather than woken again, as the writer's syncs would queue behind its.
    if (behind > catch_up_pages_) return WriterStep::wake_checkpointer;
    return passing ? WriterStep::nothing : WriterStep::copy_the_rest;
  }
  return behind >= wake_pages_ ? WriterStep::wake_checkpointer : WriterStep::nothing;
}

int WalCheckpointer::sync_database() {
  // SQLite syncs the database after a checkpoint only when no commit came while it copied,
  // which under load is almost never: the copied pages stayed unsynced until the writer's
  // own checkpoint at the limit synced them all while its messages waited (8-28 ms,
  // measured). Synced here, off the writer's path, they leave it ~1-3 ms. A sync with
  // nothing to write costs next to nothing.
  sqlite3_file* file = nullptr;
  int rc = sqlite3_file_control(connection_->handle(), "main", SQLITE_FCNTL_FILE_POINTER, &file);
  if (rc != SQLITE_OK || !file || !file->pMethods) return rc == SQLITE_OK ? SQLITE_ERROR : rc;
  return file->pMethods->xSync(file, power_loss_safe_ ? SQLITE_SYNC_FULL : SQLITE_SYNC_NORMAL);
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
    passing_.store(true);
    int rc = sqlite3_wal_checkpoint_v2(connection_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    // The sync is called past SQLite, which then knows nothing of its error: name it here.
    std::string failure;
    if (rc == SQLITE_OK && copied > 0 && (rc = sync_database()) != SQLITE_OK)
      failure = std::string("syncing the database: ") + sqlite3_errstr(rc);
    else if (rc != SQLITE_OK)
      failure = sqlite3_errmsg(connection_->handle());
    passing_.store(false);
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
                   failure);
    }
  }
}

}  // namespace bounceback::store
