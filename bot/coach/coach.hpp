#pragma once
#include <vector>

#include "bot/coach/reply.hpp"
#include "bot/core/incoming.hpp"

namespace bounceback::coach {

// Decides what to answer. Pure: no I/O, no clock, no state of its own.
// This first version greets and acknowledges; the dialog engine replaces answer()
// with the conversation trees in dialogs/.
class Coach {
 public:
  std::vector<Reply> welcome() const;
  std::vector<Reply> answer(const core::Incoming& message) const;
};

}  // namespace bounceback::coach
