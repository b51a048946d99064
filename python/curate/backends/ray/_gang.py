"""Gang (raft-actor) stages on Ray: N member actors and a coordinator for collectives.

Each member's stage gets, in ``setup``, a Gang (C++ ``PythonGang``) whose collectives
call back into the member actor, which asks the gang's coordinator: a threaded actor
that gathers one step's contributions from every member and hands each member what is
addressed to it, pinned to member 0's node (so that ``ignore_head_node`` keeps it off the
head as it keeps the members). Bytes of ``all_to_all`` travel member to member through the object
store (the coordinator passes references only). Inputs go to whichever member is idle;
at the end of input the driver calls ``finish`` on every member at once. A failing
member, or the driver when the run fails, aborts the coordinator, which releases every
member waiting in a collective with an error, so nothing hangs.
"""

from __future__ import annotations

import itertools
import logging
import threading
import uuid

from curate._native import native
from curate.backends.ray._actors import (StageActor, cut, empty_report, order_index,
                                         out_of_band, output_keys)
from curate.backends.ray._plan import StagePlan
from curate.backends.ray._pool import TaskPool, produced
from curate.backends.ray._record import unit_of
from curate.backends.ray._workers import Call

_log = logging.getLogger("curate.ray")

# Final outputs of a member sort after every streamed output, member by member (as the
# LocalExecutor's gang keys them).
_FINAL = order_index(0xFFFFFFFF)


class GangCoordinator:
    """Meet the members of one gang, step by step. Runs as a threaded Ray actor with
    ``max_concurrency`` above the gang's size, so that every member can wait at once and
    an ``abort`` still gets through."""

    def __init__(self, stage_name: str, size: int) -> None:
        self._stage = stage_name
        self._size = size
        self._cond = threading.Condition()
        self._steps: dict[int, dict] = {}
        self._aborted: str | None = None

    def collect(self, step: int, index: int, kind: str, payload):
        """Contribute ``payload`` to collective ``kind`` number ``step``; block until every
        member contributed; return member ``index``'s share. Raise once aborted."""
        with self._cond:
            self._check()
            entry = self._steps.setdefault(step, {"kind": kind, "payloads": {}, "read": 0})
            if entry["kind"] != kind:
                self._abort(f"gang members disagree at step {step}: member {index} called "
                            f"{kind}, another {entry['kind']} (every member must call the same "
                            "collectives in the same order)")
                self._check()
            entry["payloads"][index] = payload
            self._cond.notify_all()
            while len(entry["payloads"]) < self._size:
                self._cond.wait()
                self._check()
            result = self._share(entry, index)
            entry["read"] += 1
            if entry["read"] == self._size:
                del self._steps[step]
            return result

    def _share(self, entry: dict, index: int):
        payloads = entry["payloads"]
        if entry["kind"] == "barrier":
            return None
        if entry["kind"] == "all_reduce_sum":
            lengths = {len(values) for values in payloads.values()}
            if len(lengths) != 1:
                self._abort(f"gang all_reduce_sum got lists of different lengths {sorted(lengths)}")
                self._check()
            return [sum(column) for column in zip(*(payloads[m] for m in range(self._size)))]
        # all_to_all: each payload is [references, one per receiver], nested so Ray passes
        # the references through instead of fetching the bytes here.
        return [payloads[sender][0][index] for sender in range(self._size)]

    def abort(self, reason: str) -> None:
        """Release every waiting member with an error; later collectives fail at once."""
        with self._cond:
            self._abort(reason)

    def _abort(self, reason: str) -> None:
        if self._aborted is None:
            self._aborted = reason
        self._cond.notify_all()

    def _check(self) -> None:
        if self._aborted is not None:
            raise RuntimeError(f"gang of stage '{self._stage}' aborted: {self._aborted}")


class GangActor(StageActor):
    """One member of a gang stage; Ray calls one method at a time."""

    def setup_gang(self, coordinator, index: int, size: int) -> str:
        """Set the stage up with a Gang of ``size`` members in which it is ``index``."""
        import ray

        self._coordinator = coordinator
        self._member = index
        self._gang_size = size
        # The callables live in the C++ stage (through its Gang): they must not reach back
        # to this actor or its stage, or the cycle would outlive the process unseen by
        # Python's garbage collector.
        steps = itertools.count()

        def collect(kind: str, payload):
            return ray.get(coordinator.collect.remote(next(steps), index, kind, payload))

        def all_to_all(messages: list) -> list:
            refs = [ray.put(message) for message in messages]
            return ray.get(collect("all_to_all", [refs]))

        def abort(reason: str) -> None:
            coordinator.abort.remote(f"member {index}: {reason}")

        try:
            native().gang_setup(self._stage, self._worker_id, index, size,
                                lambda: collect("barrier", None),
                                lambda values: collect("all_reduce_sum", list(values)),
                                all_to_all, abort)
        except Exception as error:
            raise RuntimeError(
                f"stage '{self._stage.name}' failed in setup of gang member {index} on node "
                f"{self._node_id} (worker {self._worker_id}): {error}") from error
        self._set_up = True
        return self._node_id

    def process(self, bundle: list, start: int = 0, stop: int | None = None,
                parts: int = 1) -> tuple:
        """Process inputs as a task stage's actor does; a failure also names the member and
        aborts the gang (the others may be waiting for this member's collectives)."""
        try:
            return super().process(bundle, start, stop, parts)
        except RuntimeError as error:
            worker = f"(worker {self._worker}"
            member = f"{worker}, gang member {self._member} of {self._gang_size}"
            message = str(error)
            message = message.replace(worker, member, 1) if worker in message else \
                f"{message} ({member[1:]})"
            self._coordinator.abort.remote(message)
            raise RuntimeError(message) from error.__cause__

    def finish(self, parts: int = 1) -> tuple:
        """Call the stage's ``finish`` (collective over the gang); return (report, part 1,
        ..., part ``parts``) as ``process`` does. A failure aborts the gang and names
        stage, member and node."""
        import time

        begin = time.time()
        try:
            outputs = native().gang_finish(self._stage, self._member)
        except Exception as error:
            message = (f"stage '{self._stage.name}' failed in finish of gang member "
                       f"{self._member} on node {self._node_id} (worker {self._worker_id}): "
                       f"{error}")
            self._coordinator.abort.remote(message)
            raise RuntimeError(message) from error
        keys = output_keys([_FINAL + order_index(self._member)], len(outputs))
        pieces = cut(list(zip(keys, (out_of_band(native().task_to_bytes(t))
                                     for t in outputs))), parts)
        counted = {**empty_report(), "tasks_out": len(outputs),
                   "items_out": sum(t.num_items for t in outputs),
                   "unit_out": unit_of(outputs)}
        return (self._report(begin, pieces, **counted), *pieces)


class GangPool(TaskPool):
    """The driver's state of one gang stage: stream its inputs, then finish every member."""

    def __init__(self, plan: StagePlan, batch_size: int, coordinator) -> None:
        super().__init__(plan, batch_size)
        self.helpers = [coordinator]
        self.coordinator = coordinator
        self.node_refs: list = []  # what each member's setup returned: its node
        self.finishing = False
        self.finished = 0

    def setup_calls(self) -> list:
        self.node_refs = [worker.handle.setup_gang.remote(self.coordinator, index,
                                                          len(self.workers))
                          for index, worker in enumerate(self.workers)]
        return list(self.node_refs)

    def dispatch(self, upstream_done: bool, blocked: bool) -> list[Call]:
        if self.finishing:
            return []
        calls = super().dispatch(upstream_done, blocked)
        if upstream_done and not self.queued and self.busy == 0:
            # Every input is consumed: all members finish together (their collectives
            # need each other), whatever the next stage's queue holds.
            self.finishing = True
            self.idle.clear()
            _log.info("stage '%s': end of input, finishing its gang of %d members", self.name,
                      len(self.workers))
            for member, worker in enumerate(self.workers):
                report_ref, *part_refs = worker.handle.finish.options(
                    num_returns=1 + self.parts).remote(self.parts)
                calls.append(self.start(worker, ("finish", member, part_refs), report_ref))
        return calls

    def complete(self, call: Call, report: dict) -> list:
        if call.context[0] != "finish":
            return super().complete(call, report)
        self.busy -= 1
        self.finished += 1
        return produced(call.context[-1], report)

    def lost(self, call: Call) -> bool:
        """A lost member cannot be redone: its share of the gang's state died with it."""
        return False

    def done(self, upstream_done: bool) -> bool:
        return self.finished == len(self.workers)

    def where(self, call: Call) -> str:
        if call.context[0] != "finish":  # the worker's own description names its node
            member = self.workers.index(call.worker) if call.worker in self.workers else "?"
            return f" (gang member {member} of {len(self.workers)})"
        import ray

        member = call.context[1]
        try:
            node = ray.get(self.node_refs[member], timeout=5)
        except Exception:  # the member died: its node is what we cannot know
            node = "unknown"
        return f" (gang member {member} of {len(self.workers)} on node {node})"

    def abort(self, reason: str) -> None:
        for coordinator in self.helpers:
            coordinator.abort.remote(reason)


def coordinator_placement(plan: StagePlan) -> dict:
    """Return the coordinator's scheduling options: the stage's own scheduling strategy
    when its ray_remote_args give one (the members follow it too), else pinned to the node
    of member 0 when the plan placed the members.

    The coordinator asks for no CPU, so Ray would place it on any node, the head included,
    which ``ignore_head_node`` keeps free of the run's actors (#1218): on a node of the
    plan it stays among the nodes the run may use, and beside one of its members.
    """
    if "scheduling_strategy" in plan.options:
        return {"scheduling_strategy": plan.options["scheduling_strategy"]}
    if plan.nodes and plan.nodes[0] is not None:
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        return {"scheduling_strategy": NodeAffinitySchedulingStrategy(plan.nodes[0],
                                                                      soft=False)}
    return {}


def gang_pool(ray, stage, plan: StagePlan) -> GangPool:
    """Return the pool of gang stage ``stage`` (``plan.workers`` members, to be added), with
    its coordinator actor (no CPU of its own: it only waits), placed by
    ``coordinator_placement``."""
    size = plan.workers
    # Named, so that the gang can be found in Ray's tools (`ray list actors`).
    name = f"curate_gang_{stage.name}_{uuid.uuid4().hex[:8]}"
    coordinator = ray.remote(GangCoordinator).options(
        name=name, num_cpus=0, max_concurrency=size + 4, **coordinator_placement(plan)).remote(
        stage.name, size)
    return GangPool(plan, max(1, stage.batch_size), coordinator)
