"""DocumentFilter: score a document, then decide from the score whether to keep it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

__all__ = ["DocumentFilter"]


class DocumentFilter(ABC):
    """Subclass with ``score_document(text)`` and ``keep_document(score)``, as in NeMo
    Curator, and use it in ScoreFilter, Score or Filter. The heuristic filters of
    ``curate.stages.text.filters.heuristic`` are DocumentFilters whose rule runs in C++."""

    def __init__(self) -> None:
        self._name = self.__class__.__name__

    @property
    def name(self) -> str:
        return getattr(self, "_name", self.__class__.__name__)

    @abstractmethod
    def score_document(self, text: str) -> Any:
        """Return the document's score."""

    @abstractmethod
    def keep_document(self, score: Any) -> bool:
        """Return True to keep a document with this score."""
