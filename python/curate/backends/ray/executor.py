"""RayExecutor: every stage a pool of Ray actors, batches streamed through the object store."""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass

from curate._native import native
from curate.backends.base import BaseExecutor
from curate.backends.local import pipeline_document
from curate.backends.ray._actors import DocumentStage, ShippedStage, order_index
from curate.backends.ray._pool import TaskPool
from curate.backends.utils import merge_executor_configs, warn_on_env_var_override
from curate.tasks import _unwrap, _wrap

__all__ = ["RayExecutor"]

_log = logging.getLogger("curate.ray")
_HEAD_RESOURCE = "node:__internal_head__"
# How many finished bundles may wait before a stage, per actor of that stage, before the
# stage upstream of it gets no more work: the driver holds references, never the data.
_QUEUED_PER_ACTOR = 2
_TEARDOWN_TIMEOUT_S = 60.0
# How many objects the outputs of one call of a fan-out stage are spread over, so that
# they reach many downstream actors at once and no object holds a whole fan-out.
_FANOUT_SLOTS = 16


def _require_ray():
    try:
        import ray
    except ImportError as error:
        raise ImportError("RayExecutor needs Ray: install it with `pip install 'curate[ray]'`") \
            from error
    return ray


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
        sources = [DocumentStage(document, python_stages, i) for i in range(len(built))]
        return [_wrap(task) for task in self._run(ray, built, sources, first, seeds, False)]

    def _execute_native(self, stages: list, initial_tasks: list) -> list:
        """Run built engine stages (NativeStage) over NativeTasks; return NativeTasks.

        Called by the engine's Python-executor bridge, so the C++ workflows (exact and
        fuzzy deduplication) run their phases on Ray. Every actor gets its stage by
        pickling (the stage's description); each actor's counters are merged into
        ``stages`` at teardown, so the caller reads the run's counters from its own stages.
        """
        ray = _require_ray()
        sources = [ShippedStage(stage) for stage in stages]
        seeds = list(initial_tasks) or [native().NativeEmptyTask("empty", "")]
        return self._run(ray, list(stages), sources, 0, seeds, True)

    def _run(self, ray, built: list, sources: list, first: int, seeds: list,
             merge_counters: bool) -> list:
        """Run stages ``built[first:]`` (each actor builds its own from ``sources``) over
        the NativeTasks ``seeds``; return the last stage's NativeTasks, in key order."""
        started = not ray.is_initialized()
        if started:
            # "local" starts a Ray of our own rather than joining one found on this machine.
            address = self.config.get("address") or os.environ.get("RAY_ADDRESS") or "local"
            ray.init(address=address, ignore_reinit_error=True, include_dashboard=False,
                     logging_level=logging.WARNING)
        pools: list[TaskPool] = []
        plan: list = []
        try:
            nodes = self._nodes(ray)
            plan = self._plan(built, first, nodes)
            self._setup_on_nodes(ray, sources, built, first, nodes)
            self._create_pools(ray, sources, built, nodes, plan, pools)
            return self._stream(ray, pools, [(order_index(i), native().task_to_bytes(t))
                                             for i, t in enumerate(seeds)])
        finally:
            self._teardown(ray, pools, [built[i] for i, _, _ in plan] if merge_counters and
                           len(pools) == len(plan) else None)
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
            nodes = [n for n in nodes if _HEAD_RESOURCE not in n.get("Resources", {})]
        if not nodes:
            raise RuntimeError("RayExecutor: no alive Ray node may run stages "
                               "(ignore_head_node leaves none); add worker nodes")
        return nodes

    def _setup_on_nodes(self, ray, sources, built, first, nodes) -> None:
        """Run setup_on_node once per (stage, node), all at once, awaited by one ray.get."""
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        from curate.backends.ray._actors import setup_on_node

        remote = ray.remote(setup_on_node)
        refs = []
        for index in range(first, len(built)):
            stage = built[index]
            for node in nodes:
                # A node smaller than the stage's request would never run the task.
                cpus = min(stage.cpus, node.get("Resources", {}).get("CPU", 0.0))
                refs.append(remote.options(
                    num_cpus=cpus, num_gpus=stage.gpus,
                    scheduling_strategy=NodeAffinitySchedulingStrategy(node["NodeID"], soft=False),
                ).remote(sources[index]))
        _get_naming_stage(ray, refs)

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
        gpus_there = sum(n.get("Resources", {}).get("GPU", 0.0) for n in nodes)
        if gpus_needed > gpus_there:
            raise RuntimeError(f"Need {gpus_needed:g} GPUs but cluster has {gpus_there:g} "
                               "available.")
        return plan

    def _create_pools(self, ray, sources, built, nodes, plan, pools: list[TaskPool]) -> None:
        """Create every stage's actors into ``pools``, then set them all up together.

        Pools are appended before any setup is awaited, so teardown reaches every actor.
        Shuffle and gang stages get their own kinds of pool (``_shuffle``, ``_gang``).
        """
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        setups, placed = [], 0
        for index, cpus, count in plan:
            stage = built[index]
            actors: list = []
            actor_class, pool = _stage_pool(ray, stage, actors, count)
            pools.append(pool)
            for _ in range(count):
                options = self._actor_options(stage, cpus)
                if self.ignore_head_node and "scheduling_strategy" not in options:
                    # Keep actors off the head too, not only its setup (NeMo Curator #1218).
                    node = nodes[placed % len(nodes)]
                    placed += 1
                    options["scheduling_strategy"] = NodeAffinitySchedulingStrategy(
                        node["NodeID"], soft=False)
                actor = actor_class.options(**options).remote(sources[index])
                actors.append(actor)
            setups += pool.setup_calls()
            pool.idle.extend(actors)
        _get_naming_stage(ray, setups)

    def _stream(self, ray, pools: list[TaskPool], seeds: list[tuple[bytes, bytes]]) -> list:
        """Move bundles from pool to pool until every stage is done; return the outputs.

        Outputs come back in the order of their keys: the order the LocalExecutor gives.
        """
        pools[0].queued.append(ray.put(seeds))
        in_flight: dict = {}  # watched reference -> (pool index, Call)
        finished: list = []
        while True:
            # A stage's input is complete once every stage before it is done.
            upstream_done, before = [], True
            for pool in pools:
                upstream_done.append(before)
                before = before and pool.done(upstream_done[-1])
            if before:
                break
            # Downstream first, and a stage upstream of a full queue waits: bounded work.
            for i in reversed(range(len(pools))):
                blocked = i + 1 < len(pools) and len(pools[i + 1].queued) >= \
                    _QUEUED_PER_ACTOR * len(pools[i + 1].actors)
                for call in pools[i].dispatch(upstream_done[i], blocked):
                    in_flight[call.ref] = (i, call)
            if not in_flight:
                raise RuntimeError("RayExecutor: no stage can make progress although the run "
                                   "is not done (an executor bug; please report it)")
            ready, _ = ray.wait(list(in_flight), num_returns=1)
            for ref in ready:
                i, call = in_flight.pop(ref)
                try:
                    value = ray.get(ref)
                except ray.exceptions.RayError as error:
                    where = pools[i].name + pools[i].where(call)
                    raise RuntimeError(f"RayExecutor: {_describe(error, where)}") from None
                produced = pools[i].complete(call, value)
                if i + 1 < len(pools):
                    pools[i + 1].queued.extend(produced)
                else:
                    finished.extend(produced)
        pairs = [pair for bundle_ref in finished for pair in ray.get(bundle_ref)]
        pairs.sort(key=lambda pair: pair[0])
        return [native().task_from_bytes(blob) for _, blob in pairs]

    def _teardown(self, ray, pools: list[TaskPool], counters_into: list | None = None) -> None:
        """Tear down and kill every actor created, whether or not the run succeeded.

        Gangs are aborted first, so no member waits in a collective instead of tearing down.
        With ``counters_into`` (one stage object per pool), each actor's counters are
        merged into its pool's stage.
        """
        for pool in pools:
            pool.abort("the run ended")
        owners = [i for i, pool in enumerate(pools) for _ in pool.actors]
        actors = [actor for pool in pools for actor in pool.actors]
        refs = [actor.teardown.remote() for actor in actors]
        if refs:
            _, pending = ray.wait(refs, num_returns=len(refs), timeout=_TEARDOWN_TIMEOUT_S)
            for owner, ref in zip(owners, refs):
                if ref in pending:
                    continue
                try:
                    counters = ray.get(ref)
                except ray.exceptions.RayError as error:
                    _log.warning("RayExecutor: a teardown failed: %s", error)
                    continue
                if counters_into is not None and counters is not None:
                    counters_into[owner].merge_counters(counters)
        for actor in actors + [helper for pool in pools for helper in pool.helpers]:
            ray.kill(actor)


def _stage_pool(ray, stage, actors: list, count: int):
    """Return (Ray actor class, pool) for ``stage``: a task, shuffle or gang stage."""
    kind = native().stage_kind(stage)
    if kind == "shuffle":
        from curate.backends.ray._shuffle import ShuffleActor, shuffle_pool

        return ray.remote(ShuffleActor), shuffle_pool(stage, actors)
    if kind == "gang":
        from curate.backends.ray._gang import GangActor, gang_pool

        return ray.remote(GangActor), gang_pool(ray, stage, actors, count)
    import json

    from curate.backends.ray._actors import StageActor

    fanout = json.loads(stage.spec_json()).get("is_fanout_stage", False)
    return ray.remote(StageActor), TaskPool(stage.name, actors, _FANOUT_SLOTS if fanout else 1)


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
