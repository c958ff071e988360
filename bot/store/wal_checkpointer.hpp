#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace bounceback::store {

class SqliteConnection;

// Copies the write-ahead log back into the database on its own thread and connection,
// so a group commit does not wait for it. SQLite's automatic checkpoint runs inside the
// commit that crosses its threshold, copying a thousand pages and syncing the log and the
// database: under load those commits took 10-50 ms (the sync of megabytes written since
// the last one), and every message waiting on them too.
//
// attach() turns the writer's automatic checkpoint off and watches the log after each of
// its commits. Whenever a quarter of `limit_pages` more than the last checkpoint copied
// has been appended, the checkpointer is woken (a PASSIVE checkpoint: it never blocks the
// writer), and after copying it syncs the database itself. The log starts over only when a
// checkpoint copied all of it before the next commit, which a busy writer may never allow:
// from `limit_pages` on, the checkpointer chases the writer until it is a few pages behind,
// and the writer copies those (see writer_step). Waking it more often (a 64th) was measured
// worse on a virtual disk: many small syncs stalled the writer more than few.
class WalCheckpointer {
 public:
  WalCheckpointer(const std::string& path, bool power_loss_safe, int limit_pages);
  ~WalCheckpointer();  // stops the thread (the last connection to close checkpoints what is left)
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  void attach(sqlite3* writer);

  std::uint64_t background_checkpoints() const { return background_.load(); }
  std::uint64_t writer_checkpoints() const { return inline_.load(); }
  // Pages the writer's commits have appended to the log so far.
  std::uint64_t pages_written() const { return pages_written_.load(); }

  // What the writer does after a commit that left `frames` pages in the log, of which the
  // checkpointer has copied `copied_through`; `passing`: the checkpointer is copying or
  // syncing now. Public for its tests.
  enum class WriterStep { nothing, wake_checkpointer, copy_the_rest };
  WriterStep writer_step(int frames, int copied_through, bool passing) const;

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int frames);
  void loop();
  int sync_database();

  std::unique_ptr<SqliteConnection> connection_;
  bool power_loss_safe_;
  int limit_pages_;
  int wake_pages_;
  int catch_up_pages_;  // at the limit, the writer copies the rest itself when no more are left
  std::mutex mutex_;
  std::condition_variable wake_;
  bool wanted_ = false;
  bool stopping_ = false;
  std::atomic<std::uint64_t> background_{0};
  std::atomic<std::uint64_t> inline_{0};
  std::atomic<std::uint64_t> pages_written_{0};
  int last_frames_ = 0;                 // the log's size after the writer's previous commit
  std::atomic<int> copied_through_{0};  // log pages the last checkpoint copied back
  std::atomic<bool> passing_{false};    // the checkpointer is copying or syncing
  std::thread thread_;
};

}  // namespace bounceback::store
