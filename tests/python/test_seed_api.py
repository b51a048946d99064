"""The seed API (curate.backends.utils): the contract's reference cases."""

from __future__ import annotations

import logging

import pytest

from curate._native import native
from curate.backends.base import NodeInfo, WorkerMetadata
from curate.backends.utils import (
    RayStageSpecKeys,
    check_total_gpu_capacity,
    execute_setup_on_node,
    get_available_cpu_gpu_resources,
    get_worker_metadata_and_node_id,
    merge_executor_configs,
    register_loguru_serializer,
    warn_on_env_var_override,
)
from curate.stages.base import ProcessingStage


@pytest.fixture
def cluster():
    """Make a cluster of declared nodes current: [(node_id, cpus, gpus, is_head)]."""
    scopes = []

    def make(nodes):
        scope = native().StaticClusterScope(nodes)
        scopes.append(scope)
        return scope

    yield make
    for scope in reversed(scopes):
        scope.close()


def test_stage_spec_keys_are_a_str_enum_with_the_seven_values():
    assert [key.value for key in RayStageSpecKeys] == [
        "is_actor_stage", "is_fanout_stage", "is_lsh_stage", "is_raft_actor",
        "is_shuffle_stage", "max_calls_per_worker", "ray_remote_args"]
    assert RayStageSpecKeys("is_actor_stage") is RayStageSpecKeys.IS_ACTOR_STAGE
    assert RayStageSpecKeys.IS_FANOUT_STAGE == "is_fanout_stage"


def test_merge_executor_configs_reference_case():
    base = {"runtime_env": {"env_vars": {"A": "1", "B": "2"}}}
    override = {"runtime_env": {"env_vars": {"B": "3", "C": "4"}}}
    assert merge_executor_configs(base, override) == {
        "runtime_env": {"env_vars": {"A": "1", "B": "3", "C": "4"}}}
    assert base == {"runtime_env": {"env_vars": {"A": "1", "B": "2"}}}
    assert merge_executor_configs(None, None) == {}
    assert merge_executor_configs({"a": 1}, None) == {"a": 1}
    assert merge_executor_configs({"a": {"b": 1}}, {"a": 2}) == {"a": 2}
    assert merge_executor_configs({"a": 2}, {"a": {"b": 1}}) == {"a": {"b": 1}}


def test_warn_on_env_var_override_names_changed_keys(caplog):
    with caplog.at_level(logging.WARNING, logger="curate"):
        from curate.backends.local import LocalExecutor  # noqa: F401

        existing = {"runtime_env": {"env_vars": {"B": "2", "A": "1"}}}
        merged = {"runtime_env": {"env_vars": {"B": "3", "A": "0"}}}
        warn_on_env_var_override(existing, merged)
        warn_on_env_var_override({}, merged)
    messages = [r.getMessage() for r in caplog.records if r.name == "curate"]
    assert len(messages) == 1
    assert messages[0].index("A") < messages[0].index("B")


@pytest.mark.parametrize("available, needed, passes", [(8, 4, True), (8, 8, True),
                                                       (8, 9, False), (0, 1, False)])
def test_check_total_gpu_capacity_reference_cases(cluster, available, needed, passes):
    cluster([("head", 16.0, float(available), True)])
    if passes:
        check_total_gpu_capacity(needed)
    else:
        with pytest.raises(RuntimeError) as error:
            check_total_gpu_capacity(needed)
        assert str(error.value) == f"Need {needed} GPUs but cluster has {available} available."


def test_available_resources_are_integers_and_honour_the_head_node(cluster):
    cluster([("head", 4.0, 1.0, True), ("worker", 8.0, 2.0, False)])
    assert get_available_cpu_gpu_resources() == (12, 3)
    cpus, gpus = get_available_cpu_gpu_resources(ignore_head_node=True)
    assert (cpus, gpus) == (8, 2) and isinstance(cpus, int)
    cluster([("only", 4.0, 0.0, True)])
    assert get_available_cpu_gpu_resources(ignore_head_node=True) == (0, 0)


class NodeSetup(ProcessingStage):
    name = "node_setup"
    seen: list = []

    def setup_on_node(self, node_info=None, worker_metadata=None):
        NodeSetup.seen.append((node_info, worker_metadata))

    def process(self, task):
        return task


def test_execute_setup_on_node_runs_every_stage_on_every_node(cluster):
    cluster([("head", 1.0, 0.0, True), ("a", 1.0, 0.0, False), ("b", 1.0, 0.0, False)])
    NodeSetup.seen = []
    execute_setup_on_node([NodeSetup(), NodeSetup()])
    assert sorted(node.node_id for node, _ in NodeSetup.seen) == ["a", "a", "b", "b", "head", "head"]
    assert all(worker == WorkerMetadata(worker_id="", allocation=None) for _, worker in NodeSetup.seen)
    NodeSetup.seen = []
    execute_setup_on_node([NodeSetup()], ignore_head_node=True)
    assert sorted(node.node_id for node, _ in NodeSetup.seen) == ["a", "b"]


def test_execute_setup_on_node_names_the_failed_stage_and_node(cluster):
    class Broken(NodeSetup):
        name = "broken"

        def setup_on_node(self, node_info=None, worker_metadata=None):
            raise OSError("disk full")

    cluster([("head", 1.0, 0.0, True)])
    with pytest.raises(RuntimeError, match="broken.*head|head.*broken"):
        execute_setup_on_node([Broken()])


def test_worker_metadata_outside_a_worker_is_the_driver():
    node, worker = get_worker_metadata_and_node_id()
    assert isinstance(node, NodeInfo) and node.node_id
    assert worker.worker_id == "driver"


def test_register_loguru_serializer_is_idempotent():
    register_loguru_serializer()
    register_loguru_serializer()


def test_defaults_of_node_info_and_worker_metadata():
    assert NodeInfo() == NodeInfo(node_id="")
    assert WorkerMetadata() == WorkerMetadata(worker_id="", allocation=None)
