"""Shuffle and LSH stages on Ray: route in actors, blocks in the object store, reduce.

Each route call (one bundle) returns one object per partition, holding the RowBlocks
of that partition, one per routed input with the input's order key, so the reducer of
a partition fetches only its own blocks. The driver fetches only a summary (which
partitions got rows). When every input of a round is routed (the barrier), every
non-empty partition is reduced on one of the stage's actors, which puts the blocks in
the order of their inputs in the stream, as the LocalExecutor does: the same for every
worker count. Rounds follow one another; the inputs are kept, as references, until the
last round routed them.
"""

from __future__ import annotations

import collections
import enum
import logging
import time

from curate._native import native
from curate.backends.ray._actors import (StageActor, cut, empty_report, order_index,
                                         out_of_band, output_keys)
from curate.backends.ray._plan import StagePlan
from curate.backends.ray._pool import TaskPool, produced
from curate.backends.ray._record import merge_unit, unit_of
from curate.backends.ray._workers import Call, Work

_log = logging.getLogger("curate.ray")


class ShuffleActor(StageActor):
    """One worker instance of a shuffle stage; Ray calls one method at a time."""

    def route(self, bundle: list, start: int, stop: int, round_: int) -> tuple:
        """Route every (key, task) of ``bundle[start:stop]`` in ``round_``.

        Return the report (as ``process``'s, with ``summary``: (partition, bytes of its
        blocks) for the partitions that got rows), then one value per partition: None, or
        a list of (input key, RowBlock bytes), one per input that emitted to it.
        """
        import time

        self.setup()
        begin = time.time()
        partitions = native().shuffle_shape(self._stage)[0]
        routed: list = [None] * partitions
        items, unit = 0, ""
        clock = time.perf_counter()
        for key, blob in bundle[start:stop]:
            task = native().task_from_bytes(blob)
            items += task.num_items
            unit = merge_unit(unit, task.item_unit)
            try:
                blocks = native().shuffle_route(self._stage, task, round_)
            except Exception as error:
                raise RuntimeError(
                    f"stage '{self._stage.name}' failed on task {task.task_id!r} (route, round "
                    f"{round_}) on node {self._node_id} (worker {self._worker_id}): "
                    f"{error}") from error
            for partition, block in enumerate(blocks):
                if block is not None:
                    if routed[partition] is None:
                        routed[partition] = []
                    routed[partition].append((key, block))
        summary = [(p, sum(len(block) for _, block in blocks))
                   for p, blocks in enumerate(routed) if blocks is not None]
        # Counted as the LocalExecutor counts a shuffle stage: its inputs when routed, its
        # outputs when reduced.
        counted = {**empty_report(), "calls": 1, "tasks_in": stop - start, "items_in": items,
                   "unit_in": unit, "process_time_s": time.perf_counter() - clock}
        return (self._report(begin, [], summary=summary, **counted), *routed)

    def reduce(self, round_: int, partition: int, parts: int, *routed: list) -> tuple:
        """Reduce ``partition`` of ``round_`` over the blocks of every route call.

        Return (report, part 1, ..., part ``parts``) as ``process`` does: (key, serialised
        output) pairs, keyed after the round and partition as the LocalExecutor keys them.
        """
        import time

        self.setup()
        begin = time.time()
        clock = time.perf_counter()
        blocks = sorted((pair for part in routed for pair in part), key=lambda pair: pair[0])
        try:
            outputs = native().shuffle_reduce(self._stage, round_, partition,
                                              [block for _, block in blocks])
        except Exception as error:
            raise RuntimeError(
                f"stage '{self._stage.name}' failed in reduce of partition {partition} (round "
                f"{round_}) on node {self._node_id} (worker {self._worker_id}): "
                f"{error}") from error
        took = time.perf_counter() - clock
        keys = output_keys([order_index(round_) + order_index(partition)], len(outputs))
        pieces = cut(list(zip(keys, (out_of_band(native().task_to_bytes(t))
                                     for t in outputs))), parts)
        counted = {**empty_report(), "calls": 1, "tasks_out": len(outputs),
                   "items_out": sum(t.num_items for t in outputs),
                   "unit_out": unit_of(outputs), "process_time_s": took}
        return (self._report(begin, pieces, **counted), *pieces)


class _Phase(enum.Enum):
    ROUTE = "route"
    REDUCE = "reduce"
    DONE = "done"


class ShufflePool(TaskPool):
    """The driver's state of one shuffle stage: rounds of route, barrier, reduce."""

    def __init__(self, plan: StagePlan, batch_size: int, partitions: int,
                 rounds: int) -> None:
        super().__init__(plan, batch_size)
        self.partitions = partitions
        self.rounds = rounds
        self.round = 0
        self.phase = _Phase.ROUTE
        self.kept: list = []  # input bundles, routed again in later rounds
        self.rerouting: collections.deque = collections.deque()  # this round's inputs
        self.routed: list[list] = [[] for _ in range(partitions)]  # non-empty block objects
        self.reducing: collections.deque = collections.deque()  # partitions to reduce
        self.moved_blocks = 0  # partition objects handed to reducers, over all rounds
        self.moved_bytes = 0  # their RowBlock bytes
        self.started = None  # when the first route call started (time.monotonic)
        self.barrier_at = 0.0  # when the current round's barrier passed
        self.reduce_s = 0.0  # time from barrier to last reduce, over all rounds

    def dispatch(self, upstream_done: bool, blocked: bool) -> list[Call]:
        calls = []
        while True:
            if self.phase is _Phase.ROUTE:
                calls += self._route()
                routed_all = not self.rerouting and self.busy == 0 and (
                    self.round > 0 or (upstream_done and not self.queued))
                if not routed_all:
                    return calls
                # The barrier: every input of this round is routed.
                self.phase = _Phase.REDUCE
                self.barrier_at = time.monotonic()
                self.reducing.extend(p for p in range(self.partitions) if self.routed[p])
            if self.phase is _Phase.REDUCE:
                while self.idle and self.reducing and not blocked:
                    partition = self.reducing.popleft()
                    parts, self.routed[partition] = self.routed[partition], []
                    self.moved_blocks += len(parts)
                    worker = self.idle.popleft()
                    report_ref, *part_refs = worker.handle.reduce.options(
                        num_returns=1 + self.parts).remote(self.round, partition, self.parts,
                                                           *parts)
                    calls.append(self.start(worker, ("reduce", partition, parts, part_refs),
                                            report_ref))
                if self.reducing or self.busy:
                    return calls
                self.reduce_s += time.monotonic() - self.barrier_at
                self.round += 1
                if self.round == self.rounds:
                    self.phase = _Phase.DONE
                    self.kept = []
                    self._report()
                    return calls
                self.phase = _Phase.ROUTE
                self.rerouting.extend(self.kept)
                if self.round + 1 == self.rounds:
                    self.kept = []  # the last round: each input is dropped once routed
            if self.phase is _Phase.DONE:
                return calls

    def _route(self) -> list[Call]:
        calls = []
        source = self.queued if self.round == 0 else self.rerouting
        while self.idle and source:
            if self.started is None:
                self.started = time.monotonic()
            work: Work = source.popleft()
            if self.round == 0 and self.rounds > 1 and not any(w is work for w in self.kept):
                self.kept.append(work)
            worker = self.idle.popleft()
            refs = worker.handle.route.options(num_returns=self.partitions + 1).remote(
                work.bundle, work.start, work.stop, self.round)
            calls.append(self.start(worker, ("route", work, refs[1:]), refs[0]))
        return calls

    def complete(self, call: Call, report: dict) -> list[Work]:
        self.busy -= 1
        self.idle.append(call.worker)
        if call.context[0] == "reduce":
            return produced(call.context[-1], report)
        refs = call.context[-1]
        for partition, size in report["summary"]:  # empty partitions' objects are dropped
            self.routed[partition].append(refs[partition])
            self.moved_bytes += size
        return []

    def lost(self, call: Call) -> bool:
        """Redo a lost route (its bundle routed again) or reduce (the same blocks again)."""
        self.busy -= 1
        self.idle.append(call.worker)
        if call.context[0] == "reduce":
            _, partition, parts, _ = call.context
            self.routed[partition] = parts + self.routed[partition]
            self.moved_blocks -= len(parts)
            self.reducing.appendleft(partition)
        else:
            (self.queued if self.round == 0 else self.rerouting).appendleft(call.context[1])
        return True

    def _report(self) -> None:
        seconds = time.monotonic() - self.started if self.started is not None else 0.0
        megabytes = self.moved_bytes / 1e6
        _log.info("stage '%s': shuffle moved %.3f MB of partition blocks (%d objects) through the "
                  "object store in %.3f s from first route to last reduce, %.3f s of it from "
                  "barrier to last reduce (%.1f MB/s), %d round(s)",
                  self.name, megabytes, self.moved_blocks, seconds, self.reduce_s,
                  megabytes / self.reduce_s if self.reduce_s > 0 else 0.0, self.rounds)

    def done(self, upstream_done: bool) -> bool:
        return self.phase is _Phase.DONE and self.busy == 0


def shuffle_pool(stage, plan: StagePlan) -> ShufflePool:
    """Return the pool of shuffle stage ``stage`` (built, on the driver), its actors to add."""
    partitions, rounds, _ = native().shuffle_shape(stage)
    return ShufflePool(plan, max(1, stage.batch_size), partitions, rounds)
