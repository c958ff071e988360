#include "bot/engine/unit_of_work.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_set>

#include "bot/core/clock.hpp"
#include "bot/core/message_kind.hpp"
#include "bot/core/metrics.hpp"
#include "bot/engine/person_cache.hpp"
#include "bot/store/store.hpp"

namespace bounceback::engine {

UnitOfWork::UnitOfWork(store::Store& store, PersonCache& cache, const core::Clock& clock, core::Metrics& metrics,
                       Post post, HandOver hand_over, std::int64_t next_outbox_id)
    : store_(store), cache_(cache), clock_(clock), metrics_(metrics), post_(std::move(post)),
      hand_over_(std::move(hand_over)), next_outbox_id_(next_outbox_id) {}

void UnitOfWork::address(const core::Person& person, const std::vector<core::Reply>& replies,
                         const std::string& correlation_id, std::vector<core::Outgoing>& out, bool last) {
  for (std::size_t i = 0; i < replies.size(); ++i) {
    core::Outgoing m;
    m.id = next_outbox_id_++;
    m.person = person.id;
    m.to = person.address;
    m.kind = replies[i].kind;
    m.text = replies[i].text;
    m.choices = replies[i].choices;
    m.about = replies[i].about;
    m.reply_to = correlation_id;
    m.final = last && !correlation_id.empty() && i + 1 == replies.size();
    m.created = clock_.now();
    out.push_back(std::move(m));
  }
}

void UnitOfWork::mark_delivered(core::PersonId person, const std::vector<std::int64_t>& outbox_ids) {
  for (auto id : outbox_ids) pending_delivered_.emplace_back(id, person);
}

void UnitOfWork::commit(store::Transaction tx, bool deliver, std::function<void(store::CommitResult)> then) {
  tx.at = clock_.now();
  if (!pending_delivered_.empty()) {
    tx.delivered.insert(tx.delivered.end(), pending_delivered_.begin(), pending_delivered_.end());
    pending_delivered_.clear();
  }
  // A person changed twice in one turn (a group member's coping conversation, then their
  // membership) is written once, as they are now: the last copy.
  // (A nudge chunk carries up to 256 people: a set, not a scan per person.)
  if (tx.people.size() > 1) {
    std::unordered_set<core::PersonId> seen;
    std::vector<core::Person> once;
    for (auto it = tx.people.rbegin(); it != tx.people.rend(); ++it)
      if (seen.insert(it->id).second) once.push_back(std::move(*it));
    std::reverse(once.begin(), once.end());
    tx.people = std::move(once);
  }
  auto messages = tx.outbox;
  auto carried = PersonCache::carried(tx);
  cache_.submitted(carried);
  store_.submit(std::move(tx), [this, messages = std::move(messages), deliver, carried = std::move(carried),
                                then = std::move(then)](store::CommitResult result) mutable {
    // On the store's thread: everything else happens on the strand.
    post_([this, messages = std::move(messages), deliver, carried = std::move(carried), then = std::move(then),
           result = std::move(result)]() mutable {
      cache_.settled(carried, result.ok);
      if (!result.ok) {
        spdlog::error("core: a change could not be saved, its messages are not sent: {}", result.error);
      } else {
        for (const auto& m : messages) {
          metrics_.add_counter("bounceback_messages_out_total",
                               {{"connector", m.to.connector}, {"kind", std::string(core::to_string(m.kind))}});
          if (deliver) hand_over_(m);
        }
      }
      if (then) then(std::move(result));
    });
  });
}

}  // namespace bounceback::engine
