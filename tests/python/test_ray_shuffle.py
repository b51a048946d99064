"""Shuffle stages on the RayExecutor, on a three-node Ray cluster (one per module)."""

from __future__ import annotations

import json
import pathlib
import random

import pytest

from conftest import read_jsonl_folder, write_corpus
from curate.backends.local import LocalExecutor
from curate.pipeline import Pipeline
from curate.stages._engine import EngineStage
from curate.stages.text.io.reader import JsonlReader
from test_ray_executor import cluster  # noqa: F401 - the module's own cluster fixture

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.ray


def _planted_duplicates(count: int, seed: int = 7) -> list[dict]:
    """Return `count` documents, about a third of them copies of an earlier text."""
    rng = random.Random(seed)
    documents = []
    for i in range(count):
        if documents and rng.random() < 0.35:
            text = rng.choice(documents)["text"]
        else:
            text = " ".join(f"t{rng.randrange(50)}" for _ in range(rng.randrange(3, 12)))
        documents.append({"id": f"doc-{i}", "text": text})
    return documents


@pytest.fixture(scope="module")
def dup_corpus(tmp_path_factory) -> pathlib.Path:
    return write_corpus(tmp_path_factory.mktemp("shuffle") / "corpus", _planted_duplicates(300),
                        files=4)


def _exact(corpus: pathlib.Path, out: pathlib.Path, partitions: int = 5,
           dedup_id: bool = True, **overrides) -> Pipeline:
    stage = EngineStage("exact_duplicates", {"removal_list_dir": str(out),
                                             "num_partitions": partitions})
    if overrides:
        stage = stage.with_(**overrides)
    return Pipeline("exact", stages=[
        JsonlReader(str(corpus), files_per_partition=1, batch_rows=16, add_dedup_id=dedup_id),
        stage])


def _files(folder: pathlib.Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.jsonl"))}


def _expected_removals(corpus: pathlib.Path) -> list[dict]:
    """Every document whose text an earlier one (file by file, line by line) has."""
    first: dict[str, str] = {}
    removed = []
    for record in read_jsonl_folder(corpus):
        if record["text"] in first:
            removed.append({"id": record["id"], "kept_id": first[record["text"]]})
        else:
            first[record["text"]] = record["id"]
    return sorted(removed, key=lambda r: r["id"])


@pytest.mark.parametrize("num_workers", [1, 3])
def test_exact_duplicates_gives_the_local_removal_list(cluster, dup_corpus, tmp_path,  # noqa: F811
                                                       num_workers):
    from curate.backends.ray import RayExecutor

    local = _exact(dup_corpus, tmp_path / "local").run(LocalExecutor())
    on_ray = _exact(dup_corpus, tmp_path / "ray", num_workers=num_workers).run(RayExecutor())
    # The same files with the same bytes, the same output tasks in the same order.
    assert _files(tmp_path / "ray") == _files(tmp_path / "local")
    assert [t.task_id for t in on_ray] == [t.task_id for t in local]
    assert len(on_ray) == 5
    removed = sorted(read_jsonl_folder(tmp_path / "ray"), key=lambda r: r["id"])
    assert removed == _expected_removals(dup_corpus)
    assert len(removed) > 50


def test_more_partitions_than_rows_per_block_and_one_partition(cluster, dup_corpus,  # noqa: F811
                                                                tmp_path):
    from curate.backends.ray import RayExecutor

    for partitions in (1, 64):
        folder = tmp_path / f"p{partitions}"
        _exact(dup_corpus, folder / "local", partitions).run(LocalExecutor())
        _exact(dup_corpus, folder / "ray", partitions).run(RayExecutor())
        assert _files(folder / "ray") == _files(folder / "local")
        # Partitions that got no document give no file (64 > distinct texts' hashes here).
        assert len(_files(folder / "ray")) == (1 if partitions == 1 else 60)
        assert sorted(read_jsonl_folder(folder / "ray"), key=lambda r: r["id"]) == \
            _expected_removals(dup_corpus)


def test_a_failing_route_names_the_stage_and_the_task(cluster, dup_corpus, tmp_path):  # noqa: F811
    from curate.backends.ray import RayExecutor

    with pytest.raises((RuntimeError, ValueError), match=r"exact_duplicates.*add_dedup_id"):
        _exact(dup_corpus, tmp_path / "out", dedup_id=False).run(RayExecutor())
    # The cluster is whole again: a next run works.
    _exact(dup_corpus, tmp_path / "again").run(RayExecutor())
    assert json.loads((tmp_path / "again" / "part.00000.jsonl").read_text().splitlines()[0])


def test_order_keys_follow_the_local_executors_rule():
    from curate.backends.ray._actors import order_index, output_keys

    a, b = order_index(0) + order_index(1), order_index(0) + order_index(2)
    assert output_keys([a, b], 2) == [a, b]  # as many outputs as inputs: by position
    assert output_keys([b, a], 3) == [a + order_index(i) for i in range(3)]  # smallest + i
    assert output_keys([b], 0) == []
    # Byte order is stream order: a parent before its children, children before the next.
    keys = [order_index(1), a + order_index(7), b, a, order_index(0), a + order_index(256)]
    assert sorted(keys) == [order_index(0), a, a + order_index(7), a + order_index(256), b,
                            order_index(1)]
