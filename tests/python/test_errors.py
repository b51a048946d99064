"""Engine errors arrive as ValueError (configuration) or RuntimeError (a failed run)."""

from __future__ import annotations

import pytest

from curate.backends.local import LocalExecutor
from curate.pipeline import Pipeline
from curate.stages.base import ProcessingStage
from curate.stages.text.filters import ScoreFilter
from curate.stages.text.filters.heuristic import WordCountFilter
from curate.stages.text.io.reader import JsonlReader


class Boom(ProcessingStage):
    name = "boom"

    def process(self, task):
        raise ValueError("no documents today")


class Needy(ProcessingStage):
    name = "needy"

    def inputs(self):
        return ["data"], ["quality"]

    def process(self, task):
        return task


def test_unknown_engine_parameter_is_a_value_error_naming_it(corpus):
    with pytest.raises(ValueError, match="blocksiz"):
        Pipeline("bad", stages=[JsonlReader(str(corpus), blocksiz=3)]).run()


def test_wrong_filter_parameter_type(corpus):
    with pytest.raises(ValueError, match="min_words"):
        Pipeline("bad", stages=[JsonlReader(str(corpus)),
                                ScoreFilter(WordCountFilter(min_words="many"))]).run()


def test_unknown_executor_key_is_a_value_error(corpus):
    with pytest.raises(ValueError, match="queue_capacty"):
        Pipeline("bad", stages=[JsonlReader(str(corpus))]).run(
            LocalExecutor({"queue_capacty": 3}))


def test_missing_column_fails_the_run_naming_stage_and_column(corpus):
    # The reader keeps whatever fields the data has, so only the data can tell.
    with pytest.raises(RuntimeError, match="stage 'needy' needs column 'quality'"):
        Pipeline("bad", stages=[JsonlReader(str(corpus)), Needy()]).run()


def test_python_exception_fails_the_run_with_its_message(corpus):
    with pytest.raises(RuntimeError, match="stage 'boom' failed.*ValueError: no documents today"):
        Pipeline("bad", stages=[JsonlReader(str(corpus)), Boom()]).run()


def test_wrong_input_path_fails_instead_of_hanging(tmp_path):
    with pytest.raises((ValueError, RuntimeError), match="nowhere"):
        Pipeline("bad", stages=[JsonlReader(str(tmp_path / "nowhere"))]).run()


def test_empty_pipeline():
    with pytest.raises(ValueError, match="no stages"):
        Pipeline("empty").run()


def test_invalid_with_values_are_value_errors():
    with pytest.raises(ValueError, match="batch_size"):
        Boom().with_(batch_size=0)
