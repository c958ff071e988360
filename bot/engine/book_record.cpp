#include "bot/engine/book_record.hpp"

#include "bot/store/transaction.hpp"

namespace bounceback::engine {

BookRecord::BookRecord(const std::vector<std::string>& archive, const std::string& snapshot,
                       const std::vector<std::string>& journal)
    : book_(coach::GoalBook::from_parts(archive, snapshot)), entries_after_snapshot_(journal.size()) {
  for (const auto& entry : journal) {
    book_.replay(entry);
    journal_bytes_ += entry.size() + 1;
  }
}

void BookRecord::write(core::PersonId person, store::Transaction& tx, bool snapshot) {
  auto entries = book_.take_journal();
  entries_after_snapshot_ += entries.size();
  for (const auto& e : entries) journal_bytes_ += e.size() + 1;
  if (snapshot || snapshot_owed_ || entries_after_snapshot_ >= kSnapshotEvery || journal_bytes_ >= kJournalBytes) {
    // Finished goals leave the snapshot in parts stored once, so its size follows the
    // current goal, not the whole history. Both go in this transaction, or neither.
    if (!archive_in_flight_) {
      auto before = book_.archived();
      if (auto part = book_.take_archive()) {
        archive_in_flight_ = before;
        tx.goal_writes.push_back({person, false, std::move(*part), true});
      }
    }
    tx.goal_writes.push_back({person, true, book_.to_json()});
    entries_after_snapshot_ = 0;
    journal_bytes_ = 0;
    snapshot_owed_ = false;
    return;
  }
  for (auto& e : entries) tx.goal_writes.push_back({person, false, std::move(e)});
}

void BookRecord::settle(bool committed, bool carried_archive) {
  if (carried_archive) {
    // The goals of a part not stored go back into the snapshot, owed below (the same
    // transaction wrote that snapshot), and the next one cuts the part again.
    if (!committed && archive_in_flight_) book_.rewind_archive(*archive_in_flight_);
    archive_in_flight_.reset();
  }
  if (!committed) snapshot_owed_ = true;
}

}  // namespace bounceback::engine
