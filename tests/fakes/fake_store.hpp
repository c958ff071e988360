#pragma once
#include <deque>
#include <map>
#include <tuple>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "bot/store/store.hpp"

namespace bounceback::testing {

// A Store in memory whose commits happen only when the test says so, so a test can look
// at the world between "submitted" and "committed".
class FakeStore final : public store::Store {
 public:
  std::optional<core::Person> find_person(const core::Address& address) override;
  std::optional<core::Person> find_person_by_token_hash(const std::string& token_hash) override;
  std::optional<core::Person> find_person_by_id(core::PersonId id) override;
  std::int64_t max_person_id() override { return 0; }
  std::vector<std::pair<core::PersonId, core::PersonId>> load_memberships() override { return {}; }
  std::vector<core::DueItem> load_due() override;
  std::vector<core::Outgoing> undelivered_for_connector(const std::string&) override { return {}; }
  std::int64_t max_outbox_id() override { return 0; }
  std::optional<std::string> setting(const std::string& key) override;

  void submit(store::Transaction tx, std::function<void(store::CommitResult)> done) override;
  void flush() override { commit_all(); }
  bool healthy() const override { return true; }

  std::size_t pending() const;
  void commit_all();              // applies everything submitted, calling each `done`
  void fail_next_commit() { fail_next_ = true; }
  // The next transaction that stores a goal archive part fails (the rest commit).
  void fail_next_archive() { fail_archive_ = true; }

  // Reads of people wait while held (a slow disk); reads() counts them.
  void hold_reads();
  void release_reads();
  int reads() const { return reads_.load(); }

  std::vector<core::Outgoing> outbox() const;
  std::vector<std::int64_t> delivered() const;
  std::vector<core::DueItem> due() const { return all_due(); }

 private:
  void read_gate();
  std::mutex gate_mutex_;
  std::condition_variable gate_;
  bool reads_held_ = false;
  std::atomic<int> reads_{0};
  mutable std::mutex mutex_;
  std::deque<std::pair<store::Transaction, std::function<void(store::CommitResult)>>> queue_;
  std::map<core::PersonId, core::Person> people_;
  std::vector<core::Outgoing> outbox_;
  std::vector<std::int64_t> delivered_;
  std::map<std::string, std::string> settings_;
  std::map<std::tuple<core::PersonId, int, int>, core::DueItem> due_;
  std::vector<core::DueItem> all_due() const;
  bool fail_next_ = false;
  bool fail_archive_ = false;
};

}  // namespace bounceback::testing
