#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bot/core/incoming.hpp"
#include "bot/core/person.hpp"
#include "bot/core/reply.hpp"
#include "bot/dialog/dialog_context.hpp"
#include "bot/dialog/dialog_state.hpp"
#include "bot/safety/safety_screen.hpp"

namespace bounceback::core {
class Metrics;
}
namespace bounceback::safety {
struct SafetyPolicy;
class SafetyResponder;
}  // namespace bounceback::safety
namespace bounceback::store {
struct Transaction;
}

namespace bounceback::engine {

class Conversation;
class PersonCache;

// The safety screen before anything else sees a message, and what follows when it finds
// something: the crisis reply with the person's resources and a pause of cheer and nudges,
// a direct question when it is not sure, the coping conversation for harmful coping. One
// place for private chats and groups alike (in a group: a brief caring word there, the
// rest privately).
class SafetyDesk {
 public:
  SafetyDesk(std::shared_ptr<const safety::SafetyPolicy> policy, PersonCache& cache, Conversation& conversation,
             core::Metrics& metrics, std::string default_country);
  ~SafetyDesk();

  // The policy with the screen and replies built from it; replaced whole on reload (SIGHUP):
  // prepared on any thread, then swapped in on the core's strand.
  struct Kit;
  static std::shared_ptr<const Kit> prepare(std::shared_ptr<const safety::SafetyPolicy> policy);
  void replace(std::shared_ptr<const Kit> kit) { kit_ = std::move(kit); }

  // What dialogs may say of safety: {{crisis_resources}}, the person's own (their country's
  // services, then the international directory), worked out only when a template reads it.
  void describe(const core::Person& person, const dialog::DialogState& state, dialog::DialogContext& context);

  // A dialog asked for the crisis reply ("I'm not safe right now"): the same reply as the
  // screen's, with the person's resources and buttons, and the same pause.
  void crisis_from_dialog(core::Person& person, const dialog::DialogState& state, std::vector<core::Reply>& replies,
                          core::TimePoint at);

  // A private message or tap: true when the screen (or a tap on a safety button) answered.
  bool answer_private(core::Person& person, const core::Incoming& message, store::Transaction& tx);

  // A message in a group: nothing when the screen found nothing; else the word for the
  // group and what goes to the person privately (only when they can be reached there).
  struct GroupAnswer {
    core::Reply to_group;
    std::vector<core::Reply> to_sender;
  };
  std::optional<GroupAnswer> answer_in_group(core::Person& person, const core::Incoming& message, bool reachable,
                                             store::Transaction& tx);

 private:
  safety::ScreenResult screen(const core::Person& person, const core::Incoming& message);
  core::Reply crisis_reply(const std::string& category, const std::string& country, const std::string& lang) const;
  std::string country_of(const core::Person& person, const dialog::DialogState& state) const;
  static std::string own_country(const core::Person& person, const dialog::DialogState& state);
  void pause(core::Person& person, core::TimePoint from) const;

  std::shared_ptr<const Kit> kit_;
  PersonCache& cache_;
  Conversation& conversation_;
  core::Metrics& metrics_;
  std::string default_country_;
};

}  // namespace bounceback::engine
