"""The Gopher, C4 and FineWeb quality rules under the names datatrove uses.

Each is a stage (as in datatrove, where they are pipeline steps): the engine's
``heuristic_filter`` over the rules of ``examples/filters/*.yaml``, with datatrove's
parameter names and defaults. A document is dropped at the first rule it fails.
"""

from __future__ import annotations

from typing import Sequence

from curate.stages._engine import EngineStage

__all__ = ["GopherQualityFilter", "GopherRepetitionFilter", "C4QualityFilter",
           "FineWebQualityFilter"]

_DEFAULT_STOP_WORDS = ["the", "be", "to", "of", "and", "that", "have", "with"]


def _stage(name: str, filters: list[dict], text_field: str) -> EngineStage:
    return EngineStage("heuristic_filter", {"filters": filters, "text_field": text_field},
                       name=name)


def GopherQualityFilter(min_doc_words: int | None = 50, max_doc_words: int | None = 100000,
                        min_avg_word_length: int | None = 3, max_avg_word_length: int | None = 10,
                        max_symbol_word_ratio: float | None = 0.1,
                        max_bullet_lines_ratio: float | None = 0.9,
                        max_ellipsis_lines_ratio: float | None = 0.3,
                        max_non_alpha_words_ratio: float | None = 0.8,
                        min_stop_words: int | None = 2, stop_words: Sequence[str] | None = None,
                        text_field: str = "text") -> EngineStage:
    """Gopher's quality rules (Rae et al. 2021); a None threshold turns its rule off."""
    filters: list[dict] = []
    if min_doc_words is not None or max_doc_words is not None:
        filters.append({"name": "gopher_word_count", "min_doc_words": min_doc_words or 0,
                        "max_doc_words": max_doc_words or 2**62})
    if min_avg_word_length is not None or max_avg_word_length is not None:
        filters.append({"name": "gopher_mean_word_length",
                        "min_avg_word_length": min_avg_word_length or 0,
                        "max_avg_word_length": max_avg_word_length or 2**62})
    if max_symbol_word_ratio is not None:
        filters.append({"name": "gopher_hash_to_word", "max_symbol_word_ratio": max_symbol_word_ratio})
        filters.append({"name": "gopher_ellipsis_to_word",
                        "max_symbol_word_ratio": max_symbol_word_ratio})
    if max_bullet_lines_ratio is not None:
        filters.append({"name": "gopher_bullet_lines", "max_bullet_lines_ratio": max_bullet_lines_ratio})
    if max_ellipsis_lines_ratio is not None:
        filters.append({"name": "gopher_ellipsis_lines",
                        "max_ellipsis_lines_ratio": max_ellipsis_lines_ratio})
    if max_non_alpha_words_ratio is not None:
        filters.append({"name": "gopher_alpha_words",
                        "max_non_alpha_words_ratio": max_non_alpha_words_ratio})
    if min_stop_words is not None:
        filters.append({"name": "gopher_stop_words", "min_stop_words": min_stop_words,
                        "stop_words": list(stop_words or _DEFAULT_STOP_WORDS)})
    return _stage("gopher_quality", filters, text_field)


def GopherRepetitionFilter(dup_line_frac: float | None = 0.3, dup_para_frac: float | None = 0.3,
                           dup_line_char_frac: float | None = 0.2,
                           dup_para_char_frac: float | None = 0.2,
                           top_n_grams: Sequence[tuple[int, float]] = ((2, 0.2), (3, 0.18), (4, 0.16)),
                           dup_n_grams: Sequence[tuple[int, float]] = (
                               (5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10)),
                           text_field: str = "text") -> EngineStage:
    """Gopher's repetition rules (Rae et al. 2021, table A1)."""
    filters: list[dict] = []
    for name, key, value in (("gopher_dup_para_frac", "dup_para_frac", dup_para_frac),
                             ("gopher_dup_para_char_frac", "dup_para_char_frac", dup_para_char_frac),
                             ("gopher_dup_line_frac", "dup_line_frac", dup_line_frac),
                             ("gopher_dup_line_char_frac", "dup_line_char_frac", dup_line_char_frac)):
        if value is not None:
            filters.append({"name": name, key: value})
    filters += [{"name": "gopher_top_ngram", "n": n, "max_char_frac": frac} for n, frac in top_n_grams]
    filters += [{"name": "gopher_dup_ngram", "n": n, "max_char_frac": frac} for n, frac in dup_n_grams]
    return _stage("gopher_repetition", filters, text_field)


def C4QualityFilter(split_paragraph: bool = True, remove_citations: bool = True,
                    filter_no_terminal_punct: bool = True, min_num_sentences: int = 5,
                    min_words_per_line: int = 3, max_word_length: int = 1000,
                    filter_lorem_ipsum: bool = True, filter_javascript: bool = True,
                    filter_curly_bracket: bool = True, filter_policy: bool = True,
                    text_field: str = "text") -> EngineStage:
    """C4's rules (Raffel et al. 2020): the line rules rewrite the text, then the document
    rules drop. ``split_paragraph`` is accepted for datatrove's signature; lines are
    always split on newlines, as datatrove does with its default."""
    if not split_paragraph:
        raise ValueError("C4QualityFilter: split_paragraph=False (sentence splitting) is not "
                         "available; lines are split on newlines")
    filters: list[dict] = [{"name": "c4_lines", "remove_citations": remove_citations,
                            "filter_no_terminal_punct": filter_no_terminal_punct,
                            "min_words_per_line": min_words_per_line,
                            "max_word_length": max_word_length,
                            "filter_javascript": filter_javascript,
                            "filter_policy": filter_policy}]
    if filter_lorem_ipsum:
        filters.append({"name": "c4_lorem_ipsum"})
    if filter_curly_bracket:
        filters.append({"name": "c4_curly_bracket"})
    if min_num_sentences > 0:
        filters.append({"name": "c4_min_sentences", "min_num_sentences": min_num_sentences})
    return _stage("c4_quality", filters, text_field)


def FineWebQualityFilter(line_punct_thr: float = 0.12, line_punct_exclude_zero: bool = False,
                         short_line_thr: float = 0.67, short_line_length: int = 30,
                         char_duplicates_ratio: float = 0.01, new_line_ratio: float = 0.3,
                         text_field: str = "text") -> EngineStage:
    """FineWeb's quality rules (Penedo et al. 2024)."""
    filters = [
        {"name": "fineweb_line_punct_ratio", "line_punct_thr": line_punct_thr,
         "line_punct_exclude_zero": line_punct_exclude_zero},
        {"name": "fineweb_short_line_ratio", "short_line_thr": short_line_thr,
         "short_line_length": short_line_length},
        {"name": "fineweb_char_dup_ratio", "char_duplicates_ratio": char_duplicates_ratio},
        {"name": "fineweb_list_ratio", "new_line_ratio": new_line_ratio},
    ]
    return _stage("fineweb_quality", filters, text_field)
