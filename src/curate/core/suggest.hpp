#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace curate {

/// Return the edit (Levenshtein) distance between two strings.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// Return up to `limit` candidates closest to `name` (by edit distance, ties in
/// candidate order), keeping only plausible ones: distance <= max(2, |name| / 3) or a
/// shared prefix of 3+ characters. Used to word "did you mean" errors.
std::vector<std::string> closest_names(std::string_view name,
                                       const std::vector<std::string>& candidates,
                                       std::size_t limit = 3);

/// Format " (did you mean 'a', 'b'?)" or "" when there is nothing close.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace curate
