"""The deduplication workflows on a Python executor whose stages cross through bytes.

``PicklingExecutor`` does what a multi-process executor (Ray) must: every stage it is
given is pickled and unpickled (rebuilt from its description, with fresh state and
counters), every task crosses as bytes, the rebuilt stages run on the C++ LocalExecutor,
and the workers' counters are merged back into the stages it was given. The results
must equal the default in-process run's.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from curate._native import native
from curate.stages.deduplication.exact import ExactDeduplicationWorkflow
from curate.stages.deduplication.fuzzy import FuzzyDeduplicationWorkflow


class PicklingExecutor:
    """A test executor: pickles every stage and task, runs them natively, merges counters."""

    def __init__(self, num_cpus: int = 4) -> None:
        self.num_cpus = num_cpus
        self.stage_names: list[list[str]] = []
        self.payload_bytes = 0

    def _execute_native(self, stages: list, initial_tasks: list) -> list:
        engine = native()
        data = [pickle.dumps(stage) for stage in stages]
        self.payload_bytes += sum(len(stage.describe()[2]) for stage in stages)
        rebuilt = [pickle.loads(blob) for blob in data]
        for stage, copy in zip(stages, rebuilt):
            assert copy is not stage and copy.name == stage.name
            assert copy.spec_json() == stage.spec_json() and copy.batch_size == stage.batch_size
            assert all(value == 0 for value in json.loads(copy.counters()).values())
        self.stage_names.append([stage.name for stage in stages])
        tasks = [engine.task_from_bytes(engine.task_to_bytes(task)) for task in initial_tasks]
        outputs = engine.run_native_stages(rebuilt, tasks, json.dumps({"num_cpus": self.num_cpus}))
        for stage, copy in zip(stages, rebuilt):
            stage.merge_counters(copy.counters())
        return [engine.task_from_bytes(engine.task_to_bytes(task)) for task in outputs]


def _corpus(folder: Path) -> Path:
    """Ten originals, each followed later by an exact copy and a near copy, in 3 files."""
    folder.mkdir()
    files: list[list[dict]] = [[], [], []]
    for i in range(10):
        text = " ".join(f"w{i * 1000 + w}" for w in range(60))
        files[0].append({"id": f"orig-{i}", "text": text})
        files[1 + i % 2].append({"id": f"exact-{i}", "text": text})
        files[2 - i % 2].append({"id": f"near-{i}", "text": text + " one more"})
        files[i % 3].append({"id": f"unique-{i}", "text": f"something else entirely {i} " * 9})
    for n, records in enumerate(files):
        (folder / f"part{n}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return folder


def _outputs(output: Path) -> dict[str, bytes]:
    return {str(path.relative_to(output)): path.read_bytes()
            for path in sorted(output.rglob("*.jsonl"))}


def _without_paths(metadata: dict, output: Path) -> dict:
    return {key: (value.replace(str(output), "<out>") if isinstance(value, str) else value)
            for key, value in metadata.items()}


@pytest.mark.parametrize("perform_removal", [False, True])
def test_fuzzy_workflow_on_a_pickling_executor_equals_the_default_run(
        tmp_path: Path, perform_removal: bool) -> None:
    corpus = _corpus(tmp_path / "in")
    runs = {}
    for name, executor in (("default", None), ("pickled", PicklingExecutor())):
        output = tmp_path / name
        workflow = FuzzyDeduplicationWorkflow(output_path=str(output), input_path=str(corpus),
                                              perform_removal=perform_removal, batch_rows=4)
        result = workflow.run(executor=executor)
        runs[name] = (_without_paths(result.metadata, output), _outputs(output), executor)
    (default, default_files, _), (pickled, pickled_files, executor) = runs["default"], runs["pickled"]
    assert default["documents_removed"] == 20 and default["verified_pairs"] > 0
    assert pickled == default
    assert pickled_files == default_files and default_files
    phases = [names[1:] for names in executor.stage_names]
    assert ["jsonl_reader", "minhash", "lsh", "connected_components"] in phases
    assert ["jsonl_reader", "candidate_shingles", "verify_and_cluster",
            "write_removal_list"] in phases
    assert executor.payload_bytes > 0  # the candidate index crossed with the stages
    assert len(phases) == (3 if perform_removal else 2)


@pytest.mark.parametrize("perform_removal", [False, True])
def test_exact_workflow_on_a_pickling_executor_equals_the_default_run(
        tmp_path: Path, perform_removal: bool) -> None:
    corpus = _corpus(tmp_path / "in")
    runs = {}
    for name, executor in (("default", None), ("pickled", PicklingExecutor(num_cpus=3))):
        output = tmp_path / name
        workflow = ExactDeduplicationWorkflow(output_path=str(output), input_path=str(corpus),
                                              perform_removal=perform_removal)
        result = workflow.run(executor=executor)
        runs[name] = (_without_paths(result.metadata, output), _outputs(output))
    assert runs["default"][0]["documents_removed"] == 10
    assert runs["pickled"] == runs["default"]


def test_a_python_executor_error_reaches_the_caller(tmp_path: Path) -> None:
    class Failing:
        def _execute_native(self, stages: list, initial_tasks: list) -> list:
            raise KeyError("the cluster is gone")

    corpus = _corpus(tmp_path / "in")
    workflow = ExactDeduplicationWorkflow(output_path=str(tmp_path / "o"), input_path=str(corpus))
    with pytest.raises(KeyError, match="the cluster is gone"):
        workflow.run(executor=Failing())


def test_merge_counters_rejects_unknown_counters(tmp_path: Path) -> None:
    seen = {}

    class Capturing(PicklingExecutor):
        def _execute_native(self, stages: list, initial_tasks: list) -> list:
            seen.setdefault("stages", list(stages))
            return super()._execute_native(stages, initial_tasks)

    corpus = _corpus(tmp_path / "in")
    FuzzyDeduplicationWorkflow(output_path=str(tmp_path / "o"), input_path=str(corpus)).run(
        executor=Capturing())
    by_name = {stage.name: stage for stage in seen["stages"]}
    with pytest.raises(ValueError, match="unknown fuzzy dedup counter 'bogus'"):
        by_name["minhash"].merge_counters('{"bogus": 1}')
    with pytest.raises(ValueError, match="keeps no counters"):
        by_name["file_partitioning"].merge_counters('{"documents": 1}')
    assert json.loads(by_name["file_partitioning"].counters()) == {}
    name, params, payload = by_name["minhash"].describe()
    assert name == "minhash" and json.loads(params)["jaccard_threshold"] == 0.8 and payload == b""
