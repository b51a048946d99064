"""How the RayExecutor's driver keeps the counters of actors that die (no Ray cluster).

Workflow runs (``_execute_native``) merge every actor's stage counters into the driver's
stages (pipeline runs too: the readers' bad records). Each call's report carries the
counters its process has so far, kept by process id, so when a process dies its finished
calls still count beside those of the process Ray restarted in its place (the lost call is
redone there).
"""

from __future__ import annotations

from curate.backends.ray import RayExecutor
from curate.backends.ray import executor as executor_module
from curate.backends.ray._plan import StagePlan
from curate.backends.ray._pool import TaskPool
from curate.backends.ray._workers import Call, Work, Worker


class _Stage:
    """The driver's stage object: records what is merged into it."""

    def __init__(self) -> None:
        self.merged: list[str] = []

    def merge_counters(self, counters: str) -> None:
        self.merged.append(counters)


class _Method:
    def remote(self) -> str:
        return "teardown-ref"


class _Handle:
    """An actor handle: an id for messages and a teardown method."""

    class _actor_id:  # noqa: N801 (Ray's attribute name)
        @staticmethod
        def hex() -> str:
            return "ab12"

    teardown = _Method()


class _Ray:
    """Ray as the teardown sees it when no actor answers (all died)."""

    class exceptions:  # noqa: N801
        class RayError(Exception):
            pass

    def __init__(self) -> None:
        self.killed: list = []

    def wait(self, refs: list, num_returns: int, timeout: float):
        return [], list(refs)

    def kill(self, actor) -> None:
        self.killed.append(actor)


def _pool_with_a_busy_worker(counters: dict) -> tuple[TaskPool, Worker, Call]:
    pool = TaskPool(StagePlan(0, "minhash", 1.0, 0.0, 1, max_restarts=1), 1)
    worker = Worker(_Handle(), 0, "node-1", counters=counters)
    pool.add(worker)
    pool.idle.clear()
    pool.busy = 1
    return pool, worker, Call("ref", worker, ("process", Work("bundle", 0, 3), []))


class _DeadActor(Exception):
    pass


def test_a_lost_process_s_last_counters_are_merged_with_its_replacement_s():
    # Process 111 reported 7 documents, then died during its next call.
    pool, worker, call = _pool_with_a_busy_worker({111: ['{"documents": 7}', None]})
    RayExecutor()._lost(pool, call, _DeadActor("killed"))
    assert list(pool.queued) == [Work("bundle", 0, 3)]  # the lost call is redone
    # Its replacement, process 222, redid it and counted 3 more; its teardown answers.
    minhash, writer = _Stage(), _Stage()
    executor_module._merge_worker_counters(
        [minhash, writer], worker, {"pid": 222, "counters": ['{"documents": 3}', "{}"]})
    assert sorted(minhash.merged) == ['{"documents": 3}', '{"documents": 7}']
    assert writer.merged == ["{}"]
    assert worker.counters == {}  # merged once


def test_actors_that_do_not_answer_their_teardown_give_their_last_counters():
    pool, worker, _ = _pool_with_a_busy_worker({111: ['{"documents": 5}']})
    stage, ray = _Stage(), _Ray()
    RayExecutor()._teardown(ray, [pool], [[stage]])
    assert stage.merged == ['{"documents": 5}']
    assert ray.killed == [worker.handle]
