"""Pipelines of engine stages and Python stages, on 1, 2 and 4 workers."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import read_jsonl_folder
from curate.backends.local import LocalExecutor
from curate.pipeline import Pipeline
from curate.stages.base import ProcessingStage
from curate.stages.text.filters import ScoreFilter
from curate.stages.text.filters.heuristic import WordCountFilter
from curate.stages.text.io.reader import JsonlReader
from curate.stages.text.io.writer import JsonlWriter
from curate.tasks import DocumentBatch


class TagStage(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Add a column with each document's word count, through pandas."""

    name = "tag"

    def inputs(self):
        return ["data"], ["text"]

    def outputs(self):
        return ["data"], ["words"]

    def process(self, task: DocumentBatch) -> DocumentBatch:
        frame = task.to_pandas()
        frame["words"] = frame["text"].str.split().str.len().astype("int64")
        return DocumentBatch(task_id="ignored", dataset_name=task.dataset_name, data=frame)


def run_mixed(corpus, out, workers: int):
    pipeline = Pipeline("mixed", stages=[
        JsonlReader(str(corpus), files_per_partition=1, fields=["n"], batch_rows=7),
        ScoreFilter(WordCountFilter(min_words=10, max_words=100)),
        TagStage().with_(num_workers=workers),
        ScoreFilter(WordCountFilter(min_words=20, max_words=90)).with_(num_workers=workers),
    ])
    if out is not None:
        pipeline.add_stage(JsonlWriter(str(out)))
    return pipeline.run(LocalExecutor({"num_cpus": 4}))


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_python_stage_between_engine_stages_keeps_order_and_ids(corpus, workers):
    reference = run_mixed(corpus, None, 1)
    outputs = run_mixed(corpus, None, workers)
    assert [t.task_id for t in outputs] == [t.task_id for t in reference]
    rows = [r for t in outputs for r in t.to_pyarrow().to_pylist()]
    # The corpus is read file by file (round-robin), so compare as a set and by file.
    assert sorted(r["n"] for r in rows) == list(range(20, 91))
    assert all(r["words"] == r["n"] for r in rows)
    assert [r["n"] for r in rows] == [r["n"] for t in reference for r in t.to_pyarrow().to_pylist()]
    assert len({t.task_id for t in outputs}) == len(outputs)


def test_python_output_gets_the_framework_id(corpus):
    outputs = run_mixed(corpus, None, 1)
    assert all(t.task_id != "ignored" for t in outputs)
    stages = [record["stage_name"] for record in outputs[0]._stage_perf]
    assert "tag" in stages and "word_count" in stages


def test_same_output_as_curate_run(corpus, tmp_path, curate_command):
    run_mixed_out = tmp_path / "python_out"
    pipeline = Pipeline("same", stages=[
        JsonlReader(str(corpus), files_per_partition=1),
        ScoreFilter(WordCountFilter(min_words=30, max_words=60)),
        JsonlWriter(str(run_mixed_out)),
    ])
    pipeline.run()
    yaml_file = tmp_path / "same.yaml"
    yaml_file.write_text(json.dumps({
        "name": "same",
        "stages": [
            {"stage": "jsonl_reader", "params": {"paths": str(corpus), "files_per_partition": 1}},
            {"stage": "word_count", "params": {"min_words": 30, "max_words": 60}},
            {"stage": "jsonl_writer", "params": {"output_dir": str(tmp_path / "cli_out")}},
        ]}))
    subprocess.run([str(curate_command), "run", str(yaml_file), "--log-dir",
                    str(tmp_path / "logs")], check=True, capture_output=True)
    python_records = read_jsonl_folder(run_mixed_out)
    assert len(python_records) == 31
    assert python_records == read_jsonl_folder(tmp_path / "cli_out")


def test_describe_lists_engine_and_python_stages(corpus):
    text = Pipeline("d", stages=[JsonlReader(str(corpus)), TagStage()]).describe()
    assert "jsonl_reader" in text and "tag" in text and "Executor: local" in text


def test_initial_tasks_run_without_a_reader():
    import pyarrow as pa

    batch = DocumentBatch(task_id="seed", dataset_name="d",
                          data=pa.table({"text": ["a b c", "one two three four five six"]}))
    outputs = Pipeline("seeded", stages=[
        ScoreFilter(WordCountFilter(min_words=4), score_field="wc")]).run(initial_tasks=[batch])
    assert len(outputs) == 1
    assert outputs[0].task_id == "seed"
    assert outputs[0].to_pyarrow().to_pydict() == {"text": ["one two three four five six"],
                                                  "wc": [6.0]}
