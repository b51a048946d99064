#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace curate::tools {

/// The text of the Jaccard definition, shared by --help and the ground-truth docs.
inline constexpr std::string_view kJaccardDefinition =
    "jaccard = |A & B| / |A | B| over the SETS A, B of word 5-grams of the two texts, "
    "where the words of a text are its runs of non-whitespace bytes (whitespace: space, "
    "\\t, \\n, \\v, \\f, \\r), each lowercased (A-Z only) with every ASCII punctuation "
    "character (!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~) removed, words that become empty "
    "dropped; a 5-gram is 5 consecutive remaining words; a text of under 5 words has no "
    "5-grams; two empty sets give 1.";

/// Return the 5-gram set of `text` under kJaccardDefinition, as sorted, unique 64-bit
/// hashes: XXH3_64bits of the five words joined by single spaces. With 64-bit hashes
/// the chance of any collision inside a document is about n^2 / 2^65, negligible.
/// Allocates per call (only planted copies are measured, so it is no hot path);
/// callable concurrently.
std::vector<std::uint64_t> shingle_set(std::string_view text);

/// Return the Jaccard similarity of two sorted, unique hash sets (1 when both are empty).
double jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b);

/// Return the 5-gram Jaccard similarity of two texts under kJaccardDefinition.
double shingle_jaccard(std::string_view a, std::string_view b);

}  // namespace curate::tools
