#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>

struct sqlite3_vfs;

namespace bounceback::testing {

// A SQLite VFS shim, made the default while it lives, that passes every call to the real
// VFS and watches the main database files (not logs, not journals): it counts their syncs (or fails them),
// and it can hold the next write to one of them until released. What SQLite does to a file
// is otherwise invisible from outside (a checkpoint's sync, for one).
class SyncCountingVfs {
 public:
  SyncCountingVfs();
  ~SyncCountingVfs();  // the real VFS is the default again
  SyncCountingVfs(const SyncCountingVfs&) = delete;
  SyncCountingVfs& operator=(const SyncCountingVfs&) = delete;

  int database_syncs() const;
  // From now on, syncs of main database files fail (SQLITE_IOERR_FSYNC) without reaching
  // the disk, as a failing disk's would; false: they work again.
  void fail_database_syncs(bool fail);

  // The next write to a main database file waits, whichever thread makes it, until
  // release_write(). wait_for_held_write: true once a write is waiting.
  void hold_next_write();
  bool wait_for_held_write(std::chrono::milliseconds limit);
  void release_write();

  // For the file methods (public so that the C callbacks reach them).
  bool on_database_sync();  // false: this sync fails
  void on_database_write();

 private:
  sqlite3_vfs* real_;
  sqlite3_vfs* shim_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int syncs_ = 0;
  bool fail_syncs_ = false;
  bool hold_ = false;
  bool holding_ = false;
};

}  // namespace bounceback::testing
