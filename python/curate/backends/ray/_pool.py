"""The driver's view of one stage on Ray: its actors and the work waiting for them.

Every kind of stage (task, shuffle, gang) is a pool with the same small protocol, which
``RayExecutor._stream`` drives: ``dispatch`` starts calls on idle actors, ``complete``
takes the small value a call returned (a count, a summary) and answers the references
of the bundles it produced, ``done`` says the stage will produce nothing more. The
driver holds references only; bundles stay in the object store.
"""

from __future__ import annotations

import collections


class Call:
    """One call in flight: the reference the driver waits on, its actor, what it was."""

    __slots__ = ("ref", "actor", "context")

    def __init__(self, ref, actor, context) -> None:
        self.ref = ref
        self.actor = actor
        self.context = context


class TaskPool:
    """A pool of stage actors; each call processes one bundle (``StageActor.process``)."""

    def __init__(self, name: str, actors: list, slots: int = 1) -> None:
        self.name = name
        self.actors = actors
        self.slots = slots  # objects the outputs of one call are spread over (fan-out)
        self.idle: collections.deque = collections.deque()
        self.queued: collections.deque = collections.deque()  # references to bundles
        self.busy = 0
        self.helpers: list = []  # other actors of the stage, killed after the stage's own

    def setup_calls(self) -> list:
        """Start ``setup`` on every actor; return the references to await."""
        return [actor.setup.remote() for actor in self.actors]

    def start(self, actor, context, ref) -> Call:
        """Record a call started on ``actor`` (taken from ``idle``)."""
        self.busy += 1
        return Call(ref, actor, context)

    def dispatch(self, upstream_done: bool, blocked: bool) -> list[Call]:
        """Start as many calls as idle actors and queued bundles allow, unless ``blocked``
        (the next stage's queue is full). Called by the driver loop, downstream first."""
        calls = []
        while self.idle and self.queued and not blocked:
            actor = self.idle.popleft()
            if self.slots == 1:
                count_ref, bundle_ref = actor.process.options(num_returns=2).remote(
                    self.queued.popleft())
                calls.append(self.start(actor, bundle_ref, count_ref))
            else:
                refs = actor.process_split.options(num_returns=self.slots + 1).remote(
                    self.queued.popleft(), self.slots)
                calls.append(self.start(actor, refs[1:], refs[0]))
        return calls

    def complete(self, call: Call, value) -> list:
        """Take the actor back; return the references of the bundles the call produced."""
        self.busy -= 1
        self.idle.append(call.actor)
        if isinstance(value, list):  # a split call: the number of outputs in each slot
            return [ref for ref, count in zip(call.context, value) if count]
        return [call.context] if value else []

    def done(self, upstream_done: bool) -> bool:
        """Return True once no input can come and no call is queued or running."""
        return upstream_done and not self.queued and self.busy == 0

    def where(self, call: Call) -> str:
        """Return what to add to the stage's name in an error about ``call``."""
        return ""

    def abort(self, reason: str) -> None:
        """Release whatever waits on this stage's actors (gangs); called when a run fails."""
