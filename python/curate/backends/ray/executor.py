"""RayExecutor: every stage a pool of Ray actors, batches streamed through the object store.

The driver's parts live beside this file: ``_plan`` (how many actors each stage gets and
where), ``_pool`` / ``_shuffle`` / ``_gang`` (the driver's view of a task, shuffle or
gang stage), ``_workers`` (one actor, its work, a call), ``_actors`` (what runs in the
actors), ``_record`` (stats, progress, resume) and ``_cluster`` (the seed API on Ray).
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass

from curate._native import native
from curate.backends.base import BaseExecutor
from curate.backends.local import _engine_log_level, pipeline_document
from curate.backends.ray._actors import (DocumentStage, ShippedStage, StageChain, order_index,
                                         out_of_band)
from curate.backends.ray._cluster import HEAD_NODE_RESOURCE, ray_cluster_scope
from curate.backends.ray._plan import StagePlan, plan_pools
from curate.backends.ray._pool import TaskPool
from curate.backends.ray._record import RunRecord
from curate.backends.ray._workers import Call, Work, Worker
from curate.backends.utils import register_loguru_serializer
from curate.tasks import _unwrap, _wrap

__all__ = ["RayExecutor"]

_log = logging.getLogger("curate.ray")
# How many finished bundles may wait before a stage, per actor of that stage, before the
# stage upstream of it gets no more work: the driver holds references, never the data.
_QUEUED_PER_ACTOR = 2
_TEARDOWN_TIMEOUT_S = 60.0
# The bundles one call's outputs are cut into, at least (more when the next stage has more
# actors).
_MAX_PARTS = 16


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
    each stage's own ``ray_remote_args``; ``max_restarts`` there lets a killed actor be
    restarted and its work redone), ``log_dir`` (a folder as ``curate run --log-dir``
    keeps it: stats.json written at the end of every run, failed or not, and completion
    markers that make a rerun skip the source tasks a failed run finished), ``overwrite``
    (with ``log_dir``: forget earlier markers), ``progress_interval_s`` (seconds between
    progress lines logged on ``curate.ray`` at INFO; 0: none; default 10),
    ``fuse_task_stages`` (default true: consecutive task stages that ask alike run in one
    actor, as the LocalExecutor fuses them; see ``_plan``) and ``log_level`` (the actors'
    engine level; default: ``logging.getLogger("curate")``'s).
    When Ray is already initialised in this process the executor uses that connection
    and leaves it open. ``last_run_stats`` holds the stats of the latest run.

    Stages run as task, shuffle or gang pools (``native().stage_kind``); outputs come
    back in the LocalExecutor's order whatever the worker counts. The life-cycle options
    (``max_calls_per_worker``, ``max_restarts``) apply by kind: see ``_plan``.
    """

    _takes_pipeline_name = True  # Pipeline.run passes its name and description

    def __post_init__(self) -> None:
        super().__post_init__()
        self.last_run_stats: dict | None = None

    def execute(self, stages: list, initial_tasks: list | None = None, *,
                _pipeline_name: str = "pipeline", _description: str | None = None) -> list:
        """Run ``stages`` (built) over ``initial_tasks``; return the last stage's outputs.

        A stage that raises fails the run with RuntimeError naming stage, task and node; an
        actor whose process dies fails it naming stage, actor and node unless its options
        allow restarts; every actor is torn down and killed whatever happens, and a Ray
        the executor started is shut down.
        """
        ray = _require_ray()
        document, python_stages = pipeline_document(
            _pipeline_name, _description, stages, {"type": "local"},
            seeded=initial_tasks is not None)
        if self.config.get("log_dir"):
            # As `curate run --log-dir`: readers append bad records to its errors.jsonl.
            document = native().document_with_log_dir(document, str(self.config["log_dir"]))
        built = native().build_stages(document, python_stages)
        first = 1 if initial_tasks is not None else 0  # skip the initial_tasks entry
        seeds = [native().NativeEmptyTask("empty", "")] if initial_tasks is None else [
            self._seed(task) for task in initial_tasks]
        sources = [DocumentStage(document, python_stages, i) for i in range(len(built))]

        def prepare() -> None:  # a writer's output folder (overwrite clears it)
            for stage in stages:
                if getattr(stage, "_prepare", None) is not None:
                    stage._prepare()

        return [_wrap(task) for task in self._run(ray, built, sources, first, seeds,
                                                  document, _pipeline_name, prepare)]

    def _execute_native(self, stages: list, initial_tasks: list) -> list:
        """Run built engine stages (NativeStage) over NativeTasks; return NativeTasks.

        Called by the engine's Python-executor bridge, so the C++ workflows (exact and
        fuzzy deduplication) run their phases on Ray. Every actor gets its stage by
        pickling (the stage's description); each actor's counters are merged into
        ``stages`` at the end (a recycled or lost actor's too), so the caller reads the
        run's counters from its own stages. Such a run keeps no log folder (the workflow writes
        its own outputs); ``last_run_stats`` holds its stats.
        """
        ray = _require_ray()
        sources = [ShippedStage(stage) for stage in stages]
        seeds = list(initial_tasks) or [native().NativeEmptyTask("empty", "")]
        return self._run(ray, list(stages), sources, 0, seeds, None, "workflow")

    def _run(self, ray, built: list, sources: list, first: int, seeds: list,
             document: str | None, pipeline_name: str, prepare=None) -> list:
        """Run stages ``built[first:]`` (each actor builds its own from ``sources``) over
        the NativeTasks ``seeds``; return the last stage's NativeTasks, in key order.

        ``document`` is the pipeline's (None for shipped engine stages). ``prepare`` (the
        writers' output folders) is called before any stage is set up. Every actor's stage
        counters are merged back into ``built`` (see ``_merge_worker_counters``).
        """
        started = not ray.is_initialized()
        if started:
            # "local" starts a Ray of our own rather than joining one found on this machine.
            address = self.config.get("address") or os.environ.get("RAY_ADDRESS") or "local"
            ray.init(address=address, ignore_reinit_error=True, include_dashboard=False,
                     logging_level=logging.WARNING)
        pools: list[TaskPool] = []
        counters_into: list = []
        record = None
        error = ""
        try:
            register_loguru_serializer()
            nodes = self._nodes(ray)
            plans = plan_pools(built, first, nodes,
                               dict(self.config.get("ray_remote_args") or {}),
                               self.ignore_head_node, self._fuses(), len(seeds) == 1)
            # Each actor's counters (a reader's bad records, a workflow stage's figures)
            # are merged into the driver's stages, one per stage of its pool.
            counters_into = [[built[i] for i in plan.indices] for plan in plans]
            # The record has a row per stage, fused or not, as the LocalExecutor's.
            record = RunRecord([name for p in plans for name in p.names],
                               [p.workers for p in plans for _ in p.indices],
                               len(seeds), self.config.get("progress_interval_s", 10.0))
            settings = self._record_settings(document, built, first, record)
            sets_up_nodes = any(stage.sets_up_nodes for stage in built[first:])
            if sets_up_nodes:
                # Node setup comes before any actor, whose CPUs its tasks may need.
                if prepare is not None:
                    prepare()
                self._setup_on_nodes(sources, first)
            # Otherwise the actors' processes start while the driver prepares.
            self._create_pools(ray, sources, built, plans, settings, pools,
                               None if sets_up_nodes else prepare)
            keyed = [(order_index(i), out_of_band(native().task_to_bytes(task)))
                     for i, task in enumerate(seeds)]
            return self._stream(ray, pools, keyed, record, sources, settings, counters_into)
        except BaseException as failure:
            error = str(failure) or type(failure).__name__
            raise
        finally:
            try:
                self._teardown(ray, pools, counters_into)
            finally:
                if started:
                    ray.shutdown()
                if record is not None:
                    self._finish_record(record, error, pipeline_name, document is not None,
                                        built)

    # -- the run's record ---------------------------------------------------------------
    def _record_settings(self, document: str | None, built, first: int,
                         record: RunRecord) -> dict:
        """Return what every actor is given; with ``log_dir``, get the folder and resume ready.

        As ``curate run``: a rerun resumes only a pipeline whose source tasks are its first
        stage's outputs (no initial tasks) and that the engine finds resumable.
        """
        level = self.config.get("log_level") or _engine_log_level()
        settings = {"log_level": level, "markers_dir": None, "resume_index": None}
        log_dir = self.config.get("log_dir")
        if not log_dir or document is None:
            return settings
        markers, record.fingerprint = native().prepare_run_log(
            str(log_dir), document, bool(self.config.get("overwrite", False)))
        if first != 0:
            return settings
        record.ledger = native().CompletionLedger(markers)
        tracked, record.resumable = native().add_resume_tracking(list(built), record.ledger)
        record.completion = tracked[-1]
        if record.resumable:
            settings.update(markers_dir=markers, resume_index=1)
            if record.ledger.previously_completed:
                _log.info("RayExecutor: resuming: %d source tasks already complete (markers "
                          "in %s); overwrite=True starts over",
                          record.ledger.previously_completed, markers)
        return settings

    def _finish_record(self, record: RunRecord, error: str, pipeline_name: str,
                       keeps_log: bool, built: list) -> None:
        """Keep the stats in ``last_run_stats``, log the table, write stats.json if asked
        (with the bad records the readers among ``built`` counted, their actors' merged)."""
        stats = record.stats(succeeded=not error, error=error)
        self.last_run_stats = stats
        _log.info("RayExecutor run:\n%s", record.table(stats))
        log_dir = self.config.get("log_dir")
        if not log_dir or not keeps_log:
            return
        bad_records = json.loads(native().bad_records_section(list(built), str(log_dir)))
        document = record.log_record(stats, str(log_dir), record.fingerprint, dict(self.config),
                                     bad_records)
        document["pipeline"] = pipeline_name
        try:
            path = native().write_run_stats(str(log_dir), json.dumps(document, default=str))
            _log.info("RayExecutor: stats in %s", path)
        except Exception as failure:  # the run's own error matters more
            _log.warning("RayExecutor: cannot write stats.json in %s: %s", log_dir, failure)

    def _fuses(self) -> bool:
        fuse = self.config.get("fuse_task_stages", True)
        if not isinstance(fuse, bool):
            raise ValueError(f"RayExecutor config: 'fuse_task_stages' must be true or false, "
                             f"got {fuse!r}")
        return fuse

    @staticmethod
    def _seed(task):
        handle = _unwrap(task)
        if getattr(task, "task_id", ""):
            handle.task_id = task.task_id
        return handle

    # -- nodes and actors ---------------------------------------------------------------
    def _nodes(self, ray) -> list[dict]:
        """Return the alive nodes that may run stages (not the head with ignore_head_node)."""
        nodes = [n for n in ray.nodes() if n.get("Alive")]
        if self.ignore_head_node:
            nodes = [n for n in nodes if HEAD_NODE_RESOURCE not in n.get("Resources", {})]
        if not nodes:
            raise RuntimeError("RayExecutor: no alive Ray node may run stages "
                               "(ignore_head_node leaves none); add worker nodes")
        return nodes

    def _setup_on_nodes(self, sources: list, first: int) -> None:
        """Run setup_on_node once per (stage, alive node), all at once: the seed API's
        ``execute_setup_on_node`` acting on the Ray cluster (one pinned task per pair)."""
        if isinstance(sources[first] if first < len(sources) else None, ShippedStage):
            stages = [source.stage for source in sources[first:]]
            with ray_cluster_scope(stages):
                native().execute_setup_on_shipped_stages(stages, self.ignore_head_node)
            return
        document, python_stages = sources[0].document, sources[0].python_stages
        with ray_cluster_scope(python_stages):
            native().execute_setup_on_built_stages(document, python_stages, first,
                                                   self.ignore_head_node)

    def _create_pools(self, ray, sources, built, plans: list[StagePlan], settings: dict,
                      pools: list[TaskPool], before_setup=None) -> None:
        """Create every stage's actors into ``pools``, call ``before_setup`` (if any) while
        their processes start, then set them all up together.

        Pools are appended before any setup is awaited, so teardown reaches every actor.
        """
        for plan in plans:
            pool = _stage_pool(ray, built[plan.index], plan)
            pools.append(pool)
            for node_id in plan.nodes or [None] * plan.workers:
                self._new_worker(ray, sources, pool, node_id, settings)
        for i, pool in enumerate(pools):
            # Outputs are cut into bundles for the next stage's actors to share and to
            # start on early (a reader's files one by one).
            pool.parts = max(len(pools[i + 1].workers), _MAX_PARTS) if i + 1 < len(pools) else 1
            pool.own_parts = max(len(pool.workers), _MAX_PARTS)
        if before_setup is not None:
            before_setup()
        _get_naming_stage(ray, [ref for pool in pools for ref in pool.setup_calls()])

    def _new_worker(self, ray, sources, pool: TaskPool, node_id, settings: dict) -> Worker:
        """Create one actor of ``pool`` on ``node_id`` (the plan's placement) and add it."""
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        plan = pool.plan
        options = {"num_cpus": plan.cpus, "num_gpus": plan.gpus, **plan.options}
        if node_id is not None and "scheduling_strategy" not in options:
            # The plan packed the actors onto nodes; off the head it must stay (#1218).
            options["scheduling_strategy"] = NodeAffinitySchedulingStrategy(
                node_id, soft=not self.ignore_head_node)
        ordinal = pool.made
        pool.made += 1
        actor_settings = {**settings, "worker": f"{plan.name}-{ordinal}", "ordinal": ordinal}
        source = StageChain([sources[i] for i in plan.indices])
        handle = pool.actor_class.options(**options).remote(source, actor_settings)
        worker = Worker(handle, ordinal, node_id)
        pool.add(worker)
        return worker

    # -- the stream ---------------------------------------------------------------------
    def _stream(self, ray, pools: list[TaskPool], seeds: list, record: RunRecord,
                sources: list, settings: dict, counters_into: list | None) -> list:
        """Move bundles from pool to pool until every stage is done; return the outputs.

        ``in_flight`` maps each reference awaited to what it is: a pool's call (its report
        reference; the outputs travel on to the next stage as references), a setup of a
        replacement actor, or the teardown of a retired one (killed once it returns).
        Outputs come back in the order of their keys: the order the LocalExecutor gives.
        """
        # Initial tasks go out as bundles too, so the first stage's actors share them and
        # the next stage starts on the first results (one seed, for a source stage).
        cuts = max(1, min(len(seeds), max(len(pools[0].workers), _MAX_PARTS)))
        for k in range(cuts):
            part = seeds[len(seeds) * k // cuts:len(seeds) * (k + 1) // cuts]
            pools[0].queued.append(Work(ray.put(part), 0, len(part),
                                        alone=pools[0].plan.seeded))
        in_flight: dict = {}
        finished: list = []  # (key, task) of the last stage's outputs
        rows = _record_rows(pools)
        while True:
            # A stage's input is complete once every stage before it is done.
            upstream_done, before = [], True
            for pool in pools:
                upstream_done.append(before)
                before = before and pool.done(upstream_done[-1])
            if before and not in_flight:
                break
            # Downstream first, and a stage upstream of a full queue waits: bounded work.
            for i in reversed(range(len(pools))):
                blocked = i + 1 < len(pools) and len(pools[i + 1].queued) >= \
                    _QUEUED_PER_ACTOR * len(pools[i + 1].workers)
                for call in pools[i].dispatch(upstream_done[i], blocked):
                    in_flight[call.ref] = ("call", i, call)
            record.progress(_queue_depths(pools))
            if not in_flight:
                raise RuntimeError("RayExecutor: no stage can make progress although the run "
                                   "is not done (an executor bug; please report it)")
            ready, _ = ray.wait(list(in_flight), num_returns=1, timeout=record.wait_s())
            for ref in ready:
                kind, i, item = in_flight.pop(ref)
                pool = pools[i]
                if kind == "teardown":
                    self._await_teardown(ray, ref, pool, item, counters_into, i)
                    continue
                if kind == "setup":
                    _get_or_fail(ray, ref, pool, item)
                    continue
                call: Call = item
                try:
                    report = ray.get(ref)
                except ray.exceptions.RayActorError as error:
                    self._lost(pool, call, error)
                    continue
                except ray.exceptions.RayError as error:
                    where = pool.name + pool.where(call)
                    raise RuntimeError(f"RayExecutor: {_describe(error, where)}") from None
                for row, stage_report in zip(rows[i][report["entry"]:],
                                             report.get("chain") or [report]):
                    record.add(row, stage_report)
                # What this process counted so far: survives it, should it die.
                call.worker.counters[report["pid"]] = report["counters"]
                works = pool.complete(call, report)
                if pool.spent(call.worker):
                    self._recycle(ray, sources, pool, call.worker, in_flight, i, settings)
                if i + 1 < len(pools):
                    pools[i + 1].queued.extend(works)
                    continue
                for work in works:
                    pairs = ray.get(work.bundle)
                    tasks = [native().task_from_bytes(blob) for _, blob in pairs]
                    record.complete(tasks)
                    finished.extend(zip((key for key, _ in pairs), tasks))
        record.progress([0] * len(record.stages), force=True)
        finished.sort(key=lambda pair: pair[0])
        return [task for _, task in finished]

    def _lost(self, pool: TaskPool, call: Call, error) -> None:
        """Handle a call whose actor died: queue its work again, or fail the run.

        The counters the dead process last reported stay with its worker (by process id),
        merged at the end with those of the process that replaced it.
        """
        import ray

        worker = call.worker
        if isinstance(error, ray.exceptions.ActorUnavailableError) and pool.plan.kind != "gang":
            # Not a death notice: the actor is unreachable or restarting (one death fails
            # every call sent to it meanwhile, each with this error). Its work is queued
            # again; Ray answers ActorDiedError once the actor is gone for good.
            time.sleep(0.1)  # rather than resend to a restarting actor in a tight loop
        else:
            worker.deaths += 1
        reason = str(getattr(error, "error_msg", "") or error).strip().splitlines()
        reason = reason[0] if reason else type(error).__name__
        where = worker.describe(pool.name) + pool.where(call)
        if not pool.may_restart(worker):
            restarts = pool.plan.max_restarts
            hint = (f"it was restarted {restarts} times (max_restarts)" if restarts else
                    "set the stage's ray_remote_args max_restarts to retry its work on a "
                    "restarted actor")
            if pool.plan.kind == "gang":
                hint = "a gang member cannot be restarted (the gang's state died with it)"
            raise RuntimeError(f"RayExecutor: {_stage_label(pool)} lost {where}: the actor's "
                               f"process died ({reason}); {hint}") from None
        if not pool.lost(call):
            raise RuntimeError(f"RayExecutor: {_stage_label(pool)} lost {where}: the actor's "
                               f"process died ({reason}); its work cannot be redone") from None
        _log.warning("RayExecutor: %s lost %s (%s); Ray restarts it, its work is "
                     "queued again", _stage_label(pool), where, reason)

    def _recycle(self, ray, sources, pool: TaskPool, worker: Worker, in_flight: dict, i: int,
                 settings: dict) -> None:
        """Retire ``worker`` (max_calls_per_worker reached) and start a fresh actor."""
        pool.remove(worker)
        in_flight[worker.handle.teardown.remote()] = ("teardown", i, worker)
        fresh = self._new_worker(ray, sources, pool, worker.node_id, settings)
        in_flight[fresh.handle.setup.remote()] = ("setup", i, fresh)

    def _await_teardown(self, ray, ref, pool: TaskPool, worker: Worker,
                        counters_into: list, i: int) -> None:
        """Kill a retired actor once its teardown returned (a failed teardown fails the run);
        merge its counters into the stage when asked."""
        try:
            _merge_worker_counters(counters_into[i], worker, _get_or_fail(ray, ref, pool, worker))
        finally:
            ray.kill(worker.handle)

    def _teardown(self, ray, pools: list[TaskPool], counters_into: list) -> None:
        """Tear down and kill every actor created, whether or not the run succeeded.

        Gangs are aborted first, so no member waits in a collective instead of tearing down.
        Each actor's counters are merged into its pool's stages in ``counters_into``:
        those its teardown returns, else (it died or did not answer) those it last
        reported, and those of any earlier process of it that died.
        """
        for pool in pools:
            pool.abort("the run ended")
        owners = [i for i, pool in enumerate(pools) for _ in pool.workers]
        workers = [worker for pool in pools for worker in pool.workers]
        actors = [worker.handle for worker in workers]
        refs = [actor.teardown.remote() for actor in actors]
        if refs:
            _, pending = ray.wait(refs, num_returns=len(refs), timeout=_TEARDOWN_TIMEOUT_S)
            for owner, worker, ref in zip(owners, workers, refs):
                final = None
                if ref not in pending:
                    try:
                        final = ray.get(ref)
                    except ray.exceptions.RayError as error:
                        _log.warning("RayExecutor: a teardown failed: %s", error)
                _merge_worker_counters(counters_into[owner], worker, final)
        for actor in actors + [helper for pool in pools for helper in pool.helpers]:
            ray.kill(actor)
        for pool in pools:
            for worker in pool.retired:
                ray.kill(worker.handle)  # killed already unless its teardown was pending


def _stage_label(pool: TaskPool) -> str:
    """Return how errors name a pool's stages: "stage 'x'", or "fused stages 'a+b'" for a
    chain whose stages one actor runs (a lost actor cannot be blamed on one of them)."""
    if len(pool.plan.indices) > 1:
        return f"fused stages '{pool.name}'"
    return f"stage '{pool.name}'"


def _record_rows(pools: list[TaskPool]) -> list[list[int]]:
    """Return, per pool, the rows of the run's record its stages have (one per stage)."""
    rows, row = [], 0
    for pool in pools:
        rows.append(list(range(row, row + len(pool.plan.indices))))
        row += len(pool.plan.indices)
    return rows


def _queue_depths(pools: list[TaskPool]) -> list[int]:
    """Return the queue depth of every stage: a pool's queued work is for the stage of
    its chain it enters at (the first, but in a seeded pool)."""
    return [sum(1 for work in pool.queued if work.entry == k) for pool in pools
            for k in range(len(pool.plan.indices))]


def _merge_worker_counters(stages: list, worker: Worker, final: dict | None) -> None:
    """Merge what ``worker``'s processes counted into the driver's ``stages`` (one per stage
    of its pool): for each process, its ``final`` counters (what its teardown returned:
    ``pid`` and ``counters``) if it has them, else the last it reported with a call (a
    process that died keeps its finished calls; its lost call was redone elsewhere)."""
    if final is not None:
        worker.counters[final["pid"]] = final["counters"]
    for counters in worker.counters.values():
        for stage, own in zip(stages, counters):
            if own is not None:
                stage.merge_counters(own)
    worker.counters.clear()


def _stage_pool(ray, stage, plan: StagePlan) -> TaskPool:
    """Return the (empty) pool of ``stage``: a task, shuffle or gang pool, its actor class
    in ``actor_class``."""
    if plan.kind == "shuffle":
        from curate.backends.ray._shuffle import ShuffleActor, shuffle_pool

        pool, actor = shuffle_pool(stage, plan), ShuffleActor
    elif plan.kind == "gang":
        from curate.backends.ray._gang import GangActor, gang_pool

        pool, actor = gang_pool(ray, stage, plan), GangActor
    else:
        from curate.backends.ray._actors import StageActor

        pool, actor = TaskPool(plan, max(1, stage.batch_size)), StageActor
    pool.actor_class = _remote_class(ray, actor)
    return pool


_REMOTE_CLASSES: dict = {}


def _remote_class(ray, actor: type):
    """Return the Ray actor class of ``actor``, made once per process: Ray exports a class
    to the cluster once, and again by itself after a new ``ray.init``."""
    if actor not in _REMOTE_CLASSES:
        _REMOTE_CLASSES[actor] = ray.remote(actor)
    return _REMOTE_CLASSES[actor]


def _get_or_fail(ray, ref, pool: TaskPool, worker: Worker):
    """Await a setup or teardown call; return its value; a failure raises RuntimeError
    naming the stage."""
    try:
        return ray.get(ref)
    except ray.exceptions.RayActorError as error:
        raise RuntimeError(f"RayExecutor: {_stage_label(pool)} lost {worker.describe(pool.name)}"
                           f": {error}") from None
    except ray.exceptions.RayError as error:
        raise RuntimeError(f"RayExecutor: {_describe(error, pool.name)}") from None


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
