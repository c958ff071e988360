#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace bounceback::dialog {

// Where one person is in the conversation trees, kept in the store between messages so a
// restart continues at the same node.
struct DialogState {
  struct Frame {  // where a `call` continues when the called tree returns
    std::string tree;
    std::string node;
    // An open question a command interrupted: afterwards it is not asked again; the
    // command's answer carries its choices instead (one message per answer).
    bool quiet = false;
    bool operator==(const Frame&) const = default;
  };

  std::string tree;      // empty: no conversation going on
  std::string node;
  bool waiting = false;  // at an ask, waiting for the answer
  std::vector<Frame> stack;
  std::map<std::string, std::string> vars;     // captured answers and `set` variables
  std::map<std::string, std::vector<int>> recent_variants;  // "tree.node" -> variants said lately, newest last
  std::map<std::string, int> visits;           // "tree.node" -> times entered
  std::uint64_t turns = 0;                     // events handled, also seeds the variant choice
  bool onboarded = false;

  bool idle() const { return tree.empty(); }
  bool operator==(const DialogState&) const = default;

  std::string to_json() const;
  static DialogState from_json(const std::string& text);  // empty or broken text: a fresh state
};

}  // namespace bounceback::dialog
