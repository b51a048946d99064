"""The Gopher, C4 and FineWeb rules under datatrove's names match the shipped rule sets."""

from __future__ import annotations

import pytest
import yaml

from conftest import REPO
from curate.pipeline import Pipeline
from curate.stages.text.filters.datatrove import (
    C4QualityFilter,
    FineWebQualityFilter,
    GopherQualityFilter,
    GopherRepetitionFilter,
)
from curate.stages.text.io.reader import JsonlReader


@pytest.mark.parametrize("stage, rule_file", [
    (GopherQualityFilter, "gopher_quality.yaml"),
    (GopherRepetitionFilter, "gopher_repetition.yaml"),
    (C4QualityFilter, "c4.yaml"),
    (FineWebQualityFilter, "fineweb_quality.yaml"),
])
def test_defaults_are_the_published_rule_set(stage, rule_file):
    rules = yaml.safe_load((REPO / "examples" / "filters" / rule_file).read_text())
    assert stage()._params["filters"] == rules


def test_a_datatrove_stage_runs_in_the_engine(corpus):
    outputs = Pipeline("gopher", stages=[
        JsonlReader(str(corpus)), GopherQualityFilter(min_doc_words=5, min_stop_words=None,
                                                      max_non_alpha_words_ratio=None)]).run()
    # The corpus' words are "w0 w1 ...": 2 characters and up, mean below 3 for short docs.
    for task in outputs:
        for text in task.to_pyarrow().column("text").to_pylist():
            words = text.split()
            assert len(words) >= 5 and sum(map(len, words)) / len(words) >= 3
