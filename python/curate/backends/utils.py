"""The backend seed API (NeMo Curator's ``nemo_curator.backends.utils``), run by the engine.

Every function acts on the current cluster: this machine, or the Ray cluster while Ray
is initialised in this process (see ``curate.backends.ray._cluster``); the logic is the
engine's, written once against its ``Cluster``.
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


def _cluster(python_stages: list | None = None, init_and_shutdown: bool = False):
    from curate.backends.ray._cluster import ray_cluster_scope

    return ray_cluster_scope(python_stages, init_and_shutdown=init_and_shutdown)


def merge_executor_configs(base_config: dict | None, override_config: dict | None) -> dict:
    """Deep-merge ``override_config`` over ``base_config`` (neither is modified)."""
    return json.loads(native().merge_executor_configs(json.dumps(base_config),
                                                      json.dumps(override_config)))


def warn_on_env_var_override(existing_config: dict | None, merged_config: dict | None) -> None:
    """Log one warning naming the ``runtime_env.env_vars`` keys whose values changed."""
    native().warn_on_env_var_override(json.dumps(existing_config), json.dumps(merged_config))


def get_available_cpu_gpu_resources(init_and_shutdown: bool = False,
                                    ignore_head_node: bool = False) -> tuple[int, int]:
    """Return the (CPUs, GPUs) of the cluster's alive nodes, less the head node's if asked.

    Under Ray: the nodes' totals (the head is the node holding ``node:__internal_head__``).
    With ``init_and_shutdown`` and Ray installed but not initialised, Ray is initialised
    for the call (``ray.init(ignore_reinit_error=True)``) and shut down after it; a
    connection that was already open stays open.
    """
    with _cluster(init_and_shutdown=init_and_shutdown):
        cpus, gpus = native().get_available_cpu_gpu_resources(init_and_shutdown, ignore_head_node)
    return int(cpus), int(gpus)


def check_total_gpu_capacity(gpus_needed: int, ignore_head_node: bool = False) -> None:
    """Raise RuntimeError "Need {n} GPUs but cluster has {m} available." when short."""
    with _cluster():
        native().check_total_gpu_capacity(int(gpus_needed), ignore_head_node)


def execute_setup_on_node(stages: list, ignore_head_node: bool = False) -> None:
    """Run ``setup_on_node`` of every stage on every alive node, all at once.

    Under Ray each (stage, node) pair is a Ray task pinned to its node
    (``NodeAffinitySchedulingStrategy(node_id, soft=False)``), all awaited together.
    """
    from curate.backends.local import pipeline_document

    document, python_stages = pipeline_document("setup", None, list(stages), {"type": "local"})
    with _cluster(python_stages):
        native().execute_setup_on_node(document, python_stages, ignore_head_node)


def get_worker_metadata_and_node_id() -> tuple[NodeInfo, WorkerMetadata]:
    """Return the calling worker's node and metadata (the driver's outside a worker).

    Inside a Ray actor or task: Ray's node id and worker id, and the resources Ray
    assigned to it as the allocation.
    """
    with _cluster():
        node_id, worker_json = native().get_worker_metadata_and_node_id()
    worker: dict[str, Any] = json.loads(worker_json)
    return NodeInfo(node_id=node_id), WorkerMetadata(**worker)


def _logger_custom_serializer(_logger: Any) -> None:
    """Send nothing for a logger: the receiving process binds its own."""
    return None


def _logger_custom_deserializer(_: None) -> Any:
    """Return the receiving process's own ``curate`` logger."""
    import logging

    return logging.getLogger("curate")


def register_loguru_serializer() -> None:
    """Capture the driver's logging configuration for every worker (idempotent); with
    Ray initialised, also register a Ray serializer for ``logging.Logger``: a logger
    travels as nothing and arrives as the receiving process's ``curate`` logger, as
    NeMo Curator does for loguru's logger."""
    import logging

    native().register_logger_serializer()
    from curate.backends.ray._cluster import ray_is_initialized

    if ray_is_initialized():
        import importlib.util

        import ray

        ray.util.register_serializer(logging.Logger, serializer=_logger_custom_serializer,
                                     deserializer=_logger_custom_deserializer)
        if importlib.util.find_spec("loguru") is not None:
            # Stages ported from NeMo Curator may hold loguru's logger, which Ray cannot
            # pickle: the same rule, for it.
            from loguru import logger as loguru_logger

            ray.util.register_serializer(type(loguru_logger),
                                         serializer=_logger_custom_serializer,
                                         deserializer=lambda _: loguru_logger)
