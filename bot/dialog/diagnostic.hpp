#pragma once
#include "bot/core/diagnostic.hpp"

namespace bounceback::dialog {

using core::Diagnostic;
using core::SourceLocation;

}  // namespace bounceback::dialog
