#pragma once
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bounceback::core {

// A small thread-safe registry rendered in the Prometheus text format for /metrics.
// Labels must never carry what a person wrote: names, connectors, kinds, categories only.
class Metrics {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  Metrics();

  void add_counter(std::string_view name, const Labels& labels, double by = 1);
  void add_gauge(std::string_view name, const Labels& labels, double delta);
  void set_gauge(std::string_view name, const Labels& labels, double value);
  void observe(std::string_view name, double value);  // a histogram declared in the constructor

  double value(std::string_view name, const Labels& labels = {}) const;  // counter or gauge
  std::string render() const;

 private:
  struct Family {
    std::string type;  // counter, gauge, histogram
    std::string help;
    std::map<std::string, double> series;  // rendered label set -> value
    std::vector<double> bounds;            // histogram upper bounds
    std::vector<std::uint64_t> buckets;    // cumulative counts are computed when rendering
    double sum = 0;
    std::uint64_t count = 0;
  };

  void declare(std::string name, std::string type, std::string help, std::vector<double> bounds = {});
  Family& family(std::string_view name);
  static std::string render_labels(const Labels& labels);

  mutable std::mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace bounceback::core
