#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bot/core/outgoing.hpp"
#include "bot/core/person.hpp"
#include "bot/core/time_point.hpp"

namespace bounceback::store {

// One unit of work the core hands to the store: applied all or nothing.
struct Transaction {
  core::TimePoint at{};
  std::vector<core::Person> people;                        // inserted or updated by id
  std::vector<core::Outgoing> outbox;                      // new messages
  std::vector<std::pair<std::int64_t, core::PersonId>> delivered;  // outbox id, its person
  std::vector<std::pair<std::string, std::string>> settings;  // key -> value
  std::optional<core::PersonId> read_undelivered_for;      // answered after the commit

  bool writes_nothing() const {
    return people.empty() && outbox.empty() && delivered.empty() && settings.empty();
  }
};

struct CommitResult {
  bool ok = false;
  std::string error;
  std::vector<core::Outgoing> undelivered;  // for read_undelivered_for, oldest first
};

}  // namespace bounceback::store
