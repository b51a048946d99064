#include "near_copy.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace curate::tools {
namespace {

enum class Edit : std::uint8_t { kKeep, kSubstitute, kInsert, kDelete };

struct Token {
  std::size_t begin;
  std::size_t end;
};

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool ends_sentence(char c) { return c == '.' || c == '?' || c == '!'; }

char to_lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
char to_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// A separator with more line breaks is the stronger one: deleting the last word of a
// paragraph must not glue two paragraphs together.
std::string_view stronger(std::string_view a, std::string_view b) {
  const auto breaks = [](std::string_view s) { return std::count(s.begin(), s.end(), '\n'); };
  if (breaks(a) != breaks(b)) return breaks(a) > breaks(b) ? a : b;
  return a.size() >= b.size() ? a : b;
}

// Draw a replacement that differs from `original`, so every substitution is an edit.
std::string_view draw_other(std::string_view original, const WordSource& words, Random& random) {
  std::string_view drawn = words.draw(random);
  while (drawn == original) drawn = words.draw(random);
  return drawn;
}

}  // namespace

std::uint64_t make_near_copy(std::string_view source, double edit_rate, const WordSource& words,
                             Random& random, std::string& out) {
  std::vector<Token> tokens;
  for (std::size_t i = 0; i < source.size();) {
    while (i < source.size() && is_space(source[i])) ++i;
    if (i == source.size()) break;
    const std::size_t begin = i;
    while (i < source.size() && !is_space(source[i])) ++i;
    tokens.push_back({begin, i});
  }
  const std::size_t n = tokens.size();
  std::size_t edits = static_cast<std::size_t>(std::llround(edit_rate * static_cast<double>(n)));
  if (edit_rate > 0 && edits == 0) edits = 1;
  edits = std::min(edits, n);

  // Partial Fisher-Yates: the first `edits` entries are distinct random word indices.
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0U);
  std::vector<Edit> plan(n, Edit::kKeep);
  for (std::size_t i = 0; i < edits; ++i) {
    std::swap(order[i], order[i + random.below(n - i)]);
    plan[order[i]] = static_cast<Edit>(1 + random.below(3));
  }

  out.clear();
  out.reserve(source.size() + source.size() / 8);
  std::string_view separator;  // whitespace owed before the next word written
  bool capitalise_next = false;
  std::size_t previous_end = 0;
  std::string word;
  for (std::size_t t = 0; t < n; ++t) {
    const std::string_view original =
        source.substr(tokens[t].begin, tokens[t].end - tokens[t].begin);
    separator = stronger(separator, source.substr(previous_end, tokens[t].begin - previous_end));
    previous_end = tokens[t].end;
    std::size_t core_end = original.size();
    while (core_end > 0 && !is_letter(original[core_end - 1])) --core_end;
    const std::string_view punctuation = original.substr(core_end);
    const bool capital = capitalise_next || (!original.empty() && is_upper(original[0]));

    if (plan[t] == Edit::kDelete) {
      // The sentence keeps its end mark and its capital: they move to the neighbours.
      if (!punctuation.empty() && ends_sentence(punctuation.back()) && !out.empty() &&
          !ends_sentence(out.back())) {
        if (out.back() == ',') out.pop_back();
        out.push_back(punctuation.back());
      }
      capitalise_next = capital;
      continue;
    }
    if (!out.empty()) out.append(separator);
    separator = {};
    capitalise_next = false;

    word.clear();
    if (plan[t] == Edit::kSubstitute) {
      std::string lower(original.substr(0, core_end));
      std::transform(lower.begin(), lower.end(), lower.begin(), to_lower);
      word.append(draw_other(lower, words, random));
      word.append(punctuation);
    } else {
      if (plan[t] == Edit::kInsert) {
        word.append(words.draw(random));
        word.push_back(' ');
      }
      word.append(original);
      // The inserted word now starts the sentence, so the original loses its capital.
      if (plan[t] == Edit::kInsert && is_upper(original[0])) {
        word[word.size() - original.size()] = to_lower(original[0]);
      }
    }
    if (capital && !word.empty()) word[0] = to_upper(word[0]);
    out.append(word);
  }
  return edits;
}

}  // namespace curate::tools
