"""Shuffle stages on the RayExecutor, on a three-node Ray cluster (one per module)."""

from __future__ import annotations

import json
import os
import pathlib
import random
import re
import signal
import time

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


def _slow_exact(corpus: pathlib.Path, out: pathlib.Path, calls: pathlib.Path,
                **overrides) -> Pipeline:
    """The exact-duplicates pipeline with a slow pass-through before the shuffle, so that
    its route phase lasts seconds (20 batches, 0.25 s each)."""
    from test_ray_executor import PidRecorder

    pipeline = _exact(corpus, out, **overrides)
    pipeline.stages.insert(1, PidRecorder(str(calls), delay_s=0.25))
    return pipeline


def _kill_a_shuffle_actor_mid_route(calls: pathlib.Path, known: set) -> int:
    """Once some batches were routed, stop a shuffle actor of the run (so that the driver
    gives it a route call it cannot answer), then kill it; return its pid."""
    from ray._private import state

    deadline = time.monotonic() + 60
    while len(list(calls.glob("call-*"))) < 4:
        assert time.monotonic() < deadline, "the slow stage never ran"
        time.sleep(0.05)
    shufflers = [info for actor_id, info in state.actors().items() if actor_id not in known
                 and info["ActorClassName"] == "ShuffleActor" and info["State"] == "ALIVE"]
    assert shufflers, "no shuffle actor is alive"
    pid = shufflers[0]["Pid"]
    os.kill(pid, signal.SIGSTOP)
    time.sleep(1.5)  # the next bundle's route call waits on the stopped process
    os.kill(pid, signal.SIGKILL)
    return pid


def test_a_shuffle_actor_killed_mid_route_is_restarted_and_its_route_redone(  # noqa: F811
        cluster, dup_corpus, tmp_path):
    from ray._private import state

    from curate.backends.ray import RayExecutor
    from test_ray_executor import _run_in_thread

    _exact(dup_corpus, tmp_path / "local").run(LocalExecutor())
    calls = tmp_path / "calls"
    calls.mkdir()
    known = set(state.actors())
    # The composite's stage_spec reaches its shuffle stage: only that one may restart.
    executor = RayExecutor()
    restartable = {"stage_spec": {"ray_remote_args": {"max_restarts": 1}}}
    thread, result = _run_in_thread(
        _slow_exact(dup_corpus, tmp_path / "ray", calls, **restartable), executor)
    killed = _kill_a_shuffle_actor_mid_route(calls, known)
    thread.join(timeout=120)
    assert not thread.is_alive(), "the run hangs after its shuffle actor was killed"
    assert "error" not in result, result.get("error")
    restarted = [info for actor_id, info in state.actors().items() if actor_id not in known
                 and info["ActorClassName"] == "ShuffleActor" and info["NumRestarts"] == 1]
    assert len(restarted) == 1 and restarted[0]["Pid"] != killed
    # The same removal list, byte for byte, as the LocalExecutor's: nothing lost or doubled.
    assert _files(tmp_path / "ray") == _files(tmp_path / "local")
    assert sorted(read_jsonl_folder(tmp_path / "ray"), key=lambda r: r["id"]) == \
        _expected_removals(dup_corpus)
    shuffle = next(s for s in executor.last_run_stats["stages"]
                   if s["name"] == "exact_duplicates")
    # Every input routed once in the stats (the lost call's report never came), by the
    # restarted process and, if it had finished a route call before it was stopped, the
    # killed one.
    assert (shuffle["tasks_in"], shuffle["documents_in"]) == (20, 300)
    assert shuffle["instances"] in (1, 2), shuffle
    # Counted as the LocalExecutor counts it: documents routed in, removal records out.
    assert shuffle["documents_out"] == len(_expected_removals(dup_corpus))
    assert shuffle["calls"] > 5 and shuffle["process_time_s"] > 0  # routes and 5 reduces


def test_a_shuffle_actor_killed_without_restarts_fails_the_run_naming_it(  # noqa: F811
        cluster, dup_corpus, tmp_path):
    from ray._private import state

    from curate.backends.ray import RayExecutor
    from test_ray_executor import _run_in_thread

    calls = tmp_path / "calls"
    calls.mkdir()
    known = set(state.actors())
    thread, result = _run_in_thread(_slow_exact(dup_corpus, tmp_path / "ray", calls),
                                    RayExecutor())
    _kill_a_shuffle_actor_mid_route(calls, known)
    killed_at = time.monotonic()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the run hangs after its shuffle actor was killed"
    error = result.get("error")
    assert isinstance(error, RuntimeError), error
    assert re.search(r"stage 'exact_duplicates' lost actor exact_duplicates-\d \(Ray actor "
                     r"\w+\) on node \w+: the actor's process died .*max_restarts", str(error)), \
        str(error)
    assert result["done"] - killed_at < 15
    alive = [info for actor_id, info in state.actors().items()
             if actor_id not in known and info["State"] != "DEAD"]
    deadline = time.monotonic() + 20
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [info for actor_id, info in state.actors().items()
                 if actor_id not in known and info["State"] != "DEAD"]
    assert not alive, alive
    _exact(dup_corpus, tmp_path / "again").run(RayExecutor())  # the cluster is whole
    assert sorted(read_jsonl_folder(tmp_path / "again"), key=lambda r: r["id"]) == \
        _expected_removals(dup_corpus)
