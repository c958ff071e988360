#include "bot/core/address.hpp"

namespace bounceback::core {

std::string Address::to_string() const { return connector + ":" + user; }

}  // namespace bounceback::core
