"""Heuristic filters whose rule is the engine's: a DocumentFilter naming a C++ filter."""

from __future__ import annotations

import inspect
from typing import Any

from curate.stages.text.filters.doc_filter import DocumentFilter

__all__ = ["EngineFilter", "engine_filter"]


class EngineFilter(DocumentFilter):
    """A DocumentFilter run by the engine: ``engine_name`` with ``params``.

    Used in ScoreFilter/Score/Filter, the whole stage runs in C++; ``score_document``
    is not available from Python.
    """

    engine_name: str = ""
    defaults: dict[str, Any] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        bound = self.__signature__.bind(*args, **kwargs)
        bound.apply_defaults()
        self.params = dict(bound.arguments)
        for key, value in self.params.items():
            setattr(self, f"_{key}", value)

    def _entry(self) -> dict[str, Any]:
        return {"name": self.engine_name,
                **{k: v for k, v in self.params.items() if v is not None}}

    def score_document(self, text: str) -> float:
        raise NotImplementedError(
            f"{type(self).__name__} runs in the engine; use it in ScoreFilter, Score or Filter")

    def keep_document(self, score: float) -> bool:
        raise NotImplementedError(
            f"{type(self).__name__} runs in the engine; use it in ScoreFilter, Score or Filter")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{type(self).__name__}({args})"


def engine_filter(class_name: str, engine_name: str, defaults: dict[str, Any],
                  doc: str) -> type[EngineFilter]:
    """Return a filter class whose constructor takes ``defaults``' names, in order."""
    signature = inspect.Signature([
        inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=value)
        for name, value in defaults.items()])
    cls = type(class_name, (EngineFilter,), {
        "engine_name": engine_name, "defaults": dict(defaults), "__doc__": doc,
        "__signature__": signature, "__module__": "curate.stages.text.filters.heuristic"})
    return cls
