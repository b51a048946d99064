#include "jaccard.hpp"

#include <algorithm>
#include <string>

#include <xxhash.h>

namespace curate::tools {
namespace {

constexpr std::size_t kShingleWords = 5;

bool is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// The C locale's ispunct(), written out so no locale can change it.
bool is_punct(unsigned char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

// Split into normalised words stored back to back in `chars`, with their end offsets.
void normalised_words(std::string_view text, std::string& chars, std::vector<std::size_t>& ends) {
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(static_cast<unsigned char>(text[i]))) ++i;
    const std::size_t start_size = chars.size();
    for (; i < text.size() && !is_space(static_cast<unsigned char>(text[i])); ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (is_punct(c)) continue;
      chars.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : text[i]);
    }
    if (chars.size() > start_size) ends.push_back(chars.size());
  }
}

}  // namespace

std::vector<std::uint64_t> shingle_set(std::string_view text) {
  std::string chars;
  std::vector<std::size_t> ends;
  normalised_words(text, chars, ends);
  std::vector<std::uint64_t> hashes;
  if (ends.size() < kShingleWords) return hashes;
  hashes.reserve(ends.size() - kShingleWords + 1);
  std::string gram;
  for (std::size_t first = 0; first + kShingleWords <= ends.size(); ++first) {
    gram.clear();
    for (std::size_t w = first; w < first + kShingleWords; ++w) {
      const std::size_t begin = w == 0 ? 0 : ends[w - 1];
      if (w > first) gram.push_back(' ');
      gram.append(chars, begin, ends[w] - begin);
    }
    hashes.push_back(XXH3_64bits(gram.data(), gram.size()));
  }
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  return hashes;
}

double jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  if (a.empty() && b.empty()) return 1.0;
  std::size_t common = 0;
  auto ia = a.begin();
  auto ib = b.begin();
  while (ia != a.end() && ib != b.end()) {
    if (*ia < *ib) {
      ++ia;
    } else if (*ib < *ia) {
      ++ib;
    } else {
      ++common;
      ++ia;
      ++ib;
    }
  }
  const std::size_t united = a.size() + b.size() - common;
  return static_cast<double>(common) / static_cast<double>(united);
}

double shingle_jaccard(std::string_view a, std::string_view b) {
  return jaccard(shingle_set(a), shingle_set(b));
}

}  // namespace curate::tools
