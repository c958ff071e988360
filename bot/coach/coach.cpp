#include "bot/coach/coach.hpp"

namespace bounceback::coach {

std::vector<Reply> Coach::welcome() const {
  return {
      {core::MessageKind::reply,
       "Hi, I'm bounceback. I help you practise resilience: bouncing back from hard times, one small "
       "step at a time.",
       {}},
      {core::MessageKind::reply,
       "I'm a supportive tool, not a therapist or a crisis service. If you are in danger right now, "
       "please call your local emergency number.",
       {}},
      {core::MessageKind::reply, "What's on your mind today?", {}},
  };
}

std::vector<Reply> Coach::answer(const core::Incoming& message) const {
  if (message.is_choice())
    return {{core::MessageKind::reply, "Got it. Thank you for letting me know.", {}}};
  return {{core::MessageKind::reply,
           "Thank you for telling me. I've kept a note of where we are, so we can pick it up "
           "whenever you come back.",
           {}}};
}

}  // namespace bounceback::coach
