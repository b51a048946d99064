"""Gang (raft-actor) stages on the RayExecutor, on a three-node Ray cluster (one per module)."""

from __future__ import annotations

import os
import pathlib
import re
import time
import uuid

import pytest

from conftest import read_jsonl_folder
from curate.pipeline import Pipeline
from curate.stages.base import ProcessingStage
from curate.stages.text.io.reader import JsonlReader
from curate.stages.text.io.writer import JsonlWriter
from curate.tasks import DocumentBatch
from test_ray_executor import cluster, ray_corpus  # noqa: F401 - the module's own fixtures

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.ray


def _coordinator(size: int):
    from curate.backends.ray._gang import GangCoordinator

    return ray.remote(GangCoordinator).options(num_cpus=0, max_concurrency=size + 4).remote(
        "cc", size)


def test_the_coordinator_sums_exchanges_and_meets(cluster):  # noqa: F811
    coordinator = _coordinator(3)
    try:
        sums = [coordinator.collect.remote(0, m, "all_reduce_sum", [m, 10 * m]) for m in range(3)]
        assert ray.get(sums, timeout=30) == [[3, 30]] * 3
        # all_to_all: each member sends one reference per receiver; each gets its column.
        sent = [[ray.put(f"{s}->{r}".encode()) for r in range(3)] for s in range(3)]
        got = ray.get([coordinator.collect.remote(1, m, "all_to_all", [sent[m]])
                       for m in range(3)], timeout=30)
        assert [[ray.get(ref) for ref in row] for row in got] == \
            [[f"{s}->{r}".encode() for s in range(3)] for r in range(3)]
        assert ray.get([coordinator.collect.remote(2, m, "barrier", None) for m in range(3)],
                       timeout=30) == [None] * 3
    finally:
        ray.kill(coordinator)


def test_abort_releases_every_waiting_member_at_once(cluster):  # noqa: F811
    coordinator = _coordinator(3)
    try:
        waiting = [coordinator.collect.remote(0, m, "barrier", None) for m in range(2)]
        time.sleep(0.5)
        assert not ray.wait(waiting, timeout=0.5)[0], "a barrier of 3 let 2 members through"
        started = time.monotonic()
        coordinator.abort.remote("member 2 failed: boom")
        for ref in waiting:
            with pytest.raises(ray.exceptions.RayTaskError,
                               match=r"gang of stage 'cc' aborted: member 2 failed: boom"):
                ray.get(ref, timeout=30)
        assert time.monotonic() - started < 10
        # Later collectives fail at once instead of waiting for the dead member.
        with pytest.raises(ray.exceptions.RayTaskError, match="aborted"):
            ray.get(coordinator.collect.remote(1, 0, "barrier", None), timeout=30)
    finally:
        ray.kill(coordinator)


def test_members_calling_different_collectives_fail_instead_of_hanging(cluster):  # noqa: F811
    coordinator = _coordinator(2)
    try:
        first = coordinator.collect.remote(0, 0, "barrier", None)
        second = coordinator.collect.remote(0, 1, "all_reduce_sum", [1])
        for ref in (first, second):
            with pytest.raises(ray.exceptions.RayTaskError, match="disagree at step 0"):
                ray.get(ref, timeout=30)
    finally:
        ray.kill(coordinator)



class GangMember(ProcessingStage[DocumentBatch, DocumentBatch]):
    """A Python gang stage (is_raft_actor): pass batches on, record the node of every
    member's setup; raise on the documents of part-01 (n % 3 == 1) while ``flag`` exists."""

    name = "gang_member"

    def __init__(self, folder: str, flag: str = "", delay_s: float = 0.0) -> None:
        self.folder = folder
        self.flag = flag
        self.delay_s = delay_s

    def inputs(self):
        return ["data"], ["text"]

    def setup(self, worker_metadata=None) -> None:
        node = ray.get_runtime_context().get_node_id()
        (pathlib.Path(self.folder) / f"setup-{node}-{uuid.uuid4().hex}").write_text("")

    def process(self, task: DocumentBatch) -> DocumentBatch:
        (pathlib.Path(self.folder) / f"call-{os.getpid()}-{uuid.uuid4().hex}").write_text("")
        time.sleep(self.delay_s)
        if self.flag and os.path.exists(self.flag) and \
                any(n % 3 == 1 for n in task.to_pandas()["n"]):
            raise ValueError("part-01 breaks this member")
        return task


def _gang_pipeline(corpus: pathlib.Path, out: pathlib.Path, stage) -> Pipeline:
    return Pipeline("gang", stages=[
        JsonlReader(str(corpus), files_per_partition=1, fields=["n"], batch_rows=9),
        stage.with_(stage_spec={"is_raft_actor": True}, num_workers=2),
        JsonlWriter(str(out))])


def _actors_since(known: set) -> list[dict]:
    """Return the GCS's records of the actors created after ``known`` (their ids) was taken."""
    from ray._private import state

    return [info for actor_id, info in state.actors().items() if actor_id not in known]


def test_ignore_head_node_keeps_gang_members_and_coordinator_off_the_head(  # noqa: F811
        cluster, ray_corpus, tmp_path):
    from ray._private import state

    from curate.backends.ray import RayExecutor

    calls = tmp_path / "calls"
    calls.mkdir()
    known = set(state.actors())
    _gang_pipeline(ray_corpus, tmp_path / "out", GangMember(str(calls))).run(
        RayExecutor(ignore_head_node=True))
    assert len(read_jsonl_folder(tmp_path / "out")) == 120
    head = next(n["NodeID"] for n in ray.nodes() if "node:__internal_head__" in n["Resources"])
    actors = _actors_since(known)
    classes = sorted(info["ActorClassName"] for info in actors)
    assert classes.count("GangActor") == 2 and classes.count("GangCoordinator") == 1, classes
    placed = {info["ActorClassName"] + "/" + info["ActorID"]: info["Address"]["NodeID"]
              for info in actors}
    assert all(node and node != head for node in placed.values()), (head, placed)
    setups = [p.name.split("-")[1] for p in calls.glob("setup-*")]
    assert len(setups) == 2 and head not in setups


def test_a_gang_member_that_raises_fails_the_run_naming_stage_and_member(  # noqa: F811
        cluster, ray_corpus, tmp_path):
    from ray._private import state

    from curate.backends.ray import RayExecutor

    calls = tmp_path / "calls"
    calls.mkdir()
    flag = tmp_path / "flag"
    flag.write_text("")
    known = set(state.actors())
    started = time.monotonic()
    with pytest.raises(RuntimeError) as caught:
        _gang_pipeline(ray_corpus, tmp_path / "out", GangMember(str(calls), str(flag))).run(
            RayExecutor())
    assert time.monotonic() - started < 30
    message = str(caught.value)
    assert re.search(r"stage 'gang_member' failed on task .* on node \w+ \(worker "
                     r"gang_member-([01]), gang member \1 of 2\): ValueError: part-01 breaks "
                     r"this member", message), message
    # Every actor of the run is gone (members, coordinator and the other stages' actors).
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        alive = [info for info in _actors_since(known) if info["State"] != "DEAD"]
        if not alive:
            break
        time.sleep(0.2)
    assert not alive, alive
    flag.unlink()  # the cluster is whole: the same pipeline runs now
    _gang_pipeline(ray_corpus, tmp_path / "again", GangMember(str(calls), str(flag))).run(
        RayExecutor())
    assert len(read_jsonl_folder(tmp_path / "again")) == 120


def test_a_gang_member_killed_from_outside_fails_the_run_naming_it(  # noqa: F811
        cluster, ray_corpus, tmp_path):
    from ray._private import state

    from curate.backends.ray import RayExecutor
    from test_ray_executor import _kill_first_caller, _run_in_thread

    calls = tmp_path / "calls"
    calls.mkdir()
    known = set(state.actors())
    # max_restarts is dropped for gang stages (with a warning): a member cannot come back.
    stage = GangMember(str(calls), delay_s=0.3).with_(
        stage_spec={"ray_remote_args": {"max_restarts": 1}})
    thread, result = _run_in_thread(_gang_pipeline(ray_corpus, tmp_path / "out", stage),
                                    RayExecutor())
    _kill_first_caller(calls)
    killed_at = time.monotonic()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the run hangs after a gang member was killed"
    message = str(result.get("error"))
    assert isinstance(result.get("error"), RuntimeError), message
    assert re.search(r"stage 'gang_member' lost actor gang_member-([01]) \(Ray actor \w+\) on "
                     r"node \w+ \(gang member \1 of 2\): the actor's process died .*a gang "
                     r"member cannot be restarted", message), message
    assert result["done"] - killed_at < 15
    deadline = time.monotonic() + 20
    alive = [0]
    while alive and time.monotonic() < deadline:
        alive = [info for info in _actors_since(known) if info["State"] != "DEAD"]
        time.sleep(0.2)
    assert not alive, alive
