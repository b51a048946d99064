#include "curate/core/suggest.hpp"

#include <algorithm>
#include <numeric>

namespace curate {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string> closest_names(std::string_view name,
                                       const std::vector<std::string>& candidates,
                                       std::size_t limit) {
  struct Scored {
    std::size_t distance;
    std::size_t order;
  };
  std::vector<Scored> scored;
  const std::size_t allowed = std::max<std::size_t>(2, name.size() / 3);
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const std::size_t distance = edit_distance(name, candidates[i]);
    const bool shares_prefix = name.size() >= 3 && candidates[i].starts_with(name.substr(0, 3));
    if (distance <= allowed || shares_prefix) scored.push_back({distance, i});
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const Scored& x, const Scored& y) { return x.distance < y.distance; });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < scored.size() && i < limit; ++i) {
    out.push_back(candidates[scored[i].order]);
  }
  return out;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  const auto close = closest_names(name, candidates);
  if (close.empty()) return "";
  std::string out = " (did you mean ";
  for (std::size_t i = 0; i < close.size(); ++i) {
    if (i > 0) out += ", ";
    out += "'" + close[i] + "'";
  }
  return out + "?)";
}

}  // namespace curate
