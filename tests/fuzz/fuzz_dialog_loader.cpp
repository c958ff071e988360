// libFuzzer target: any bytes as a dialog file. The loader and checker must answer with
// diagnostics, never crash; a tree that loads cleanly is walked a little too.
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

#include "bot/dialog/dialog_checker.hpp"
#include "bot/dialog/dialog_loader.hpp"
#include "bot/dialog/interpreter.hpp"

using namespace bounceback::dialog;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<Diagnostic> diagnostics;
  DialogSet set;
  set.trees.emplace("fuzz", parse_dialog(text, "fuzz.yaml", diagnostics));
  check_dialogs(set, diagnostics);
  for (const auto& d : diagnostics) (void)d.to_string();
  if (diagnostics.empty()) {
    Interpreter interpreter(set);
    DialogState state;
    VariantRng rng(1);
    interpreter.start(state, "fuzz", {{"name", "x"}}, rng);
    interpreter.answer(state, "1", "", {}, rng);
    interpreter.answer(state, "12:00", "", {}, rng);
    (void)DialogState::from_json(state.to_json());
  }
  return 0;
}
