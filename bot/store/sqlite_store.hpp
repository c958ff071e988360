#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "bot/store/store.hpp"

namespace bounceback::core {
class Metrics;
}

namespace bounceback::store {

class SqliteConnection;
class SqliteStatement;
class WalCheckpointer;

// SQLite in WAL mode: one writer connection on its own thread applying queued
// transactions in group commits, one reader connection for the core's cache misses.
class SqliteStore final : public Store {
 public:
  // Opens (creating) the database at `path` and applies pending migrations.
  // `power_loss_safe`: synchronous=FULL (an fsync per group commit) instead of NORMAL.
  // `checkpoint_pages`: the most the write-ahead log grows to before it starts over (it is
  // copied back on its own thread as it grows: WalCheckpointer).
  SqliteStore(const std::string& path, core::Metrics* metrics = nullptr, bool power_loss_safe = true,
              int checkpoint_pages = 4096);
  ~SqliteStore() override;  // commits what is queued, then stops the writer thread

  std::optional<core::Person> find_person(const core::Address& address) override;
  std::optional<core::Person> find_person_by_token_hash(const std::string& token_hash) override;
  std::optional<core::Person> find_person_by_id(core::PersonId id) override;
  std::int64_t max_person_id() override;
  std::vector<std::pair<core::PersonId, core::PersonId>> load_memberships() override;
  std::vector<core::DueItem> load_due() override;
  std::vector<core::Outgoing> undelivered_for_connector(const std::string& connector) override;
  std::int64_t max_outbox_id() override;
  std::optional<std::string> setting(const std::string& key) override;

  void submit(Transaction tx, std::function<void(CommitResult)> done) override;
  void flush() override;
  bool healthy() const override { return healthy_.load(); }
  // The next `count` group commits fail as a full disk would (rolled back, reported). For
  // tests of the paths nobody can otherwise reach on purpose: POST /admin/store with the
  // manual test clock.
  void inject_commit_failures(int count) { injected_failures_.store(count); }
  // Every group commit waits this long first (0: not at all): work pending at a signal.
  void inject_commit_delay(std::chrono::milliseconds delay) { injected_delay_ms_.store(static_cast<int>(delay.count())); }

  // Checkpoints run so far: by the checkpointer's thread, and by the writer when far behind.
  std::uint64_t background_checkpoints() const;
  std::uint64_t writer_checkpoints() const;

 private:
  std::optional<core::Person> read_person_where(const std::string& where,
                                                const std::function<void(SqliteStatement&)>& bind);
  struct Pending {
    Transaction tx;
    std::function<void(CommitResult)> done;
  };

  void writer_loop();
  std::string export_person(core::PersonId id);  // on the writer thread
  void commit_batch(std::deque<Pending>& batch);

  std::string path_;
  core::Metrics* metrics_;
  std::unique_ptr<SqliteConnection> writer_;
  struct WriterStatements;
  std::unique_ptr<WriterStatements> statements_;  // declared after writer_: finalized before it closes
  std::unique_ptr<WalCheckpointer> checkpointer_;  // stopped before the writer's connection closes
  std::unique_ptr<SqliteConnection> reader_;
  std::mutex reader_mutex_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::atomic<bool> healthy_{true};
  std::atomic<int> injected_failures_{0};
  std::atomic<int> injected_delay_ms_{0};
  std::uint64_t reported_wal_pages_ = 0, reported_background_ = 0, reported_writer_ = 0;  // the writer's
  std::thread writer_thread_;
};

}  // namespace bounceback::store
