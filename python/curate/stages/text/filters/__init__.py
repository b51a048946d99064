"""ScoreFilter, Score and Filter (NeMo Curator's ``nemo_curator.stages.text.filters``).

With a heuristic filter of ``curate.stages.text.filters.heuristic`` the stage is the
engine's (the rule runs in C++, no Python per document); with your own DocumentFilter
it is a Python stage that calls ``score_document``/``keep_document`` per document.
"""

from __future__ import annotations

from typing import Any, Callable

from curate.stages._engine import EngineStage
from curate.stages.base import ProcessingStage
from curate.stages.text.filters.doc_filter import DocumentFilter
from curate.stages.text.filters.heuristic import *  # noqa: F401,F403 (NeMo exports them here)
from curate.stages.text.filters.heuristic import EngineFilter
from curate.tasks import DocumentBatch

__all__ = ["DocumentFilter", "ScoreFilter", "Score", "Filter"]


class _PythonFilterStage(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Score (and/or filter) each document of a batch with Python callables."""

    def __init__(self, name: str, text_field: str, score_fn: Callable | None,
                 keep_fn: Callable | None, score_field: str | None, filter_field: str | None,
                 invert: bool) -> None:
        self.name = name
        self._text_field = text_field
        self._score_fn = score_fn
        self._keep_fn = keep_fn
        self._score_field = score_field
        self._filter_field = filter_field
        self._invert = invert

    def inputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [self._filter_field or self._text_field]

    def outputs(self) -> tuple[list[str], list[str]]:
        return ["data"], [self._score_field] if self._score_field else []

    def process(self, task: DocumentBatch) -> DocumentBatch | None:
        handle = task._to_native()
        if self._score_fn is not None:
            scores = [self._score_fn(text) for text in handle.column(self._text_field)]
            if self._score_field:
                handle.set_column(self._score_field, scores)
        else:
            scores = handle.column(self._filter_field)
        if self._keep_fn is None:
            return DocumentBatch._wrap(handle)
        keep = [bool(self._keep_fn(score)) != self._invert for score in scores]
        if all(keep):
            return DocumentBatch._wrap(handle)
        return DocumentBatch._wrap(handle.filter_rows(keep))


def _filter_name(filter_obj: Any) -> str:
    return getattr(filter_obj, "name", None) or type(filter_obj).__name__


def ScoreFilter(filter_obj: DocumentFilter, text_field: str = "text",
                score_field: str | None = None, invert: bool = False) -> ProcessingStage:
    """Score each document with ``filter_obj``, optionally save the score, and drop the
    documents it rejects (keep them instead with ``invert``)."""
    if isinstance(filter_obj, EngineFilter):
        return EngineStage("score_filter", {
            "filter": filter_obj._entry(), "score_field": score_field, "invert": invert,
            "text_field": text_field}, name=filter_obj.engine_name)
    _check_filter(filter_obj)
    return _PythonFilterStage(_filter_name(filter_obj), text_field, filter_obj.score_document,
                              filter_obj.keep_document, score_field, None, invert)


def Score(score_fn: DocumentFilter | Callable[[str], Any], score_field: str,
          text_field: str = "text") -> ProcessingStage:
    """Save each document's score in ``score_field``, dropping nothing."""
    if isinstance(score_fn, EngineFilter):
        return EngineStage("score", {"filter": score_fn._entry(), "score_field": score_field,
                                     "text_field": text_field}, name=score_fn.engine_name)
    function = score_fn.score_document if isinstance(score_fn, DocumentFilter) else score_fn
    return _PythonFilterStage(_filter_name(score_fn), text_field, function, None, score_field,
                              None, False)


def Filter(filter_fn: DocumentFilter | Callable[[Any], bool], filter_field: str,
           invert: bool = False) -> ProcessingStage:
    """Drop documents on a score column written earlier (``filter_field``)."""
    if isinstance(filter_fn, EngineFilter):
        return EngineStage("filter", {"filter": filter_fn._entry(), "score_field": filter_field,
                                      "invert": invert}, name=filter_fn.engine_name)
    function = filter_fn.keep_document if isinstance(filter_fn, DocumentFilter) else filter_fn
    return _PythonFilterStage(_filter_name(filter_fn), "text", None, function, None,
                              filter_field, invert)


def _check_filter(filter_obj: Any) -> None:
    if not (hasattr(filter_obj, "score_document") and hasattr(filter_obj, "keep_document")):
        raise TypeError(f"ScoreFilter takes a DocumentFilter, not {type(filter_obj).__name__}")
