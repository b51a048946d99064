"""The driver's records of one actor (``Worker``), of the work it is given (``Work``) and
of one call in flight (``Call``). Used by the RayExecutor's driver thread only."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Work:
    """Pairs ``start:stop`` of a bundle (a list of (key, serialised task)) in the object
    store, for the stage at ``entry`` of its pool's chain, and for that stage ``alone``
    (a seeded pool's first stage: its outputs come back to the pool)."""

    bundle: object  # ObjectRef
    start: int
    stop: int
    entry: int = 0
    alone: bool = False

    @property
    def size(self) -> int:
        return self.stop - self.start


@dataclass
class Worker:
    """One actor of a pool: its handle, ordinal, node, calls in this instance, counters."""

    handle: object
    ordinal: int
    node_id: str | None
    calls: int = 0
    deaths: int = 0
    # The counters (one entry per stage) each of its processes last reported, by process
    # id: what survives of a process that dies (Ray restarts it as a new process).
    counters: dict = field(default_factory=dict)

    def describe(self, stage: str) -> str:
        actor_id = self.handle._actor_id.hex()
        return f"actor {stage}-{self.ordinal} (Ray actor {actor_id}) on node {self.node_id}"


class Call:
    """One call in flight: the reference the driver waits on, its worker, what it was."""

    __slots__ = ("ref", "worker", "context")

    def __init__(self, ref, worker: Worker, context) -> None:
        self.ref = ref
        self.worker = worker
        self.context = context
