"""Exact and fuzzy deduplication from Python, under NeMo Curator's names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curate.backends import LocalExecutor
from curate.stages.deduplication.exact import ExactDeduplicationWorkflow
from curate.stages.deduplication.fuzzy import FuzzyDeduplicationWorkflow
from curate.tasks import FileGroupTask


def _corpus(folder: Path) -> Path:
    """Ten originals, each followed later by an exact copy and a near copy."""
    folder.mkdir()
    first, second = [], []
    for i in range(10):
        text = " ".join(f"w{i * 1000 + w}" for w in range(60))
        first.append({"id": f"orig-{i}", "text": text})
        second.append({"id": f"exact-{i}", "text": text})
        second.append({"id": f"near-{i}", "text": text + " one more"})
    for name, records in (("a.jsonl", first), ("b.jsonl", second)):
        (folder / name).write_text("".join(json.dumps(r) + "\n" for r in records))
    return folder


def _removals(output: Path) -> dict[str, dict]:
    removals = {}
    for part in sorted((output / "removal_list").glob("*.jsonl")):
        for line in part.read_text().splitlines():
            record = json.loads(line)
            removals[record["id"]] = record
    return removals


def test_fuzzy_workflow_lists_each_removal_with_its_kept_near_duplicate(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "in")
    workflow = FuzzyDeduplicationWorkflow(cache_path=str(tmp_path / "cache"),
                                          output_path=str(tmp_path / "out"),
                                          input_path=str(corpus), perform_removal=True)
    result = workflow.run(executor=LocalExecutor({"num_cpus": 2}))
    assert result.workflow_name == "fuzzy_deduplication"
    assert result.get_metadata("documents") == 30
    assert result.get_metadata("documents_removed") == 20
    removals = _removals(tmp_path / "out")
    assert set(removals) == {f"exact-{i}" for i in range(10)} | {f"near-{i}" for i in range(10)}
    for i in range(10):
        assert removals[f"near-{i}"]["kept_id"] == f"orig-{i}"
        assert removals[f"near-{i}"]["similarity"] >= 0.8
    kept = "".join(p.read_text() for p in (tmp_path / "out" / "deduplicated").glob("*.jsonl"))
    assert kept.count('"id"') == 10


def test_exact_workflow_from_file_group_tasks(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "in")
    tasks = [FileGroupTask(data=[str(corpus / "a.jsonl"), str(corpus / "b.jsonl")])]
    result = ExactDeduplicationWorkflow(output_path=str(tmp_path / "out"), hash="md5").run(tasks)
    assert result.get_metadata("documents_removed") == 10
    assert {r["kept_id"] for r in _removals(tmp_path / "out").values()} == {f"orig-{i}" for i in range(10)}


def test_mistakes_raise_value_error_with_the_engine_message(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "in")
    with pytest.raises(ValueError, match="jaccard_threshold must be in"):
        FuzzyDeduplicationWorkflow(output_path=str(tmp_path / "o"), input_path=str(corpus),
                                   jaccard_threshold=2.0).run()
    with pytest.raises(ValueError, match="curate deduplicates JSONL"):
        FuzzyDeduplicationWorkflow(output_path=str(tmp_path / "o"), input_filetype="parquet")
    with pytest.raises(ValueError, match="bands_per_iteration"):
        FuzzyDeduplicationWorkflow(output_path=str(tmp_path / "o"), bands_per_iteration=30)
    with pytest.raises(ValueError, match="does not exist|missing"):
        ExactDeduplicationWorkflow(output_path=str(tmp_path / "o"),
                                   input_path=str(tmp_path / "missing")).run()


def test_with_on_exact_duplicates_reaches_its_shuffle_not_its_writer(tmp_path: Path) -> None:
    from curate._native import native
    from curate.backends.local import pipeline_document
    from curate.stages._engine import EngineStage
    from curate.stages.text.io.reader import JsonlReader

    stage = EngineStage("exact_duplicates", {"removal_list_dir": str(tmp_path / "removed"),
                                             "num_partitions": 3}).with_(
        name="dups", num_workers=3, stage_spec={"ray_remote_args": {"max_restarts": 1}})
    document, python_stages = pipeline_document(
        "p", None, [JsonlReader(str(_corpus(tmp_path / "in")), add_dedup_id=True), stage],
        {"type": "local"})
    built = {s.name: s for s in native().build_stages(document, python_stages)}
    assert list(built) == ["file_partitioning", "jsonl_reader", "dups", "removal_list_writer"]
    assert built["dups"].num_workers == 3
    assert json.loads(built["dups"].spec_json()) == {
        "is_shuffle_stage": True, "ray_remote_args": {"max_restarts": 1}}
    assert built["removal_list_writer"].num_workers is None
    assert json.loads(built["removal_list_writer"].spec_json()) == {}
