#pragma once
#include <string>

namespace bounceback::core {

// Where something was written in a file a person edits (dialogs, safety lists) (1-based; 0 when unknown).
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

// One problem found in such a file, printed as "FILE:LINE:COL: error: MESSAGE".
struct Diagnostic {
  SourceLocation where;
  std::string message;

  std::string to_string() const {
    return where.file + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) + ": error: " + message;
  }
};

}  // namespace bounceback::core
