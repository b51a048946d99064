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

    def __init__(self, name: str, spec: dict) -> None:
        self.name = name
        self.cpus, self.gpus, self.num_workers = 1.0, 0.0, None
        self._spec = spec

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
