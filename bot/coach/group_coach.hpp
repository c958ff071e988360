#pragma once
#include <optional>
#include "bot/dialog/variant_rng.hpp"
#include <string>
#include <vector>

#include "bot/core/incoming.hpp"
#include "bot/core/person.hpp"
#include "bot/core/reply.hpp"
#include "bot/dialog/dialog_tree.hpp"
#include "bot/dialog/interpreter.hpp"

namespace bounceback::coach {

// What a message in a group asks of bounceback (after the safety screen let it through).
struct GroupRequest {
  enum class Kind { none, help, checkin_set, checkin_off, checkin_show, checkin_invalid, answer, wins };
  Kind kind = Kind::none;
  int minute = 0;      // checkin_set: the local time
  std::string zone;    // checkin_set: the IANA zone
  std::string answer;  // answer: good | ok | hard
};
GroupRequest parse_group_request(const core::Incoming& message);

// A tap on a share offer: "share.<group>.<goal>.<step>", "share_step.<group>.<goal>.<step>",
// "share.keep".
struct ShareChoice {
  bool keep = false;
  bool with_step = false;
  core::PersonId group = 0;
  int goal_index = 0;   // in the person's goal book
  int step_number = 0;  // 1-based, as in /done N
  std::string key() const { return std::to_string(goal_index) + "." + std::to_string(step_number); }
};
std::optional<ShareChoice> parse_share_choice(const std::string& choice_id);

// What bounceback says in group support channels and about sharing wins, in the words of
// dialogs/groups.yaml. Pure: the group's row comes in and goes out changed; the core
// stores it and sends the replies. Nothing a person wrote privately is ever an input here
// except a step's text, and only when that person chose "share with the step".
class GroupCoach {
 public:
  explicit GroupCoach(const dialog::DialogSet& dialogs) : dialogs_(dialogs) {}

  struct Turn {
    std::vector<core::Reply> to_group;
    std::vector<core::Reply> to_sender;  // privately
    bool group_changed = false;          // the group's row is to be saved
    bool schedule_changed = false;       // its check-in time or zone changed: plan again
  };

  // A request in the group. `admin`: the sender may change the group's settings.
  Turn answer(core::Person& group, core::PersonId sender, bool admin, const GroupRequest& request,
              dialog::VariantRng& rng) const;

  // The daily check-in, with the counts of the last one; a new count starts.
  std::optional<core::Reply> checkin(core::Person& group, core::TimePoint now, dialog::VariantRng& rng) const;

  // Offered privately after a step was crossed off: share it with one of these groups?
  // `key` names the step (ShareChoice::key()). Nothing when `groups` is empty.
  std::optional<core::Reply> share_offer(const std::vector<const core::Person*>& groups, int goal_index,
                                         int step_number, dialog::VariantRng& rng) const;

  // The person chose to share: the group sees "<name> completed a step 🎉" (with the step's
  // text only when given), the person a word that it was shared.
  Turn share(core::Person& group, core::PersonId person, const std::string& name, const std::string& step_text,
             const std::string& key, core::TimePoint now, dialog::VariantRng& rng) const;
  core::Reply private_word(const std::string& node, const std::string& group_name, dialog::VariantRng& rng) const;

 private:
  std::optional<core::Reply> say(core::Person& group, const std::string& node, const dialog::DialogContext& context,
                                 dialog::VariantRng& rng) const;
  std::string label(const std::string& buttons_node, const std::string& id, const std::string& fallback,
                    const std::string& group_name) const;
  dialog::DialogContext context_for(const core::Person& group) const;

  const dialog::DialogSet& dialogs_;
};

}  // namespace bounceback::coach
