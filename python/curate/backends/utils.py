"""The backend seed API (NeMo Curator's ``nemo_curator.backends.utils``), run by the engine.

Every function acts on the current cluster: this machine for the LocalExecutor.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

from curate._native import native
from curate.backends.base import NodeInfo, WorkerMetadata

__all__ = [
    "RayStageSpecKeys", "merge_executor_configs", "warn_on_env_var_override",
    "get_available_cpu_gpu_resources", "check_total_gpu_capacity", "execute_setup_on_node",
    "get_worker_metadata_and_node_id", "register_loguru_serializer",
]


class RayStageSpecKeys(str, Enum):
    """The keys of a stage's ``ray_stage_spec()``."""

    IS_ACTOR_STAGE = "is_actor_stage"
    IS_FANOUT_STAGE = "is_fanout_stage"
    IS_LSH_STAGE = "is_lsh_stage"
    IS_RAFT_ACTOR = "is_raft_actor"
    IS_SHUFFLE_STAGE = "is_shuffle_stage"
    MAX_CALLS_PER_WORKER = "max_calls_per_worker"
    RAY_REMOTE_ARGS = "ray_remote_args"


def merge_executor_configs(base_config: dict | None, override_config: dict | None) -> dict:
    """Deep-merge ``override_config`` over ``base_config`` (neither is modified)."""
    return json.loads(native().merge_executor_configs(json.dumps(base_config),
                                                      json.dumps(override_config)))


def warn_on_env_var_override(existing_config: dict | None, merged_config: dict | None) -> None:
    """Log one warning naming the ``runtime_env.env_vars`` keys whose values changed."""
    native().warn_on_env_var_override(json.dumps(existing_config), json.dumps(merged_config))


def get_available_cpu_gpu_resources(init_and_shutdown: bool = False,
                                    ignore_head_node: bool = False) -> tuple[int, int]:
    """Return the (CPUs, GPUs) of the cluster's alive nodes, less the head node's if asked."""
    cpus, gpus = native().get_available_cpu_gpu_resources(init_and_shutdown, ignore_head_node)
    return int(cpus), int(gpus)


def check_total_gpu_capacity(gpus_needed: int, ignore_head_node: bool = False) -> None:
    """Raise RuntimeError "Need {n} GPUs but cluster has {m} available." when short."""
    native().check_total_gpu_capacity(int(gpus_needed), ignore_head_node)


def execute_setup_on_node(stages: list, ignore_head_node: bool = False) -> None:
    """Run ``setup_on_node`` of every stage on every alive node, all at once."""
    from curate.backends.local import pipeline_document

    document, python_stages = pipeline_document("setup", None, list(stages), {"type": "local"})
    native().execute_setup_on_node(document, python_stages, ignore_head_node)


def get_worker_metadata_and_node_id() -> tuple[NodeInfo, WorkerMetadata]:
    """Return the calling worker's node and metadata (the driver's outside a worker)."""
    node_id, worker_json = native().get_worker_metadata_and_node_id()
    worker: dict[str, Any] = json.loads(worker_json)
    return NodeInfo(node_id=node_id), WorkerMetadata(**worker)


def register_loguru_serializer() -> None:
    """Capture the driver's logging configuration for every worker (idempotent)."""
    native().register_logger_serializer()
