"""Gang (raft-actor) stages on the RayExecutor, on a three-node Ray cluster (one per module)."""

from __future__ import annotations

import time

import pytest

from test_ray_executor import cluster  # noqa: F401 - the module's own cluster fixture

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

