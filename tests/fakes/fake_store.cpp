#include "tests/fakes/fake_store.hpp"

#include <algorithm>
#include <utility>

namespace bounceback::testing {

void FakeStore::read_gate() {
  ++reads_;
  std::unique_lock lock(gate_mutex_);
  gate_.wait(lock, [this] { return !reads_held_; });
}

void FakeStore::hold_reads() {
  std::lock_guard lock(gate_mutex_);
  reads_held_ = true;
}

void FakeStore::release_reads() {
  {
    std::lock_guard lock(gate_mutex_);
    reads_held_ = false;
  }
  gate_.notify_all();
}

std::optional<core::Person> FakeStore::find_person(const core::Address& address) {
  read_gate();
  std::lock_guard lock(mutex_);
  for (const auto& [id, p] : people_)
    if (p.address == address) return p;
  return std::nullopt;
}

std::optional<core::Person> FakeStore::find_person_by_token_hash(const std::string& token_hash) {
  read_gate();
  std::lock_guard lock(mutex_);
  for (const auto& [id, p] : people_)
    if (!p.token_hash.empty() && p.token_hash == token_hash) return p;
  return std::nullopt;
}

std::optional<core::Person> FakeStore::find_person_by_id(core::PersonId id) {
  read_gate();
  std::lock_guard lock(mutex_);
  auto it = people_.find(id);
  if (it == people_.end()) return std::nullopt;
  return it->second;
}

std::vector<core::DueItem> FakeStore::load_due() { return all_due(); }

std::vector<core::DueItem> FakeStore::all_due() const {
  std::lock_guard lock(mutex_);
  std::vector<core::DueItem> out;
  for (const auto& [key, d] : due_) out.push_back(d);
  return out;
}

std::optional<std::string> FakeStore::setting(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = settings_.find(key);
  if (it == settings_.end()) return std::nullopt;
  return it->second;
}

void FakeStore::submit(store::Transaction tx, std::function<void(store::CommitResult)> done) {
  std::lock_guard lock(mutex_);
  queue_.emplace_back(std::move(tx), std::move(done));
}

std::size_t FakeStore::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void FakeStore::commit_all() {
  std::deque<std::pair<store::Transaction, std::function<void(store::CommitResult)>>> batch;
  bool fail;
  {
    std::lock_guard lock(mutex_);
    batch.swap(queue_);
    fail = fail_next_;
    fail_next_ = false;
  }
  for (auto& [tx, done] : batch) {
    store::CommitResult result;
    const bool archives = std::any_of(tx.goal_writes.begin(), tx.goal_writes.end(), [](const auto& w) { return w.archive; });
    if (fail || (archives && std::exchange(fail_archive_, false))) {
      result.error = "disk full (simulated)";
    } else {
      std::lock_guard lock(mutex_);
      for (const auto& p : tx.people) {
        // The core keeps goal books apart (goal_writes); the row's stored book stays.
        core::Person kept = people_.count(p.id) ? people_[p.id] : core::Person{};
        people_[p.id] = p;
        people_[p.id].goals = kept.goals;
        people_[p.id].goal_journal = kept.goal_journal;
        people_[p.id].goal_archive = kept.goal_archive;
      }
      for (const auto& w : tx.goal_writes) {
        auto& p = people_[w.person];
        if (w.archive) {
          p.goal_archive.push_back(w.text);
        } else if (w.snapshot) {
          p.goals = w.text;
          p.goal_journal.clear();
        } else {
          p.goal_journal.push_back(w.text);
        }
      }
      outbox_.insert(outbox_.end(), tx.outbox.begin(), tx.outbox.end());
      for (auto [id, person] : tx.delivered) delivered_.push_back(id);
      for (const auto& [k, v] : tx.settings) settings_[k] = v;
      for (auto id : tx.due_cleared) std::erase_if(due_, [id](const auto& e) { return e.second.person == id; });
      for (const auto& d : tx.due) due_[{d.person, static_cast<int>(d.kind), d.slot}] = d;
      for (const auto& d : tx.due_done) {
        auto it = due_.find({d.person, static_cast<int>(d.kind), d.slot});
        if (it != due_.end() && it->second.epoch == d.epoch) due_.erase(it);
      }
      if (tx.forget_person) {  // every row of the person, as the SQLite store does
        people_.erase(*tx.forget_person);
        std::erase_if(outbox_, [id = *tx.forget_person](const core::Outgoing& m) { return m.person == id; });
        std::erase_if(due_, [id = *tx.forget_person](const auto& e) { return e.second.person == id; });
      }
      if (tx.read_undelivered_for)
        for (const auto& m : outbox_)
          if (m.person == *tx.read_undelivered_for &&
              std::find(delivered_.begin(), delivered_.end(), m.id) == delivered_.end())
            result.undelivered.push_back(m);
      result.ok = true;
    }
    if (done) done(std::move(result));
  }
}

std::vector<core::Outgoing> FakeStore::outbox() const {
  std::lock_guard lock(mutex_);
  return outbox_;
}

std::vector<std::int64_t> FakeStore::delivered() const {
  std::lock_guard lock(mutex_);
  return delivered_;
}

}  // namespace bounceback::testing
