"""The RayExecutor's life-cycle rules by kind of stage (``curate.backends.ray._plan``).

No Ray cluster: the rules are checked on the request each stage makes of the plan.
"""

from __future__ import annotations

import json
import logging

import pytest

from curate._native import native
from curate.backends.ray import _plan


class _Stage:
    """What ``_stage_request`` reads of a built stage."""

    def __init__(self, name: str, spec: dict | None = None, batch_size: int = 1) -> None:
        self.name = name
        self.cpus, self.gpus, self.num_workers = 1.0, 0.0, None
        self.batch_size = batch_size
        self._spec = spec or {}

    def spec_json(self) -> str:
        return json.dumps(self._spec)


@pytest.fixture
def kind(monkeypatch):
    kinds: dict[str, str] = {}
    monkeypatch.setattr(native(), "stage_kind", lambda stage: kinds[stage.name])
    return kinds


def test_max_calls_per_worker_applies_to_task_stages(kind):
    kind["task"] = "task"
    request = _plan._stage_request(_Stage("task", {"max_calls_per_worker": 3}), {})
    assert request[4] == 3 and request[5] == "task"


def test_max_calls_per_worker_on_a_shuffle_stage_is_ignored_with_a_warning(kind, caplog):
    kind["lsh"] = "shuffle"
    with caplog.at_level(logging.WARNING, logger="curate.ray"):
        request = _plan._stage_request(_Stage("lsh", {"max_calls_per_worker": 3}), {})
    assert request[4] is None
    assert any("stage 'lsh' is a shuffle stage: max_calls_per_worker applies to task "
               "stages only" in m for m in caplog.messages), caplog.messages


def test_max_calls_per_worker_on_a_gang_stage_is_an_error(kind):
    kind["cc"] = "gang"
    with pytest.raises(ValueError, match=r"stage 'cc' is a gang stage: .*remove its "
                                         r"max_calls_per_worker"):
        _plan._stage_request(_Stage("cc", {"max_calls_per_worker": 3}), {})


def test_max_restarts_is_dropped_for_a_gang_stage_with_a_warning(kind, caplog):
    kind["cc"] = "gang"
    kind["lsh"] = "shuffle"
    args = {"max_restarts": 2}
    with caplog.at_level(logging.WARNING, logger="curate.ray"):
        gang = _plan._stage_request(_Stage("cc", {}), args)
        shuffle = _plan._stage_request(_Stage("lsh", {}), args)
    assert "max_restarts" not in gang[0] and shuffle[0]["max_restarts"] == 2
    assert any("stage 'cc' is a gang stage: a restarted member" in m for m in caplog.messages)


@pytest.fixture
def two_cpus(monkeypatch):
    """A one-node cluster of 2 CPUs, as the seed API would report it under Ray."""
    monkeypatch.setattr(_plan, "get_available_cpu_gpu_resources",
                        lambda ignore_head_node=False: (2, 0))
    monkeypatch.setattr(_plan, "check_total_gpu_capacity", lambda *a, **k: None)
    return [{"NodeID": "n1", "Resources": {"CPU": 2.0}}]


def _pools(plans) -> list[tuple[list[str], int, float]]:
    return [(plan.names, plan.workers, plan.cpus) for plan in plans]


def test_consecutive_task_stages_fuse_after_the_first_stage(kind, two_cpus):
    names = ["partition", "read", "filter", "write"]
    kind.update(dict.fromkeys(names, "task"))
    plans = _plan.plan_pools([_Stage(n) for n in names], 0, two_cpus, {}, False)
    # The first stage stays alone (it fans the seeds out); the other three run in one pool,
    # each of its actors running all three.
    assert _pools(plans) == [(["partition"], 1, 1.0), (["read", "filter", "write"], 1, 1.0)]
    assert plans[1].name == "read+filter+write" and plans[1].indices == [1, 2, 3]


def test_fusion_stops_at_a_shuffle_a_batching_stage_or_different_requests(kind, two_cpus):
    kind.update(source="task", a="task", b="task", lsh="shuffle", c="task", d="task", e="task")
    stages = [_Stage("source"), _Stage("a"), _Stage("b"), _Stage("lsh"), _Stage("c"),
              _Stage("d", batch_size=8), _Stage("e", {"ray_remote_args": {"max_restarts": 1}})]
    plans = _plan.plan_pools(stages, 0, two_cpus, {}, False)
    assert [plan.names for plan in plans] == [["source"], ["a", "b"], ["lsh"], ["c"], ["d"],
                                              ["e"]]
    assert [plan.kind for plan in plans] == ["task", "task", "shuffle", "task", "task", "task"]


def test_fuse_false_keeps_a_pool_per_stage(kind, two_cpus):
    names = ["partition", "read", "write"]
    kind.update(dict.fromkeys(names, "task"))
    plans = _plan.plan_pools([_Stage(n) for n in names], 0, two_cpus, {}, False, fuse=False)
    assert [plan.names for plan in plans] == [["partition"], ["read"], ["write"]]


def test_one_seed_fuses_the_first_stage_into_a_seeded_pool(kind, two_cpus):
    names = ["partition", "read", "write"]
    kind.update(dict.fromkeys(names, "task"))
    plans = _plan.plan_pools([_Stage(n) for n in names], 0, two_cpus, {"num_workers": 2},
                             False, single_seed=True)
    # No actor of its own for a stage that makes one call: one of the pool's runs it.
    assert _pools(plans) == [(["partition", "read", "write"], 2, 1.0)]
    assert plans[0].seeded and plans[0].indices == [0, 1, 2]
    # Sized automatically, the seeded pool gets both CPUs.
    plans = _plan.plan_pools([_Stage(n) for n in names], 0, two_cpus, {}, False,
                             single_seed=True)
    assert _pools(plans) == [(["partition", "read", "write"], 2, 1.0)]
    # More seeds: the first stage stays alone, and it is no seeded pool.
    plans = _plan.plan_pools([_Stage(n) for n in names], 0, two_cpus, {}, False)
    assert [(plan.names, plan.seeded) for plan in plans] == [(["partition"], False),
                                                             (["read", "write"], False)]


def test_one_seed_gives_a_first_stage_that_cannot_fuse_one_actor_holding_no_cpu(
        kind, two_cpus, caplog):
    names = ["partition", "read", "write"]
    kind.update(dict.fromkeys(names, "task"))
    # The first stage asks for other actor options: it cannot share the others' actors.
    stages = [_Stage("partition", {"ray_remote_args": {"max_restarts": 1}}), _Stage("read"),
              _Stage("write")]
    with caplog.at_level(logging.INFO, logger="curate.ray"):
        plans = _plan.plan_pools(stages, 0, two_cpus, {"num_workers": 2}, False,
                                 single_seed=True)
    assert _pools(plans) == [(["partition"], 1, 0.0), (["read", "write"], 2, 1.0)]
    assert not plans[0].seeded
    assert any("stage 'partition' gets 1 worker, not 2: the run starts from one task" in m
               for m in caplog.messages), caplog.messages
    # Sized automatically, the chain gets both CPUs.
    plans = _plan.plan_pools(stages, 0, two_cpus, {}, False, single_seed=True)
    assert _pools(plans) == [(["partition"], 1, 0.0), (["read", "write"], 2, 1.0)]
