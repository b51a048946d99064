"""The Ray cluster as curate's engine sees it: an adapter for the C++ ``Cluster``.

The seed API (``curate.backends.utils``: resources, setup on nodes, the GPU check, worker
metadata) is written once in C++ against ``Cluster``; while Ray is initialised in this
process it acts on Ray through :class:`RayClusterAdapter`, made current by
:func:`ray_cluster_scope`. Work crosses to the nodes as descriptions (a pipeline
document and a stage's position in it), never as a function of this process: each
(work, node) pair is one Ray task pinned to its node with
``NodeAffinitySchedulingStrategy(node_id, soft=False)``, all awaited together.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import sys
from collections.abc import Iterator

from curate._native import native

__all__ = ["HEAD_NODE_RESOURCE", "RayClusterAdapter", "ray_cluster_scope", "ray_is_initialized"]

HEAD_NODE_RESOURCE = "node:__internal_head__"


def ray_is_initialized() -> bool:
    """Return True when this process is connected to Ray (a driver or a Ray worker).

    Never imports Ray: a process that has not imported it is not connected.
    """
    ray = sys.modules.get("ray")
    return ray is not None and hasattr(ray, "is_initialized") and ray.is_initialized()


def _setup_on_node(name: str, description: str, python_stages: list) -> str:
    """Run ``setup_on_node`` of the described stage on the node Ray placed this task on."""
    import ray

    # vLLM forces spawn only inside actors; this is a task (as in NeMo Curator).
    os.environ.setdefault("VLLM_WORKER_MULTIPROC_METHOD", "spawn")
    node_id = ray.get_runtime_context().get_node_id()
    stage = native().described_stage(description, list(python_stages))
    try:
        stage.setup_on_node(node_id)
    except Exception as error:
        raise RuntimeError(f"{name} on node '{node_id}': {error}") from None
    return node_id


class RayClusterAdapter:
    """The alive Ray nodes and per-node work, for the engine's ``Cluster`` (C++ calls it).

    ``python_stages`` are the Python stage objects that the descriptions' documents name
    as ``{stage: python_stage, params: {index: i}}``; Ray ships them to the nodes.
    ``address`` is used by ``connect`` (a call made with ``init_and_shutdown``).
    """

    def __init__(self, python_stages: list | None = None, address: str | None = None) -> None:
        self._python_stages = list(python_stages or [])
        self._address = address
        self._connected_here = False

    # -- what the C++ Cluster asks -------------------------------------------------------
    def nodes(self) -> list[tuple[str, float, float, bool]]:
        """Return (node_id, cpus, gpus, is_head) of every alive node.

        CPUs and GPUs are the node's totals: curate, like NeMo Curator, assumes one
        pipeline has the whole cluster. GPUs are the logical GPUs the node declares.
        """
        import ray

        out = []
        for node in ray.nodes():
            if not node.get("Alive"):
                continue
            resources = node.get("Resources", {})
            out.append((node["NodeID"], float(resources.get("CPU", 0.0)),
                        float(resources.get("GPU", 0.0)), HEAD_NODE_RESOURCE in resources))
        return out

    def current_node_id(self) -> str:
        import ray

        return ray.get_runtime_context().get_node_id()

    def current_worker(self) -> tuple[str, str, tuple[float, float, list[int]] | None] | None:
        """Inside a Ray actor or task: (node id, worker id, allocation); None in a driver."""
        import ray

        context = ray.get_runtime_context()
        if context.worker.mode != ray.WORKER_MODE:
            return None
        allocation = None
        assigned = context.get_assigned_resources()
        if assigned:
            gpu_ids = [int(i) for i in ray.get_gpu_ids() if str(i).isdigit()]
            allocation = (float(assigned.get("CPU", 0.0)), float(assigned.get("GPU", 0.0)),
                          gpu_ids)
        return context.get_node_id(), context.get_worker_id(), allocation

    def run_work_on_each_node(self, node_ids: list[str],
                              works: list[tuple[str, str, float, float]]) -> list[str | None]:
        """Run every described work on every node, all pairs at once; one outcome per node.

        Only stage setups are described today (``{"document", "index"|"entry"}``).
        """
        import ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        cpus_of = {node_id: cpus for node_id, cpus, _, _ in self.nodes()}
        remote = ray.remote(_setup_on_node)
        # Put once, passed by reference: Ray hands every task the unpickled list.
        python_stages = ray.put(self._python_stages)
        pending: dict = {}
        for node_id in node_ids:
            for name, description, cpus, gpus in works:
                # A node smaller than the stage's request would never run the task.
                options = {"num_cpus": min(cpus, cpus_of.get(node_id, cpus)), "num_gpus": gpus,
                           "scheduling_strategy": NodeAffinitySchedulingStrategy(node_id,
                                                                                soft=False)}
                ref = remote.options(**options).remote(name, description, python_stages)
                pending[ref] = (node_id, name)
        failures: dict[str, list[str]] = {node_id: [] for node_id in node_ids}
        refs = list(pending)
        # One wait for all (as one ray.get), then each failure named by stage and node.
        if refs:
            ray.wait(refs, num_returns=len(refs))
        for ref in refs:
            node_id, name = pending[ref]
            try:
                ray.get(ref)
            except ray.exceptions.RayError as error:
                cause = getattr(error, "cause", None) or error
                message = str(cause)
                if not message.startswith(name):
                    message = f"{name} on node '{node_id}': {message}"
                failures[node_id].append(message)
        return ["; ".join(failures[node_id]) or None for node_id in node_ids]

    def is_connected(self) -> bool:
        return ray_is_initialized()

    def connect(self) -> None:
        """``ray.init(ignore_reinit_error=True)`` (``address``, else RAY_ADDRESS, else a
        cluster found on this machine or a new local one), as NeMo Curator does."""
        import ray

        ray.init(address=self._address, ignore_reinit_error=True, include_dashboard=False,
                 logging_level=logging.WARNING)
        self._connected_here = True

    def disconnect(self) -> None:
        import ray

        if self._connected_here:
            self._connected_here = False
            ray.shutdown()


@contextlib.contextmanager
def ray_cluster_scope(python_stages: list | None = None, *,
                      init_and_shutdown: bool = False) -> Iterator[bool]:
    """Make the Ray cluster the engine's current cluster for the ``with`` block.

    Active when Ray is initialised in this process, or when ``init_and_shutdown`` is asked
    and Ray is installed (the engine then connects for the call and disconnects after).
    Yields whether it is active; otherwise the current cluster stays as it was.
    """
    active = ray_is_initialized() or (
        init_and_shutdown and importlib.util.find_spec("ray") is not None)
    if not active:
        yield False
        return
    if init_and_shutdown:
        import ray  # noqa: F401 - the adapter's connect needs it imported
    scope = native().ClusterAdapterScope(RayClusterAdapter(python_stages))
    try:
        yield True
    finally:
        scope.close()

