#include "bot/engine/person_cache.hpp"

#include "bot/engine/store_reader.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "bot/core/clock.hpp"
#include "bot/core/metrics.hpp"
#include "bot/store/store.hpp"
#include "bot/store/store_error.hpp"

namespace bounceback::engine {

PersonCache::PersonCache(store::Store& store, const core::Clock& clock, core::Metrics& metrics)
    : store_(store), clock_(clock), metrics_(metrics), next_id_(store.max_person_id() + 1) {}

void PersonCache::report_size() {
  metrics_.set_gauge("bounceback_people_cached", {}, static_cast<double>(records_.size()));
}

core::Person& PersonCache::remember(core::Person p) {
  by_address_[p.address] = p.id;
  if (!p.token_hash.empty()) by_token_hash_[p.token_hash] = p.id;
  auto id = p.id;
  Record& r = records_[id];
  r.person = std::move(p);
  r.touched = clock_.now();
  report_size();
  return r.person;
}

core::Person* PersonCache::load(const std::function<std::optional<core::Person>()>& read, Lookup& out) {
  try {
    if (auto loaded = read()) out.person = &remember(std::move(*loaded));
  } catch (const store::StoreError& e) {
    spdlog::error("core: cannot look up a person: {}", e.what());
    out.failed = true;
  }
  return out.person;
}

PersonCache::Lookup PersonCache::find(const core::Address& address) {
  Lookup out;
  if (auto it = by_address_.find(address); it != by_address_.end()) {
    out.person = cached(it->second);
    return out;
  }
  if (absent_addresses_.count(address)) return out;  // read ahead: no such person
  load([&] { return store_.find_person(address); }, out);
  return out;
}

PersonCache::Lookup PersonCache::find_by_id(core::PersonId id) {
  Lookup out;
  if ((out.person = cached(id))) return out;
  if (absent_ids_.count(id)) return out;
  load([&] { return store_.find_person_by_id(id); }, out);
  return out;
}

PersonCache::Lookup PersonCache::find_by_token(const std::string& token_hash) {
  Lookup out;
  if (auto it = by_token_hash_.find(token_hash); it != by_token_hash_.end()) {
    out.person = cached(it->second);
    return out;
  }
  if (absent_tokens_.count(token_hash)) return out;
  load([&] { return store_.find_person_by_token_hash(token_hash); }, out);
  return out;
}

core::Person* PersonCache::cached(core::PersonId id) {
  auto it = records_.find(id);
  if (it == records_.end()) return nullptr;
  it->second.touched = clock_.now();
  return &it->second.person;
}

core::Person& PersonCache::create(core::Address address, std::string token_hash) {
  core::Person p;
  p.id = next_id_++;
  p.address = std::move(address);
  p.token_hash = std::move(token_hash);
  p.created = p.last_seen = clock_.now();
  absent_addresses_.erase(p.address);
  metrics_.add_counter("bounceback_people_created_total", {{"connector", p.address.connector}});
  return remember(std::move(p));
}

PersonCache::Record& PersonCache::record(const core::Person& person) { return records_.at(person.id); }

BookRecord& PersonCache::book_record(core::Person& person) {
  Record& r = record(person);
  if (!r.book) {
    r.book.emplace(person.goal_archive, person.goals, person.goal_journal);
    if (snapshot_owed_.erase(person.id)) r.book->owe_snapshot();
    // The record holds the book now; the stored form is not kept twice.
    person.goals.clear();
    person.goal_journal.clear();
    person.goal_archive.clear();
  }
  return *r.book;
}

dialog::DialogState& PersonCache::state(const core::Person& person) {
  Record& r = record(person);
  if (!r.state) r.state = dialog::DialogState::from_json(person.dialog_state);
  return *r.state;
}

PersonCache::Carried PersonCache::carried(const store::Transaction& tx) {
  Carried c;
  for (const auto& p : tx.people) c.people.push_back(p.id);
  for (const auto& w : tx.goal_writes) {
    c.people.push_back(w.person);
    (w.archive ? c.archives : c.books).push_back(w.person);
  }
  for (auto* ids : {&c.people, &c.books, &c.archives}) {
    std::sort(ids->begin(), ids->end());
    ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
  }
  return c;
}

void PersonCache::submitted(const Carried& carried) {
  for (auto id : carried.people)
    if (auto it = records_.find(id); it != records_.end()) ++it->second.in_flight;
}

void PersonCache::settled(const Carried& carried, bool committed) {
  for (auto id : carried.books)
    if (auto it = records_.find(id); it != records_.end() && it->second.book)
      it->second.book->settle(committed, std::binary_search(carried.archives.begin(), carried.archives.end(), id));
  for (auto id : carried.archives)
    if (!std::binary_search(carried.books.begin(), carried.books.end(), id))
      if (auto it = records_.find(id); it != records_.end() && it->second.book) it->second.book->settle(committed, true);
  for (auto id : carried.people) {
    auto it = records_.find(id);
    if (it == records_.end()) continue;
    if (it->second.in_flight > 0) --it->second.in_flight;
    // Undone in memory too: what the cache holds of them may not run ahead of the disk (a
    // step added, then "already done" and never celebrated).
    if (!committed || it->second.stale) undo(id);
  }
}

void PersonCache::undo(core::PersonId id) {
  auto it = records_.find(id);
  if (it == records_.end()) return;
  it->second.stale = true;
  // Not while a later commit of theirs is on its way: a read now would miss it.
  if (it->second.in_flight == 0) evict(id);
}

bool PersonCache::needs_reading(const Wanted& w) const {
  for (const auto& a : w.addresses)
    if (!by_address_.count(a) && !absent_addresses_.count(a) && !forgotten_.count(a) && !unreadable_) return true;
  for (auto id : w.ids)
    if (!records_.count(id) && !absent_ids_.count(id) && !unreadable_) return true;
  return !w.token_hash.empty() && !by_token_hash_.count(w.token_hash) && !absent_tokens_.count(w.token_hash) &&
         !unreadable_;
}

bool PersonCache::overlap(const Wanted& a, const Wanted& b) {
  for (const auto& x : a.addresses)
    if (std::find(b.addresses.begin(), b.addresses.end(), x) != b.addresses.end()) return true;
  for (auto x : a.ids)
    if (std::find(b.ids.begin(), b.ids.end(), x) != b.ids.end()) return true;
  return !a.token_hash.empty() && a.token_hash == b.token_hash;
}

void PersonCache::ensure(Wanted wanted, std::function<void()> then) {
  if (!reader_) return then();
  bool behind = std::any_of(waiting_.begin(), waiting_.end(), [&](const Waiter& w) { return overlap(wanted, w.wanted); });
  if (!behind && !needs_reading(wanted)) return then();
  waiting_.push_back({wanted, std::move(then)});
  read_ahead(wanted);  // may answer at once (a reader without a thread)
}

void PersonCache::read_ahead(const Wanted& wanted) {
  auto job = std::make_shared<ReadAhead>();
  for (const auto& a : wanted.addresses)
    if (!by_address_.count(a) && !forgotten_.count(a) && reading_addresses_.insert(a).second) job->addresses.push_back(a);
  for (auto id : wanted.ids)
    if (!records_.count(id) && reading_ids_.insert(id).second) job->ids.push_back(id);
  if (!wanted.token_hash.empty() && !by_token_hash_.count(wanted.token_hash) &&
      reading_tokens_.insert(wanted.token_hash).second)
    job->token_hash = wanted.token_hash;
  if (job->addresses.empty() && job->ids.empty() && job->token_hash.empty()) return;  // already on their way
  reader_->read(
      [job, &store = store_] {  // on the reader's thread: the store only
        try {
          for (const auto& a : job->addresses)
            if (auto p = store.find_person(a)) job->found.push_back(std::move(*p));
          for (auto id : job->ids)
            if (auto p = store.find_person_by_id(id)) job->found.push_back(std::move(*p));
          if (!job->token_hash.empty())
            if (auto p = store.find_person_by_token_hash(job->token_hash)) job->found.push_back(std::move(*p));
        } catch (const store::StoreError& e) {
          spdlog::error("core: cannot read people ahead: {}", e.what());
          job->failed = true;
        }
      },
      [this, job] { read_ahead_done(*job); });
}

void PersonCache::read_ahead_done(const ReadAhead& done) {
  for (const auto& p : done.found)
    if (!records_.count(p.id)) remember(p);  // cached meanwhile: what the cache holds is newer
  for (const auto& a : done.addresses) {
    reading_addresses_.erase(a);
    if (!done.failed && !by_address_.count(a)) absent_addresses_.insert(a);
  }
  for (auto id : done.ids) {
    reading_ids_.erase(id);
    if (!done.failed && !records_.count(id)) absent_ids_.insert(id);
  }
  if (!done.token_hash.empty()) {
    reading_tokens_.erase(done.token_hash);
    if (!done.failed && !by_token_hash_.count(done.token_hash)) absent_tokens_.insert(done.token_hash);
  }
  if (done.failed) unreadable_ = true;
  run_waiters();
}

void PersonCache::run_waiters() {
  // In order: a turn runs once what it wants is read and no earlier waiting turn shares a key.
  for (;;) {
    auto ready = waiting_.end();
    for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
      bool behind = std::any_of(waiting_.begin(), it, [&](const Waiter& w) { return overlap(it->wanted, w.wanted); });
      if (!behind && !needs_reading(it->wanted)) {
        ready = it;
        break;
      }
    }
    if (ready == waiting_.end()) break;
    auto then = std::move(ready->then);
    waiting_.erase(ready);
    then();
  }
  if (waiting_.empty()) {  // what was learnt ahead is for the turns that waited for it
    absent_addresses_.clear();
    absent_ids_.clear();
    absent_tokens_.clear();
    unreadable_ = false;
  }
}

void PersonCache::evict(core::PersonId id) {
  auto it = records_.find(id);
  if (it == records_.end()) return;
  const core::Person& p = it->second.person;
  by_address_.erase(p.address);
  if (!p.token_hash.empty()) by_token_hash_.erase(p.token_hash);
  if (it->second.book && it->second.book->owes_snapshot()) snapshot_owed_.insert(id);
  records_.erase(it);
  report_size();
}

std::size_t PersonCache::evict_idle(core::TimePoint cutoff) {
  std::vector<core::PersonId> idle;
  for (const auto& [id, r] : records_)
    if (r.touched < cutoff && r.in_flight == 0) idle.push_back(id);
  for (auto id : idle) evict(id);
  return idle.size();
}

void PersonCache::forget(const core::Address& address) {
  forgotten_.insert(address);
  if (auto it = by_address_.find(address); it != by_address_.end()) {
    snapshot_owed_.erase(it->second);
    evict(it->second);
  }
}

}  // namespace bounceback::engine
