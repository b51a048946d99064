"""RayExecutor: every stage a pool of Ray actors, batches streamed through the object store."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass

from curate._native import native
from curate.backends.base import BaseExecutor
from curate.backends.local import _engine_log_level, pipeline_document
from curate.backends.ray._actors import _out_of_band
from curate.backends.ray._pool import plan_pools
from curate.backends.ray._record import RunRecord
from curate.backends.ray._workers import Pool, Work, Worker
from curate.tasks import _unwrap, _wrap

__all__ = ["RayExecutor"]

_log = logging.getLogger("curate.ray")
_HEAD_RESOURCE = "node:__internal_head__"
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
    progress lines logged on ``curate.ray`` at INFO; 0: none; default 10) and
    ``log_level`` (the actors' engine level; default: ``logging.getLogger("curate")``'s).
    When Ray is already initialised in this process the executor uses that connection
    and leaves it open. ``last_run_stats`` holds the stats of the latest run.
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
        for stage in stages:
            prepare = getattr(stage, "_prepare", None)
            if prepare is not None:
                prepare()
        document, python_stages = pipeline_document(
            _pipeline_name, _description, stages, {"type": "local"},
            seeded=initial_tasks is not None)
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
        pools: list[Pool] = []
        record = None
        error = ""
        try:
            nodes = self._nodes(ray)
            plan = plan_pools(ray, built, first, nodes,
                              dict(self.config.get("ray_remote_args") or {}),
                              self.ignore_head_node)
            record = RunRecord([p.name for p in plan], [p.workers for p in plan], len(seeds),
                               self.config.get("progress_interval_s", 10.0))
            settings = self._record_settings(document, built, first, record)
            self._setup_on_nodes(ray, document, python_stages, built, first, nodes)
            self._create_pools(ray, document, python_stages, built, plan, settings, pools)
            return self._stream(ray, pools, [_out_of_band(native().task_to_bytes(t))
                                             for t in seeds], record, settings)
        except BaseException as failure:
            error = str(failure) or type(failure).__name__
            raise
        finally:
            try:
                self._teardown(ray, pools)
            finally:
                if started:
                    ray.shutdown()
                if record is not None:
                    self._finish_record(record, error, _pipeline_name)

    def _record_settings(self, document: str, built, first: int, record: RunRecord) -> dict:
        """Return what every actor is given; with ``log_dir``, get the folder and resume ready.

        As ``curate run``: a rerun resumes only a pipeline whose source tasks are its first
        stage's outputs (no initial tasks) and that has no shuffle or gang stage.
        """
        level = self.config.get("log_level") or _engine_log_level()
        settings = {"log_level": level, "markers_dir": None, "resume_index": None,
                    "log_dir": self.config.get("log_dir")}
        log_dir = settings["log_dir"]
        if not log_dir:
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

    def _finish_record(self, record: RunRecord, error: str, pipeline_name: str) -> None:
        """Keep the stats in ``last_run_stats``, log the table, write stats.json if asked."""
        stats = record.stats(succeeded=not error, error=error)
        self.last_run_stats = stats
        _log.info("RayExecutor run:\n%s", record.table(stats))
        log_dir = self.config.get("log_dir")
        if not log_dir:
            return
        document = record.log_record(stats, str(log_dir), record.fingerprint, dict(self.config))
        document["pipeline"] = pipeline_name
        try:
            path = native().write_run_stats(str(log_dir), json.dumps(document, default=str))
            _log.info("RayExecutor: stats in %s", path)
        except Exception as failure:  # the run's own error matters more
            _log.warning("RayExecutor: cannot write stats.json in %s: %s", log_dir, failure)

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

    def _setup_on_nodes(self, ray, document, python_stages, built, first, nodes) -> None:
        """Run setup_on_node once per (stage, node), all at once, awaited by one ray.get.

        One task per node runs every stage's: a worker process per node, not per stage.
        """
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        from curate.backends.ray._actors import setup_on_node

        remote = ray.remote(setup_on_node)
        indices = list(range(first, len(built)))
        refs = []
        for node in nodes:
            # A node smaller than the stages' requests would never run the task.
            cpus = min(max(built[i].cpus for i in indices),
                       node.get("Resources", {}).get("CPU", 0.0))
            refs.append(remote.options(
                num_cpus=cpus, num_gpus=min(max(built[i].gpus for i in indices),
                                            node.get("Resources", {}).get("GPU", 0.0)),
                scheduling_strategy=NodeAffinitySchedulingStrategy(node["NodeID"], soft=False),
            ).remote(document, python_stages, indices))
        _get_naming_stage(ray, refs)

    def _create_pools(self, ray, document, python_stages, built, plan, settings: dict,
                      pools: list[Pool]) -> None:
        """Create every stage's actors into ``pools``, then set them all up together.

        Pools are appended before any setup is awaited, so teardown reaches every actor.
        """
        self._spawn = (document, python_stages)  # for the replacements of retired actors
        setups = []
        for stage_plan in plan:
            pool = Pool(stage_plan, max(1, built[stage_plan.index].batch_size))
            pools.append(pool)
            for node_id in stage_plan.nodes or [None] * stage_plan.workers:
                worker = self._new_worker(ray, document, python_stages, pool, node_id, settings)
                setups.append(worker.handle.setup.remote())
        try:
            ray.get(setups)
        except ray.exceptions.RayError as error:
            raise RuntimeError(f"RayExecutor: {_describe(error, 'unknown')}") from None

    def _new_worker(self, ray, document, python_stages, pool: Pool, node_id, settings) -> Worker:
        """Create one actor of ``pool`` on ``node_id`` (the plan's placement) and add it."""
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        from curate.backends.ray._actors import StageActor

        plan = pool.plan
        options = {"num_cpus": plan.cpus, "num_gpus": plan.gpus, **plan.options}
        if node_id is not None and "scheduling_strategy" not in options:
            # The plan packed the actors onto nodes; off the head it must stay (#1218).
            options["scheduling_strategy"] = NodeAffinitySchedulingStrategy(
                node_id, soft=not self.ignore_head_node)
        ordinal = pool.made
        pool.made += 1
        actor_settings = {**settings, "worker": f"{plan.name}-{ordinal}"}
        handle = ray.remote(StageActor).options(**options).remote(
            document, python_stages, plan.index, actor_settings)
        worker = Worker(handle, ordinal, node_id)
        pool.workers.append(worker)
        pool.idle.append(worker)
        return worker

    def _stream(self, ray, pools: list[Pool], seeds: list[bytes], record: RunRecord,
                settings: dict) -> list:
        """Move bundles from pool to pool until every stage is idle; return the outputs.

        ``in_flight`` maps each reference awaited to what it is: a process call (its report
        reference; the outputs travel on to the next stage as a reference), a setup of a
        replacement actor, or the teardown of a retired one (killed once it returns).
        """
        # Initial tasks go out as bundles too, so the first stage's actors share them and
        # the next stage starts on the first results (one seed, for a source stage).
        cuts = max(1, min(len(seeds), max(len(pools[0].workers), _MAX_PARTS)))
        for k in range(cuts):
            part = seeds[len(seeds) * k // cuts:len(seeds) * (k + 1) // cuts]
            pools[0].queued.append(Work(ray.put(part), 0, len(part)))
        in_flight: dict = {}
        outputs: list = []
        while True:
            # Downstream first, and a stage upstream of a full queue waits: bounded work.
            for i in reversed(range(len(pools))):
                pool = pools[i]
                blocked = i + 1 < len(pools) and len(pools[i + 1].queued) >= \
                    _QUEUED_PER_ACTOR * len(pools[i + 1].workers)
                while pool.idle and pool.queued and not blocked:
                    worker = pool.idle.popleft()
                    work = pool.next_work(worker)
                    parts = 1
                    if i + 1 < len(pools):
                        # Outputs are cut into bundles for the next stage's actors to share
                        # and to start on early (a reader's files one by one); empty ones
                        # cost nothing (small objects stay in the driver's memory store).
                        parts = max(len(pools[i + 1].workers), _MAX_PARTS)
                    report_ref, *part_refs = worker.handle.process.options(
                        num_returns=1 + parts).remote(work.bundle, work.start, work.stop, parts)
                    in_flight[report_ref] = ("process", i, worker, work, part_refs)
            record.progress([len(p.queued) for p in pools])
            if not in_flight:
                break
            ready, _ = ray.wait(list(in_flight), num_returns=1, timeout=record.wait_s())
            for ref in ready:
                kind, i, worker, *rest = in_flight.pop(ref)
                pool = pools[i]
                if kind == "teardown":
                    self._await_teardown(ray, ref, pool, worker)
                    continue
                if kind == "setup":
                    _get_or_fail(ray, ref, pool, worker)
                    continue
                work, part_refs = rest
                try:
                    report = ray.get(ref)
                except ray.exceptions.RayActorError as error:
                    self._lost(pool, worker, work, error)
                    continue
                except ray.exceptions.RayError as error:
                    raise RuntimeError(f"RayExecutor: {_describe(error, pool.name)}") from None
                record.add(i, report)
                worker.calls += report["calls"]
                if pool.spent(worker):
                    self._recycle(ray, pool, worker, in_flight, i, settings)
                else:
                    pool.idle.append(worker)
                parts = [(r, n) for r, n in zip(part_refs, report["part_sizes"]) if n > 0]
                if i + 1 < len(pools):
                    pools[i + 1].queued.extend(Work(r, 0, n) for r, n in parts)
                elif parts:
                    tasks = [native().task_from_bytes(blob)
                             for blob in ray.get(parts[0][0])]
                    record.complete(tasks)
                    outputs.extend(_wrap(task) for task in tasks)
        record.progress([0] * len(pools), force=True)
        return outputs

    def _lost(self, pool: Pool, worker: Worker, work: Work, error) -> None:
        """Handle a process call whose actor died: queue its work again, or fail the run."""
        worker.deaths += 1
        reason = str(getattr(error, "error_msg", "") or error).strip().splitlines()
        reason = reason[0] if reason else type(error).__name__
        where = worker.describe(pool.name)
        if not pool.may_restart(worker):
            restarts = pool.plan.max_restarts
            hint = (f"it was restarted {restarts} times (max_restarts)" if restarts else
                    "set the stage's ray_remote_args max_restarts to retry its work on a "
                    "restarted actor")
            raise RuntimeError(f"RayExecutor: stage '{pool.name}' lost {where}: the actor's "
                               f"process died ({reason}); {hint}") from None
        _log.warning("RayExecutor: stage '%s' lost %s (%s); Ray restarts it, its %d tasks "
                     "are queued again", pool.name, where, reason, work.size)
        worker.calls = 0  # a new process: its instance starts afresh
        pool.queued.appendleft(work)
        pool.idle.append(worker)

    def _recycle(self, ray, pool: Pool, worker: Worker, in_flight: dict, i: int,
                 settings: dict) -> None:
        """Retire ``worker`` (max_calls_per_worker reached) and start a fresh actor."""
        pool.remove(worker)
        pool.retired.append(worker)
        in_flight[worker.handle.teardown.remote()] = ("teardown", i, worker)
        document, python_stages = self._spawn
        fresh = self._new_worker(ray, document, python_stages, pool, worker.node_id, settings)
        in_flight[fresh.handle.setup.remote()] = ("setup", i, fresh)

    def _await_teardown(self, ray, ref, pool: Pool, worker: Worker) -> None:
        """Kill a retired actor once its teardown returned (a failed teardown fails the run)."""
        try:
            _get_or_fail(ray, ref, pool, worker)
        finally:
            ray.kill(worker.handle)

    def _teardown(self, ray, pools: list[Pool]) -> None:
        """Tear down and kill every actor created, whether or not the run succeeded."""
        actors = [worker.handle for pool in pools for worker in pool.workers]
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
        for pool in pools:
            for worker in pool.retired:
                ray.kill(worker.handle)  # killed already unless its teardown was pending


def _get_or_fail(ray, ref, pool: Pool, worker: Worker) -> None:
    """Await a setup or teardown call; a failure raises RuntimeError naming the stage."""
    try:
        ray.get(ref)
    except ray.exceptions.RayActorError as error:
        raise RuntimeError(f"RayExecutor: stage '{pool.name}' lost {worker.describe(pool.name)}"
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
