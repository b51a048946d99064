"""The driver's view of one stage on Ray: its actors, their life cycle, the work waiting.

Every kind of stage (task, shuffle, gang) is a pool with the same small protocol, which
``RayExecutor._stream`` drives: ``dispatch`` starts calls on idle workers, ``complete``
takes the report a call returned and answers the work (bundles) it produced for the next
stage, ``lost`` takes back the call of an actor whose process died (Ray restarts it when
its options allow: the call is queued again), ``done`` says the stage will produce nothing
more. The driver holds references only; bundles stay in the object store.

This module's ``TaskPool`` is the pool of a task stage (``StageActor.process``). Its
``max_calls_per_worker`` retires a worker after that many ``process_batch`` calls: the
executor tears it down, kills it, and a fresh actor (a new process, set up anew) takes its
place on the same node. Shuffle and gang pools (``_shuffle``, ``_gang``) follow the rules
of ``_plan``'s comment. Used by the driver thread only.
"""

from __future__ import annotations

import collections
import dataclasses

from curate.backends.ray._plan import StagePlan
from curate.backends.ray._workers import Call, Work, Worker


class TaskPool:
    """A pool of stage actors; each call processes part of one bundle."""

    def __init__(self, plan: StagePlan, batch_size: int) -> None:
        self.plan = plan
        self.batch_size = batch_size
        self.workers: list[Worker] = []
        self.idle: collections.deque = collections.deque()  # of Worker
        self.queued: collections.deque = collections.deque()  # of Work
        self.busy = 0
        self.helpers: list = []  # other actors of the stage, killed after the stage's own
        self.retired: list[Worker] = []  # recycled workers, killed after their teardown
        self.made = 0  # actors created, for ordinals
        self.parts = 1  # the bundles one call's outputs are cut into (the next stage's)
        self.own_parts = 1  # the same for the outputs that stay in the pool (``alone``)
        self.actor_class = None  # the Ray actor class of this kind of stage (the executor's)

    @property
    def name(self) -> str:
        return self.plan.name

    def add(self, worker: Worker) -> None:
        """Add a new worker (its setup is the caller's to start)."""
        self.workers.append(worker)
        self.idle.append(worker)

    def remove(self, worker: Worker) -> None:
        """Take ``worker`` out of the pool (retired); the caller kills it."""
        self.workers.remove(worker)
        if worker in self.idle:
            self.idle.remove(worker)
        self.retired.append(worker)

    def setup_calls(self) -> list:
        """Start ``setup`` on every worker; return the references to await."""
        return [worker.handle.setup.remote() for worker in self.workers]

    def start(self, worker: Worker, context, ref) -> Call:
        """Record a call started on ``worker`` (taken from ``idle``)."""
        self.busy += 1
        return Call(ref, worker, context)

    def next_work(self, worker: Worker) -> Work:
        """Pop the next work for ``worker``, split to what it may still do before recycling."""
        work = self.queued.popleft()
        limit = self.plan.max_calls
        if limit is not None:
            allowed = max(1, limit - worker.calls) * max(1, self.batch_size)
            if work.size > allowed:
                self.queued.appendleft(dataclasses.replace(work, start=work.start + allowed))
                work = dataclasses.replace(work, stop=work.start + allowed)
        return work

    def dispatch(self, upstream_done: bool, blocked: bool) -> list[Call]:
        """Start as many calls as idle workers and queued work allow, unless ``blocked``
        (the next stage's queue is full). Called by the driver loop, downstream first."""
        calls = []
        while self.idle and self.queued and not blocked:
            worker = self.idle.popleft()
            work = self.next_work(worker)
            parts = self.own_parts if work.alone else self.parts
            # Only a seeded pool's work says where it enters (gang actors take no such).
            where = {"entry": work.entry, "alone": work.alone} if self.plan.seeded else {}
            report_ref, *part_refs = worker.handle.process.options(
                num_returns=1 + parts).remote(work.bundle, work.start, work.stop, parts,
                                              **where)
            calls.append(self.start(worker, ("process", work, part_refs), report_ref))
        return calls

    def complete(self, call: Call, report: dict) -> list[Work]:
        """Take the worker back (unless it is spent); return the work the call produced."""
        self.busy -= 1
        call.worker.calls += report["calls"]
        if not self.spent(call.worker):
            self.idle.append(call.worker)
        work = call.context[1]
        outputs = produced(call.context[-1], report)
        if work.alone:  # a seeded pool's first stage: the pool's actors share its outputs
            self.queued.extend(dataclasses.replace(out, entry=work.entry + 1)
                               for out in outputs)
            return []
        return outputs

    def lost(self, call: Call) -> bool:
        """Queue the call of a lost (restarting) actor again; return False when this kind
        of stage cannot redo it. Its worker starts afresh: a new process."""
        self.busy -= 1
        self.queued.appendleft(call.context[1])
        call.worker.calls = 0
        self.idle.append(call.worker)
        return True

    def spent(self, worker: Worker) -> bool:
        """Return True when ``worker`` reached ``max_calls_per_worker``."""
        return self.plan.max_calls is not None and worker.calls >= self.plan.max_calls

    def may_restart(self, worker: Worker) -> bool:
        """Return True when Ray restarts ``worker``'s actor after its process died."""
        restarts = self.plan.max_restarts
        return restarts == -1 or worker.deaths <= restarts

    def done(self, upstream_done: bool) -> bool:
        """Return True once no input can come and no call is queued or running."""
        return upstream_done and not self.queued and self.busy == 0

    def where(self, call: Call) -> str:
        """Return what to add to the stage's name in an error about ``call``."""
        return ""

    def abort(self, reason: str) -> None:
        """Release whatever waits on this stage's actors (gangs); called when a run ends."""


def produced(part_refs: list, report: dict) -> list[Work]:
    """Return the non-empty parts of a call's outputs as work for the next stage (empty
    ones cost nothing: small objects stay in the driver's memory store)."""
    return [Work(ref, 0, size) for ref, size in zip(part_refs, report["part_sizes"]) if size]
