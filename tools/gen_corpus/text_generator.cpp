#include "text_generator.hpp"

#include <array>
#include <stdexcept>

namespace curate::tools {
namespace {

// Cookie banners, script notices, menus, footers and filler that web crawls are full
// of; quality filters are expected to catch documents made of these.
constexpr std::array<std::string_view, 20> kBoilerplate = {
    "We use cookies to improve your experience. By continuing to browse this site you "
    "agree to our use of cookies.",
    "Accept all cookies | Reject all | Cookie settings",
    "This website uses cookies and similar technologies. See our Privacy Policy for details.",
    "Please enable JavaScript in your browser to view this page.",
    "You need to enable javascript to run this app.",
    "Your browser does not support the video tag.",
    "Home | About | Products | Blog | Contact",
    "Home > Category > Subcategory > Item",
    "Skip to main content",
    "Sign in | Register | Forgot your password?",
    "Share on Facebook | Share on Twitter | Share on LinkedIn | Email",
    "Privacy Policy | Terms of Service | Cookie Policy | Sitemap",
    "\xC2\xA9 2024 Example Corp. All rights reserved.",
    "Subscribe to our newsletter for the latest updates.",
    "Click here to read more.",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
    "incididunt ut labore et dolore magna aliqua.",
    "Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex "
    "ea commodo consequat.",
    "Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat "
    "nulla pariatur.",
    "Page 1 of 12 | Next >> | Last",
    "Loading... Please wait.",
};

// Symbol soup is made of these tokens and of digit runs; the quote and backslash make
// sure writers and readers get JSON escaping right.
// clang-format off
constexpr std::array<std::string_view, 24> kSymbols = {
    "#",  "{",  "}",   "@",  "$",  "%",  "&",  "*",  "<",  ">", "[", "]",
    "|",  "~",  "=",   "+",  "_",  "/",  "\\", "\"", "...", "->", "\xE2\x80\xA2", "###",
};
// clang-format on

void append_capitalised(std::string_view word, std::string& out) {
  out.push_back(static_cast<char>(word[0] - 'a' + 'A'));
  out.append(word.substr(1));
}

}  // namespace

std::string_view quality_name(Quality quality) {
  switch (quality) {
    case Quality::kGood:
      return "good";
    case Quality::kBoilerplate:
      return "boilerplate";
    case Quality::kRepeatedLines:
      return "repeated_lines";
    case Quality::kSymbolSoup:
      return "symbol_soup";
    case Quality::kTooShort:
      return "too_short";
  }
  return "unknown";
}

Quality low_quality_kind(std::uint64_t index) {
  constexpr std::array<Quality, kLowQualityKinds> kinds = {
      Quality::kBoilerplate, Quality::kRepeatedLines, Quality::kSymbolSoup, Quality::kTooShort};
  return kinds.at(index);
}

void TextGenerator::append_sentence(Random& random, std::string& out) const {
  const std::uint64_t length = 3 + 3 * random.below(8);
  append_capitalised(words_.draw(random), out);
  for (std::uint64_t i = 1; i < length; ++i) {
    // About one comma in ten words, never right before the end.
    if (i + 1 < length && random.chance(1, 10)) out.push_back(',');
    out.push_back(' ');
    out.append(words_.draw(random));
  }
  const std::uint64_t end = random.below(100);
  out.push_back(end < 88 ? '.' : end < 95 ? '?' : '!');
}

void TextGenerator::good_text(Random& random, std::size_t target_bytes, std::string& out) const {
  out.clear();
  while (true) {
    const std::uint64_t lines = random.between(1, 3);
    for (std::uint64_t line = 0; line < lines; ++line) {
      const std::uint64_t sentences = random.between(1, 4);
      for (std::uint64_t s = 0; s < sentences; ++s) {
        append_sentence(random, out);
        if (out.size() >= target_bytes) return;
        out.push_back(s + 1 < sentences ? ' ' : '\n');
      }
    }
    out.push_back('\n');  // the paragraph's last line already ended in one "\n"
  }
}

void TextGenerator::low_quality_text(Quality quality, Random& random, std::size_t target_bytes,
                                     std::string& out) const {
  out.clear();
  switch (quality) {
    case Quality::kBoilerplate:
      return boilerplate(random, out);
    case Quality::kRepeatedLines:
      return repeated_lines(random, target_bytes, out);
    case Quality::kSymbolSoup:
      return symbol_soup(random, out);
    case Quality::kTooShort:
      return too_short(random, out);
    case Quality::kGood:
      break;
  }
  throw std::logic_error("low_quality_text called with Quality::kGood");
}

void TextGenerator::boilerplate(Random& random, std::string& out) const {
  const std::uint64_t lines = random.between(3, 12);
  const bool blank_lines = random.chance(1, 3);
  for (std::uint64_t i = 0; i < lines; ++i) {
    if (i > 0) out.append(blank_lines ? "\n\n" : "\n");
    out.append(kBoilerplate[random.below(kBoilerplate.size())]);
  }
}

void TextGenerator::repeated_lines(Random& random, std::size_t target_bytes,
                                   std::string& out) const {
  // Half of them open with one real paragraph, so a filter has to look at the line
  // statistics rather than at the first line.
  if (random.chance(1, 2)) {
    append_sentence(random, out);
    out.append("\n\n");
  }
  std::string line;
  append_sentence(random, line);
  const std::size_t repeats =
      std::max<std::size_t>(8, target_bytes / (line.size() + 1) + random.below(8));
  for (std::size_t i = 0; i < repeats; ++i) {
    out.append(line);
    if (i + 1 < repeats) out.push_back('\n');
  }
}

void TextGenerator::symbol_soup(Random& random, std::string& out) const {
  const std::uint64_t lines = random.between(5, 30);
  for (std::uint64_t line = 0; line < lines; ++line) {
    if (line > 0) out.push_back('\n');
    const std::uint64_t tokens = random.between(3, 15);
    for (std::uint64_t t = 0; t < tokens; ++t) {
      if (t > 0) out.push_back(' ');
      if (random.chance(1, 4)) {
        for (std::uint64_t d = random.between(1, 6); d > 0; --d) {
          out.push_back(static_cast<char>('0' + random.below(10)));
        }
      } else {
        for (std::uint64_t s = random.between(1, 4); s > 0; --s) {
          out.append(kSymbols[random.below(kSymbols.size())]);
        }
      }
    }
  }
}

void TextGenerator::too_short(Random& random, std::string& out) const {
  const std::uint64_t words = random.between(1, 4);
  append_capitalised(words_.draw(random), out);
  for (std::uint64_t i = 1; i < words; ++i) {
    out.push_back(' ');
    out.append(words_.draw(random));
  }
  if (random.chance(1, 2)) out.push_back('.');
}

}  // namespace curate::tools
