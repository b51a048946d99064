"""RayExecutor: every stage a pool of Ray actors, batches streamed through the object store."""

from __future__ import annotations

import collections
import logging
import math
import os
from dataclasses import dataclass

from curate._native import native
from curate.backends.base import BaseExecutor
from curate.backends.local import pipeline_document
from curate.backends.ray._cluster import HEAD_NODE_RESOURCE, ray_cluster_scope
from curate.backends.utils import (check_total_gpu_capacity, merge_executor_configs,
                                   register_loguru_serializer, warn_on_env_var_override)
from curate.tasks import _unwrap, _wrap

__all__ = ["RayExecutor"]

_log = logging.getLogger("curate.ray")
# How many finished bundles may wait before a stage, per actor of that stage, before the
# stage upstream of it gets no more work: the driver holds references, never the data.
_QUEUED_PER_ACTOR = 2
_TEARDOWN_TIMEOUT_S = 60.0


def _require_ray():
    try:
        import ray
    except ImportError as error:
        raise ImportError("RayExecutor needs Ray: install it with `pip install 'curate[ray]'`") \
            from error
    return ray


@dataclass
class _Pool:
    """The actors of one stage, and the work waiting for them."""

    name: str
    actors: list
    idle: collections.deque
    queued: collections.deque  # references to bundles (lists of serialised tasks)


@dataclass
class RayExecutor(BaseExecutor):
    """Run every stage as a pool of Ray actors, each holding its own stage instance.

    ``config`` keys: ``address`` (else ``RAY_ADDRESS``, else a local Ray started and
    stopped by ``execute``), ``ray_remote_args`` (actor options for every stage, under
    each stage's own ``ray_remote_args``). When Ray is already initialised in this process
    the executor uses that connection and leaves it open.
    """

    def execute(self, stages: list, initial_tasks: list | None = None) -> list:
        """Run ``stages`` (built) over ``initial_tasks``; return the last stage's outputs.

        A stage that raises fails the run with RuntimeError naming stage, task and node;
        every actor is torn down and killed whatever happens.
        """
        ray = _require_ray()
        for stage in stages:
            prepare = getattr(stage, "_prepare", None)
            if prepare is not None:
                prepare()
        document, python_stages = pipeline_document(
            "pipeline", None, stages, {"type": "local"}, seeded=initial_tasks is not None)
        built = native().build_stages(document, python_stages)
        first = 1 if initial_tasks is not None else 0  # skip the initial_tasks entry
        seeds = [native().NativeEmptyTask("empty", "")] if initial_tasks is None else [
            self._seed(task) for task in initial_tasks]

        started = not ray.is_initialized()
        if started:
            # "local" starts a Ray of our own rather than joining one found on this machine.
            address = self.config.get("address") or os.environ.get("RAY_ADDRESS") or "local"
            ray.init(address=address, ignore_reinit_error=True, include_dashboard=False,
                     logging_level=logging.WARNING)
        pools: list[_Pool] = []
        try:
            register_loguru_serializer()
            nodes = self._nodes(ray)
            plan = self._plan(built, first, nodes)
            # The seed API on the Ray cluster: one task per (stage, node), all at once.
            with ray_cluster_scope(python_stages):
                native().execute_setup_on_built_stages(document, python_stages, first,
                                                       self.ignore_head_node)
            self._create_pools(ray, document, python_stages, built, nodes, plan, pools)
            return self._stream(ray, pools, [native().task_to_bytes(t) for t in seeds])
        finally:
            self._teardown(ray, pools)
            if started:
                ray.shutdown()

    @staticmethod
    def _seed(task):
        handle = _unwrap(task)
        if getattr(task, "task_id", ""):
            handle.task_id = task.task_id
        return handle

    def _nodes(self, ray) -> list[dict]:
        """Return the alive nodes that may run stages (not the head with ignore_head_node)."""
        nodes = [n for n in ray.nodes() if n.get("Alive")]
        if self.ignore_head_node:
            nodes = [n for n in nodes if HEAD_NODE_RESOURCE not in n.get("Resources", {})]
        if not nodes:
            raise RuntimeError("RayExecutor: no alive Ray node may run stages "
                               "(ignore_head_node leaves none); add worker nodes")
        return nodes

    def _actor_options(self, stage, cpus: float) -> dict:
        """Return num_cpus/num_gpus from the stage's resources under the merged remote args."""
        import json

        base = dict(self.config.get("ray_remote_args") or {})
        own = json.loads(stage.spec_json()).get("ray_remote_args") or {}
        merged = merge_executor_configs(base, own)
        warn_on_env_var_override(base, merged)
        return {"num_cpus": cpus, "num_gpus": stage.gpus, **merged}

    def _plan(self, built, first, nodes) -> list[tuple[int, float, int]]:
        """Return (stage index, cpus per actor, actors) per stage; raise when GPUs are short.

        Called before any task or actor is made: Ray would wait forever for missing GPUs.
        """
        indices = list(range(first, len(built)))
        total_cpus = sum(n.get("Resources", {}).get("CPU", 0.0) for n in nodes)
        wanted = sum(built[i].cpus for i in indices)
        # Every stage needs one actor at once for batches to stream. When one each does not
        # fit, actors ask for at most a share of the smallest node that packs them all.
        cap = None
        if wanted > total_cpus:
            smallest = min(n.get("Resources", {}).get("CPU", 0.0) for n in nodes)
            cap = smallest / math.ceil(len(indices) / len(nodes))
            _log.warning("RayExecutor: one actor per stage needs %g CPUs but the nodes have %g; "
                         "each actor asks for at most %g CPUs", wanted, total_cpus, cap)
        plan = []
        for index in indices:
            stage = built[index]
            cpus = stage.cpus if cap is None else min(stage.cpus, cap)
            share = 1 if cap is not None or wanted <= 0 else max(1, int(total_cpus // wanted))
            count = stage.num_workers or share
            if index == first:
                count = stage.num_workers or 1  # it receives one bundle: the seeds
            plan.append((index, cpus, count))
        gpus_needed = sum(built[index].gpus * count for index, _, count in plan)
        # Setup tasks and actors would wait forever for GPUs the cluster lacks.
        check_total_gpu_capacity(math.ceil(gpus_needed), ignore_head_node=self.ignore_head_node)
        return plan

    def _create_pools(self, ray, document, python_stages, built, nodes, plan,
                      pools: list[_Pool]) -> None:
        """Create every stage's actors into ``pools``, then set them all up together.

        Pools are appended before any setup is awaited, so teardown reaches every actor.
        """
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        from curate.backends.ray._actors import StageActor

        actor_class = ray.remote(StageActor)
        setups, placed = [], 0
        for index, cpus, count in plan:
            stage = built[index]
            actors: list = []
            pools.append(_Pool(stage.name, actors, collections.deque(), collections.deque()))
            for _ in range(count):
                options = self._actor_options(stage, cpus)
                if self.ignore_head_node and "scheduling_strategy" not in options:
                    # Keep actors off the head too, not only its setup (NeMo Curator #1218).
                    node = nodes[placed % len(nodes)]
                    placed += 1
                    options["scheduling_strategy"] = NodeAffinitySchedulingStrategy(
                        node["NodeID"], soft=False)
                actor = actor_class.options(**options).remote(document, python_stages, index)
                actors.append(actor)
                setups.append(actor.setup.remote())
            pools[-1].idle.extend(actors)
        _get_naming_stage(ray, setups)

    def _stream(self, ray, pools: list[_Pool], seeds: list[bytes]) -> list:
        """Move bundles from pool to pool until every stage is idle; return the outputs."""
        pools[0].queued.append(ray.put(seeds))
        in_flight: dict = {}  # count reference -> (pool index, actor, bundle reference)
        finished: list = []
        while True:
            # Downstream first, and a stage upstream of a full queue waits: bounded work.
            for i in reversed(range(len(pools))):
                pool = pools[i]
                blocked = i + 1 < len(pools) and len(pools[i + 1].queued) >= \
                    _QUEUED_PER_ACTOR * len(pools[i + 1].actors)
                while pool.idle and pool.queued and not blocked:
                    actor = pool.idle.popleft()
                    count_ref, bundle_ref = actor.process.options(num_returns=2).remote(
                        pool.queued.popleft())
                    in_flight[count_ref] = (i, actor, bundle_ref)
            if not in_flight:
                break
            ready, _ = ray.wait(list(in_flight), num_returns=1)
            for count_ref in ready:
                i, actor, bundle_ref = in_flight.pop(count_ref)
                try:
                    count = ray.get(count_ref)
                except ray.exceptions.RayError as error:
                    raise RuntimeError(f"RayExecutor: {_describe(error, pools[i].name)}") from None
                pools[i].idle.append(actor)
                if count == 0:
                    continue
                if i + 1 < len(pools):
                    pools[i + 1].queued.append(bundle_ref)
                else:
                    finished.append(bundle_ref)
        outputs = []
        for bundle_ref in finished:
            outputs.extend(_wrap(native().task_from_bytes(blob)) for blob in ray.get(bundle_ref))
        return outputs

    def _teardown(self, ray, pools: list[_Pool]) -> None:
        """Tear down and kill every actor created, whether or not the run succeeded."""
        actors = [actor for pool in pools for actor in pool.actors]
        refs = [actor.teardown.remote() for actor in actors]
        if refs:
            _, pending = ray.wait(refs, num_returns=len(refs), timeout=_TEARDOWN_TIMEOUT_S)
            for ref in refs:
                if ref in pending:
                    continue
                try:
                    ray.get(ref)
                except ray.exceptions.RayError as error:
                    _log.warning("RayExecutor: a teardown failed: %s", error)
        for actor in actors:
            ray.kill(actor)


def _get_naming_stage(ray, refs: list) -> None:
    """Await ``refs`` (setup calls); a failure raises RuntimeError with the stage's message."""
    try:
        ray.get(refs)
    except ray.exceptions.RayError as error:
        raise RuntimeError(f"RayExecutor: {_describe(error, 'unknown')}") from None


def _describe(error, stage_name: str) -> str:
    """Return the message of a failed actor call: the stage's own, else Ray's, named."""
    cause = getattr(error, "cause", None)
    if isinstance(cause, RuntimeError) and str(cause).startswith("stage '"):
        return str(cause)
    return f"stage '{stage_name}' failed: {cause or error}"
