#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bot/coach/goal_book.hpp"
#include "bot/core/group_info.hpp"  // PersonId

namespace bounceback::store {
struct Transaction;
}

namespace bounceback::engine {

// A cached person's goal book, parsed, and what the store holds of it: a snapshot and the
// journal entries after it. Changes are written as entries, and now and then as a whole new
// snapshot, so loading replays few entries and a change rewrites little.
class BookRecord {
 public:
  // From the stored parts: finished goals archived, the snapshot, and the entries after it.
  BookRecord(const std::vector<std::string>& archive, const std::string& snapshot,
             const std::vector<std::string>& journal);

  coach::GoalBook& book() { return book_; }
  const coach::GoalBook& book() const { return book_; }

  // The book's changes since the last call go into `tx`: as journal entries, or as a new
  // snapshot once enough piled up (or when `snapshot` asks for one: /export reads it).
  void write(core::PersonId person, store::Transaction& tx, bool snapshot = false);

  // The outcome of a commit that carried a write of this book (`carried_archive`: with an
  // archive part). When it failed, the part goes back into the book and the next write is
  // a whole snapshot, so the store never replays a journal with a gap.
  void settle(bool committed, bool carried_archive);

  // Whether the next write must be a whole snapshot (a journal entry was lost); kept by the
  // cache across an eviction, so the book read again writes one too.
  bool owes_snapshot() const { return snapshot_owed_; }
  void owe_snapshot() { snapshot_owed_ = true; }

  // A new snapshot once this many entries piled up: loading replays at most this many, and
  // the whole book is written once per this many changes instead of on every one.
  static constexpr std::size_t kSnapshotEvery = 64;
  // ... or once the entries come to this many bytes: they live in the person's row, which
  // stays within one database page that way (a longer row spills onto more pages).
  static constexpr std::size_t kJournalBytes = 2048;

 private:
  coach::GoalBook book_;
  std::size_t entries_after_snapshot_ = 0;
  std::size_t journal_bytes_ = 0;  // of those entries, as stored
  bool snapshot_owed_ = false;     // a commit with journal entries failed: the stored journal has a gap
  // An archive part is being committed; what was archived before it, to go back to if the
  // commit fails. One part in flight at a time, so a failed one never leaves a later one
  // stored after a gap.
  std::optional<std::pair<std::size_t, std::size_t>> archive_in_flight_;
};

}  // namespace bounceback::engine
