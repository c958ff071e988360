#pragma once
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bot/core/address.hpp"
#include "bot/core/person.hpp"
#include "bot/core/time_point.hpp"
#include "bot/dialog/dialog_state.hpp"
#include "bot/engine/book_record.hpp"

namespace bounceback::core {
class Clock;
class Metrics;
}  // namespace bounceback::core
namespace bounceback::store {
class Store;
struct Transaction;
}  // namespace bounceback::store

namespace bounceback::engine {

class StoreReader;

// The people the core has loaded, each in one record with everything kept about them in
// memory. Authoritative while cached: every write for them is submitted from here, so
// reading the store again could only see older data. Hence the rules this class keeps:
// a person leaves the cache only when no commit carrying them is still on its way
// (`in_flight`), and a person whose commit failed is read from the store again, once the
// commits after it have landed.
class PersonCache {
 public:
  // Each person's last message, in memory only and for a few minutes: the safety screen
  // reads it with the next one ("I have the tablets here", then "tonight").
  struct LastWords {
    std::string text;
    core::TimePoint at{};
  };
  // Asked directly by the safety screen, not yet answered: a typed "yes" or "no" is the
  // answer (kept in memory only; after a restart the words are read as any message).
  struct Asked {
    core::TimePoint at{};
    std::string language;
  };
  struct Record {
    core::Person person;
    std::optional<BookRecord> book;           // parsed on first use
    std::optional<dialog::DialogState> state;  // parsed on first use
    core::TimePoint touched{};                 // last used: evict_idle drops the long untouched
    LastWords last_words;
    std::optional<Asked> asked;
    std::optional<core::TimePoint> last_export;  // /export is rate-limited per person
    int in_flight = 0;   // commits submitted with this person's changes, not yet settled
    bool stale = false;  // a commit of theirs failed: read again once in_flight is 0
  };

  // A lookup: the person (null when there is none), or `failed` when the store could not
  // be read (logged here, so no caller writes that again).
  struct Lookup {
    core::Person* person = nullptr;
    bool failed = false;
  };

  PersonCache(store::Store& store, const core::Clock& clock, core::Metrics& metrics);

  // What a turn will look up, read ahead off the strand so the lookup then finds it cached
  // (or known not to exist). `then` runs on the strand once all of it is, and after every
  // earlier turn that wanted any of the same keys: a person's turns keep their order.
  // Without a reader (use_reader), `then` runs at once and lookups read on the strand.
  struct Wanted {
    std::vector<core::Address> addresses;
    std::vector<core::PersonId> ids;
    std::string token_hash;
  };
  void ensure(Wanted wanted, std::function<void()> then);
  void use_reader(StoreReader* reader) { reader_ = reader; }

  Lookup find(const core::Address& address);
  Lookup find_by_id(core::PersonId id);
  Lookup find_by_token(const std::string& token_hash);
  // Only if cached (a lookup that never reads the store).
  core::Person* cached(core::PersonId id);
  // Someone new, with the next free id.
  core::Person& create(core::Address address, std::string token_hash);

  Record& record(const core::Person& person);  // the person must be cached
  const Record& record(const core::Person& person) const { return records_.at(person.id); }
  // Only if cached, without counting as a use.
  const core::Person* peek(core::PersonId id) const {
    auto it = records_.find(id);
    return it == records_.end() ? nullptr : &it->second.person;
  }
  BookRecord& book_record(core::Person& person);
  coach::GoalBook& book(core::Person& person) { return book_record(person).book(); }
  dialog::DialogState& state(const core::Person& person);

  // Whose cached state a transaction carries: people's rows, goal books, archive parts.
  struct Carried {
    std::vector<core::PersonId> people;  // each once
    std::vector<core::PersonId> books;
    std::vector<core::PersonId> archives;
  };
  static Carried carried(const store::Transaction& tx);
  // A commit carrying these was submitted / has landed or failed. Failed: each person is
  // read from the store again once nothing else of theirs is on its way, and their book's
  // next write is a whole snapshot.
  void submitted(const Carried& carried);
  void settled(const Carried& carried, bool committed);

  // Out of the cache (not deleted): the store has everything committed about them.
  void evict(core::PersonId id);
  // Changes made to this person in memory will not be stored: they are read from the store
  // again, once nothing of theirs is on its way to it.
  void undo(core::PersonId id);
  // People untouched since `cutoff` leave (call once every earlier commit landed).
  std::size_t evict_idle(core::TimePoint cutoff);

  // Deleted people: whatever still arrives from their old sessions is dropped, so a late
  // message cannot bring a deleted person back (`forget`); a Telegram or Matrix chat may
  // start anew once the deletion is on disk (`may_come_back`).
  void forget(const core::Address& address);
  bool forgotten(const core::Address& address) const { return forgotten_.count(address) > 0; }
  void may_come_back(const core::Address& address) { forgotten_.erase(address); }

  std::size_t size() const { return records_.size(); }

 private:
  struct Waiter {
    Wanted wanted;
    std::function<void()> then;
  };
  // Whose lookups were read ahead: found ones are cached; the rest are remembered as absent
  // (or unreadable: the lookup then reads again, and reports the failure) until no turn
  // waits any more.
  struct ReadAhead {
    std::vector<core::Person> found;
    std::vector<core::Address> addresses;
    std::vector<core::PersonId> ids;
    std::string token_hash;
    bool failed = false;
  };
  bool needs_reading(const Wanted& wanted) const;
  static bool overlap(const Wanted& a, const Wanted& b);
  void read_ahead(const Wanted& wanted);
  void read_ahead_done(const ReadAhead& done);
  void run_waiters();

  core::Person& remember(core::Person p);
  core::Person* load(const std::function<std::optional<core::Person>()>& read, Lookup& out);
  void report_size();

  store::Store& store_;
  const core::Clock& clock_;
  core::Metrics& metrics_;
  core::PersonId next_id_;
  std::unordered_map<core::PersonId, Record> records_;
  std::unordered_map<core::Address, core::PersonId, core::AddressHash> by_address_;
  std::unordered_map<std::string, core::PersonId> by_token_hash_;
  std::unordered_set<core::Address, core::AddressHash> forgotten_;
  // Evicted people whose stored journal has a gap: their book, read again, writes a
  // snapshot first.
  std::unordered_set<core::PersonId> snapshot_owed_;

  StoreReader* reader_ = nullptr;
  std::deque<Waiter> waiting_;
  std::unordered_set<core::Address, core::AddressHash> reading_addresses_, absent_addresses_;
  std::unordered_set<core::PersonId> reading_ids_, absent_ids_;
  std::unordered_set<std::string> reading_tokens_, absent_tokens_;
  bool unreadable_ = false;  // a read ahead failed: the waiting turns' lookups read themselves
};

}  // namespace bounceback::engine
