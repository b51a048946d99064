"""The actors of one stage and their life cycle: made, set up, recycled, restarted, killed.

Used by the RayExecutor's driver thread only. A pool holds its stage's plan (what every
actor asks of Ray, and where), its live workers, the idle ones and the work queued for
them. ``max_calls_per_worker`` retires a worker after that many ``process_batch`` calls:
its teardown runs, then it is killed, and a fresh actor (a new process, set up anew) takes
its place on the same node. An actor whose process died is restarted by Ray when its
options allow (``max_restarts``); its lost work is queued again.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field

from curate.backends.ray._pool import StagePlan


@dataclass
class Work:
    """Tasks ``start:stop`` of a bundle (a list of serialised tasks) in the object store."""

    bundle: object  # ObjectRef
    start: int
    stop: int

    @property
    def size(self) -> int:
        return self.stop - self.start


@dataclass
class Worker:
    """One actor of a pool: its handle, ordinal, node and calls in this instance."""

    handle: object
    ordinal: int
    node_id: str | None
    calls: int = 0
    deaths: int = 0

    def describe(self, stage: str) -> str:
        actor_id = self.handle._actor_id.hex()
        return f"actor {stage}-{self.ordinal} (Ray actor {actor_id}) on node {self.node_id}"


@dataclass
class Pool:
    """The actors of one stage, and the work waiting for them."""

    plan: StagePlan
    batch_size: int
    workers: list = field(default_factory=list)
    idle: collections.deque = field(default_factory=collections.deque)
    queued: collections.deque = field(default_factory=collections.deque)  # of Work
    retired: list = field(default_factory=list)  # recycled workers, killed after teardown
    made: int = 0  # actors created, for ordinals

    @property
    def name(self) -> str:
        return self.plan.name

    def next_work(self, worker: Worker) -> Work:
        """Pop the next work for ``worker``, split to what it may still do before recycling."""
        work = self.queued.popleft()
        limit = self.plan.max_calls
        if limit is not None:
            allowed = max(1, limit - worker.calls) * max(1, self.batch_size)
            if work.size > allowed:
                self.queued.appendleft(Work(work.bundle, work.start + allowed, work.stop))
                work = Work(work.bundle, work.start, work.start + allowed)
        return work

    def spent(self, worker: Worker) -> bool:
        """Return True when ``worker`` reached ``max_calls_per_worker``."""
        return self.plan.max_calls is not None and worker.calls >= self.plan.max_calls

    def may_restart(self, worker: Worker) -> bool:
        """Return True when Ray restarts ``worker``'s actor after its process died."""
        restarts = self.plan.max_restarts
        return restarts == -1 or worker.deaths <= restarts

    def remove(self, worker: Worker) -> None:
        self.workers.remove(worker)
        if worker in self.idle:
            self.idle.remove(worker)
