"""What runs inside Ray workers: a stage actor (the per-node setup task is in _cluster).

Each actor gets its stage from a source: a ``DocumentStage`` (rebuilt from the pipeline
document, registry names and parameters, and the Python stage objects Ray unpickled for
it: the stage at ``index`` of the built, composites expanded, list), or a
``ShippedStage`` (a built engine stage that Ray pickled as its description). Tasks
travel as ``task_to_bytes`` blobs, sent as NumPy views (out of band: the receiver reads
them in place in the object store), each with its order key (see ``output_keys``): a
bundle is a list of ``(key, blob)`` pairs.
"""

from __future__ import annotations

import logging
import os
import struct
import time

from curate._native import native

_INDEX = struct.Struct(">I")


def order_index(index: int) -> bytes:
    """Return one level of an order key: 4 bytes big-endian, so byte order is numeric order."""
    return _INDEX.pack(index)


def output_keys(input_keys: list[bytes], count: int) -> list[bytes]:
    """Return the order keys of ``count`` outputs of one call over inputs with ``input_keys``.

    The LocalExecutor's rule: as many outputs as inputs keep the inputs' keys by position;
    otherwise each output gets the smallest input key plus its own position. Sorting by
    key then gives the order a sequential run produces, whatever the worker count.
    """
    if count == len(input_keys):
        return list(input_keys)
    parent = min(input_keys) if input_keys else b""
    return [parent + _INDEX.pack(i) for i in range(count)]


def out_of_band(blob: bytes):
    """Return ``blob`` as a NumPy view: Ray ships it out of band, and the receiver reads it
    in place in the object store (bytes would be copied into and out of the pickle)."""
    import numpy

    return numpy.frombuffer(blob, dtype=numpy.uint8)


def cut(outputs: list, parts: int) -> list[list]:
    """Return ``outputs`` cut into ``parts`` contiguous lists (some maybe empty)."""
    cuts = [len(outputs) * k // parts for k in range(parts + 1)]
    return [outputs[cuts[k]:cuts[k + 1]] for k in range(parts)]


class DocumentStage:
    """Stage ``index`` of the stages a pipeline document builds (Python Pipelines)."""

    def __init__(self, document: str, python_stages: list, index: int) -> None:
        self.document = document
        self.python_stages = python_stages
        self.index = index

    def build(self, ledger=None):
        """Return a fresh instance of the stage, built in this process; with ``ledger`` (a
        CompletionLedger), with resume tracking as ``curate run`` adds it."""
        stages = native().build_stages(self.document, list(self.python_stages))
        if ledger is not None:
            stages, _ = native().add_resume_tracking(stages, ledger)
        return stages[self.index]


class ShippedStage:
    """A built engine stage (NativeStage), pickled by Ray as its description (the C++
    workflows' stages, which no pipeline document names)."""

    def __init__(self, stage) -> None:
        self.stage = stage
        self.index = -1  # never the stage that resumes

    def build(self, ledger=None):
        """Return this process's copy of the stage (each unpickling makes its own)."""
        return self.stage


_PYTHON_LEVELS = {"trace": logging.DEBUG, "debug": logging.DEBUG, "info": logging.INFO,
                  "warn": logging.WARNING, "err": logging.ERROR, "critical": logging.CRITICAL,
                  "off": logging.CRITICAL + 10}


def _tag_python_logs(tag: str, level: str) -> None:
    """Make this process's Python log records (a Python stage's) carry the engine's tag."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(
        f"%(asctime)s %(levelname)s [{tag}] %(name)s: %(message)s"))
    logging.basicConfig(handlers=[handler], force=True)
    logging.getLogger("curate").setLevel(_PYTHON_LEVELS.get(level, logging.INFO))


def empty_report() -> dict:
    """Return the report of a call that counted nothing (``StageCounters.take``'s keys)."""
    return {"calls": 0, "tasks_in": 0, "tasks_out": 0, "items_in": 0, "items_out": 0,
            "unit_in": "", "unit_out": "", "dropped_by_reason": {}, "process_time_s": 0.0}


class StageActor:
    """One worker instance of one stage; Ray calls one method at a time.

    ``settings``: ``worker`` (the name logs carry, "<stage>-<n>"), ``log_level`` (the
    driver's engine level), ``markers_dir`` (resume: the completion markers) and
    ``resume_index`` (the stage that skips completed source tasks). A restarted actor
    (Ray's ``max_restarts``) is a new process that runs this again, and ``setup`` again
    before it processes anything.
    """

    def __init__(self, source, settings: dict | None = None) -> None:
        import ray

        settings = settings or {}
        context = ray.get_runtime_context()
        self._node_id = context.get_node_id()
        self._worker_id = context.get_worker_id()
        self._ledger = None
        markers = settings.get("markers_dir")
        if markers and settings.get("resume_index") == source.index:
            # Markers are written by the driver meanwhile: keep its temporary files.
            self._ledger = native().CompletionLedger(markers, False)
        self._stage = source.build(self._ledger)
        name = self._stage.name
        self._worker = settings.get("worker") or f"{name}-0"
        # Every engine record of this process is the stage's: tag it for the driver's log.
        level = settings.get("log_level", "info")
        native().configure_worker_logging(name, self._worker, self._node_id, level)
        _tag_python_logs(f"{name}/{self._worker}@{self._node_id}", level)
        self._counters = native().StageCounters()
        self._set_up = False
        self._last_end: float | None = None

    def setup(self) -> str:
        """Call the stage's ``setup`` unless it ran in this process; return the node."""
        if self._set_up:
            return self._node_id
        try:
            self._stage.setup(self._worker_id)
        except Exception as error:
            raise RuntimeError(
                f"stage '{self._stage.name}' failed in setup on node {self._node_id} "
                f"(worker {self._worker}): {error}") from error
        self._set_up = True
        self._last_end = time.time()
        return self._node_id

    def _report(self, begin: float, pieces: list, **extra) -> dict:
        """Return the report of a call that began at ``begin`` and produced ``pieces``: the
        counters of this call's work (see ``StageCounters.take``) with ``outputs``,
        ``part_sizes``, ``pid``, ``start``/``end`` (epoch seconds), ``decode_s``/``encode_s``
        (time spent turning bytes into tasks and back), ``idle_s`` (since the previous
        call) and ``skipped`` (source tasks skipped so far by this process)."""
        end = time.time()
        report = self._counters.take()
        report.update(outputs=sum(len(piece) for piece in pieces),
                      part_sizes=[len(piece) for piece in pieces], pid=os.getpid(),
                      start=begin, end=end, decode_s=0.0, encode_s=0.0,
                      idle_s=max(0.0, begin - (self._last_end or begin)),
                      skipped=self._ledger.skipped if self._ledger is not None else 0)
        report.update(extra)
        self._last_end = end
        return report

    def process(self, bundle: list, start: int = 0, stop: int | None = None,
                parts: int = 1) -> tuple:
        """Process pairs ``start:stop`` of a bundle of (key, serialised task), ``batch_size``
        a call.

        Return (report, part 1, ..., part ``parts``): the (key, serialised output) pairs cut
        into ``parts`` contiguous lists (some maybe empty) that travel on as bundles of
        their own, so the next stage's actors share them. The driver reads only the report
        (see ``_report``). A failure raises RuntimeError naming the stage, the task ids and
        the node.
        """
        self.setup()
        begin = time.time()
        clock = time.perf_counter()
        pairs = bundle[start:stop]
        tasks = [native().task_from_bytes(blob) for _, blob in pairs]
        decoded = time.perf_counter() - clock
        size = max(1, self._stage.batch_size)
        outputs = []
        encoded = 0.0
        for first in range(0, len(tasks), size):
            chunk = tasks[first:first + size]
            keys = [key for key, _ in pairs[first:first + size]]
            try:
                produced = self._stage.process_batch(chunk, self._counters)
            except Exception as error:
                ids = ", ".join(repr(task.task_id) for task in chunk)
                raise RuntimeError(
                    f"stage '{self._stage.name}' failed on task {ids} on node {self._node_id} "
                    f"(worker {self._worker}): {error}") from error
            clock = time.perf_counter()
            outputs.extend(zip(output_keys(keys, len(produced)),
                               (out_of_band(native().task_to_bytes(t)) for t in produced)))
            encoded += time.perf_counter() - clock
        pieces = cut(outputs, parts)
        return (self._report(begin, pieces, decode_s=decoded, encode_s=encoded), *pieces)

    def teardown(self):
        """Call the stage's ``teardown`` once, if ``setup`` ran; return the stage's counters
        (what the driver merges into its own stage object), or None."""
        if self._set_up:
            self._set_up = False
            self._stage.teardown()
        counters = getattr(self._stage, "counters", None)
        return counters() if counters is not None else None
