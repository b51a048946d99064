"""A Python DocumentFilter inside ScoreFilter, Score and Filter."""

from __future__ import annotations

from curate.pipeline import Pipeline
from curate.stages.text.filters import DocumentFilter, Filter, Score, ScoreFilter
from curate.stages.text.io.reader import JsonlReader


class EvenWords(DocumentFilter):
    def score_document(self, text: str) -> int:
        return len(text.split())

    def keep_document(self, score: int) -> bool:
        return score % 2 == 0


def numbers(outputs) -> list[int]:
    return sorted(n for task in outputs for n in task.to_pyarrow().column("n").to_pylist())


def test_score_filter_keeps_what_keep_document_accepts(corpus):
    outputs = Pipeline("even", stages=[
        JsonlReader(str(corpus), fields=["n"]),
        ScoreFilter(EvenWords(), score_field="words"),
    ]).run()
    assert numbers(outputs) == list(range(0, 120, 2))
    table = outputs[0].to_pyarrow()
    assert table.column("words").to_pylist() == table.column("n").to_pylist()


def test_invert_keeps_what_it_would_drop(corpus):
    outputs = Pipeline("odd", stages=[
        JsonlReader(str(corpus), fields=["n"]), ScoreFilter(EvenWords(), invert=True)]).run()
    assert numbers(outputs) == list(range(1, 120, 2))


def test_score_then_filter(corpus):
    outputs = Pipeline("two-step", stages=[
        JsonlReader(str(corpus), fields=["n"]),
        Score(EvenWords(), score_field="words"),
        Filter(lambda words: words < 10, filter_field="words"),
    ]).run()
    assert numbers(outputs) == list(range(10))
