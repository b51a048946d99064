#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "random.hpp"
#include "word_source.hpp"

namespace curate::tools {

/// Replace `out` with a near copy of `source` and return the number of words edited.
///
/// round(edit_rate * n) distinct words of the source's n whitespace-separated words
/// (at least one when edit_rate > 0) are each substituted by a drawn word, deleted,
/// or preceded by an inserted drawn word, one third each. Capitals of sentence
/// starts and trailing punctuation move with the edit so the copy still reads as
/// sentences, and the line structure is kept. `source` must not alias `out`. Pure
/// function of its arguments and the state of `random`.
std::uint64_t make_near_copy(std::string_view source, double edit_rate, const WordSource& words,
                             Random& random, std::string& out);

}  // namespace curate::tools
