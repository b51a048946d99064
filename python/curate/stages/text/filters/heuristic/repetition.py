"""NeMo Curator's repetition filters, each running the engine's C++ rule."""

from curate.stages.text.filters.heuristic._engine_filter import engine_filter

RepeatedLinesFilter = engine_filter(
    "RepeatedLinesFilter", "repeated_lines", {"max_repeated_line_fraction": 0.7},
    "Keep documents whose unique lines make at least the given share of lines.")
RepeatedParagraphsFilter = engine_filter(
    "RepeatedParagraphsFilter", "repeated_paragraphs", {"max_repeated_paragraphs_ratio": 0.7},
    "Keep documents whose unique paragraphs make at least the given share.")
RepeatedLinesByCharFilter = engine_filter(
    "RepeatedLinesByCharFilter", "repeated_lines_char", {"max_repeated_lines_char_ratio": 0.8},
    "Keep documents whose unique lines hold at least the given share of characters.")
RepeatedParagraphsByCharFilter = engine_filter(
    "RepeatedParagraphsByCharFilter", "repeated_paragraphs_char",
    {"max_repeated_paragraphs_char_ratio": 0.8},
    "Keep documents whose unique paragraphs hold at least the given share of characters.")
RepeatingTopNGramsFilter = engine_filter(
    "RepeatingTopNGramsFilter", "repeating_top_ngrams",
    {"n": 2, "max_repeating_ngram_ratio": 0.2, "lang": "en"},
    "Drop documents whose most frequent n-gram covers more than the given share.")
RepeatingDuplicateNGramsFilter = engine_filter(
    "RepeatingDuplicateNGramsFilter", "repeating_duplicate_ngrams",
    {"n": 2, "max_repeating_duplicate_ngram_ratio": 0.2, "lang": "en"},
    "Drop documents whose repeated n-grams cover more than the given share.")

__all__ = [
    "RepeatedLinesFilter", "RepeatedLinesByCharFilter", "RepeatedParagraphsFilter",
    "RepeatedParagraphsByCharFilter", "RepeatingTopNGramsFilter",
    "RepeatingDuplicateNGramsFilter",
]
