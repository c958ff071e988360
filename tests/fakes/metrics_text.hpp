#pragma once
#include <string>

namespace bounceback::testing {

// The value of a metric in Prometheus text (GET /metrics), summed over its label sets;
// 0 when it is not there. `name` is matched whole: "x_total" does not match "x_total_y".
double metric_total(const std::string& prometheus_text, const std::string& name);

}  // namespace bounceback::testing
