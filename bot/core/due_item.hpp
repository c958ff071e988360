#pragma once
#include <cstdint>

#include "bot/core/person.hpp"
#include "bot/core/time_point.hpp"

namespace bounceback::core {

// What a due item stands for. Stored as a number: never renumber.
enum class DueKind : std::uint8_t {
  daily = 1,   // a daily nudge time of the person; `slot` is its minute of the local day
  remind = 2,  // a one-off reminder asked for with a snooze button; `slot` is 0
  weekly = 3,  // the weekly reflection (/weekly on), Sundays; `slot` is its minute of the local day
};

// One piece of scheduled work. Items live in the store's due table and in the core's
// due-queue; `epoch` ties them to the person's schedule version, so items left over from
// before a change (new time zone, a time removed) are recognised and dropped when due.
struct DueItem {
  TimePoint due{};
  PersonId person = 0;
  std::uint32_t epoch = 0;
  std::uint16_t slot = 0;
  DueKind kind = DueKind::daily;

  bool operator==(const DueItem&) const = default;
};

}  // namespace bounceback::core
