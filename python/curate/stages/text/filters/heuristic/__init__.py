"""NeMo Curator's English heuristic filters, each running the engine's C++ rule.

Names, parameter names and defaults are NeMo Curator's
(``nemo_curator.stages.text.filters.heuristic_filter``).
"""

from curate.stages.text.filters.heuristic._engine_filter import EngineFilter, engine_filter
from curate.stages.text.filters.heuristic.repetition import (
    RepeatedLinesByCharFilter,
    RepeatedLinesFilter,
    RepeatedParagraphsByCharFilter,
    RepeatedParagraphsFilter,
    RepeatingDuplicateNGramsFilter,
    RepeatingTopNGramsFilter,
)

WordCountFilter = engine_filter(
    "WordCountFilter", "word_count", {"min_words": 50, "max_words": 100000, "lang": "en"},
    "Keep documents with between min_words and max_words words.")
NonAlphaNumericFilter = engine_filter(
    "NonAlphaNumericFilter", "alpha_numeric", {"max_non_alpha_numeric_to_text_ratio": 0.25},
    "Drop documents whose share of non-alphanumeric characters exceeds the maximum.")
SymbolsToWordsFilter = engine_filter(
    "SymbolsToWordsFilter", "symbol_to_word", {"max_symbol_to_word_ratio": 0.1, "lang": "en"},
    "Drop documents whose share of '#' and ellipsis words exceeds the maximum.")
NumbersFilter = engine_filter(
    "NumbersFilter", "numbers_ratio", {"max_number_to_text_ratio": 0.15},
    "Drop documents whose share of digits exceeds the maximum.")
UrlsFilter = engine_filter(
    "UrlsFilter", "urls_ratio", {"max_url_to_text_ratio": 0.2},
    "Drop documents whose share of characters in URLs exceeds the maximum.")
BulletsFilter = engine_filter(
    "BulletsFilter", "bullet_ratio", {"max_bullet_lines_ratio": 0.9},
    "Drop documents whose share of lines starting with a bullet exceeds the maximum.")
WhiteSpaceFilter = engine_filter(
    "WhiteSpaceFilter", "white_space", {"max_white_space_ratio": 0.25},
    "Drop documents whose share of white space exceeds the maximum.")
ParenthesesFilter = engine_filter(
    "ParenthesesFilter", "parentheses_ratio", {"max_parentheses_ratio": 0.1},
    "Drop documents whose share of brackets exceeds the maximum.")
LongWordFilter = engine_filter(
    "LongWordFilter", "max_word_length", {"max_word_length": 1000, "lang": "en"},
    "Drop documents with a word longer than the maximum.")
MeanWordLengthFilter = engine_filter(
    "MeanWordLengthFilter", "mean_word_length",
    {"min_mean_word_length": 3, "max_mean_word_length": 10, "lang": "en"},
    "Keep documents whose mean word length is within the bounds.")
EllipsisFilter = engine_filter(
    "EllipsisFilter", "ellipsis", {"max_num_lines_ending_with_ellipsis_ratio": 0.3},
    "Drop documents whose share of lines ending with an ellipsis exceeds the maximum.")
CommonEnglishWordsFilter = engine_filter(
    "CommonEnglishWordsFilter", "common_english_words",
    {"min_num_common_words": 2, "stop_at_false": True},
    "Keep documents with at least min_num_common_words common English words.")
WordsWithoutAlphabetsFilter = engine_filter(
    "WordsWithoutAlphabetsFilter", "words_without_alphabets",
    {"min_words_with_alphabets": 0.8, "lang": "en"},
    "Keep documents whose share of words with a letter is at least the minimum.")
BoilerPlateStringFilter = engine_filter(
    "BoilerPlateStringFilter", "boilerplate_string_ratio",
    {"remove_if_at_top_or_bottom": True, "max_boilerplate_string_ratio": 0.4},
    "Drop documents whose share of boilerplate paragraphs exceeds the maximum.")
PunctuationFilter = engine_filter(
    "PunctuationFilter", "punctuation", {"max_num_sentences_without_endmark_ratio": 0.85},
    "Drop documents whose share of lines without an end mark exceeds the maximum.")

__all__ = [
    "EngineFilter", "WordCountFilter", "NonAlphaNumericFilter", "SymbolsToWordsFilter",
    "NumbersFilter", "UrlsFilter", "BulletsFilter", "WhiteSpaceFilter", "ParenthesesFilter",
    "LongWordFilter", "MeanWordLengthFilter", "EllipsisFilter", "CommonEnglishWordsFilter",
    "WordsWithoutAlphabetsFilter", "BoilerPlateStringFilter", "PunctuationFilter",
    "RepeatedLinesFilter", "RepeatedLinesByCharFilter", "RepeatedParagraphsFilter",
    "RepeatedParagraphsByCharFilter", "RepeatingTopNGramsFilter",
    "RepeatingDuplicateNGramsFilter",
]
