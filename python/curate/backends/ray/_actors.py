"""What runs inside Ray workers: a stage actor and the per-node setup task.

Each rebuilds its stage from the pipeline document (registry names and parameters) and
the Python stage objects Ray unpickled for it, then picks the stage at ``index`` of the
built (composites expanded) list. Tasks travel as ``task_to_bytes`` blobs.
"""

from __future__ import annotations

import logging
import os
import time

from curate._native import native


def setup_on_node(document: str, python_stages: list, indices: list[int]) -> str:
    """Run ``setup_on_node`` of the stages at ``indices`` on the node this task runs on."""
    import ray

    node_id = ray.get_runtime_context().get_node_id()
    stages = native().build_stages(document, list(python_stages))
    for index in indices:
        stage = stages[index]
        try:
            stage.setup_on_node(node_id)
        except Exception as error:
            raise RuntimeError(f"stage '{stage.name}' failed in setup_on_node on node "
                               f"{node_id}: {error}") from error
    return node_id


def _out_of_band(blob: bytes):
    """Return ``blob`` as a NumPy view: Ray ships it out of band, and the receiver reads it
    in place in the object store (bytes would be copied into and out of the pickle)."""
    import numpy

    return numpy.frombuffer(blob, dtype=numpy.uint8)


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


class StageActor:
    """One worker instance of one stage; Ray calls one method at a time.

    ``settings``: ``worker`` (the name logs carry, "<stage>-<n>"), ``log_level`` (the
    driver's engine level), ``markers_dir`` (resume: the completion markers) and
    ``resume_index`` (the stage that skips completed source tasks). A restarted actor
    (Ray's ``max_restarts``) is a new process that runs this again, and ``setup`` again
    before it processes anything.
    """

    def __init__(self, document: str, python_stages: list, index: int, settings: dict) -> None:
        import ray

        context = ray.get_runtime_context()
        self._node_id = context.get_node_id()
        self._worker_id = context.get_worker_id()
        stages = native().build_stages(document, list(python_stages))
        name = stages[index].name
        self._worker = settings.get("worker") or f"{name}-0"
        # Every engine record of this process is the stage's: tag it for the driver's log.
        level = settings.get("log_level", "info")
        native().configure_worker_logging(name, self._worker, self._node_id, level)
        _tag_python_logs(f"{name}/{self._worker}@{self._node_id}", level)
        self._ledger = None
        markers = settings.get("markers_dir")
        if markers and settings.get("resume_index") == index:
            # Markers are written by the driver meanwhile: keep its temporary files.
            self._ledger = native().CompletionLedger(markers, False)
            stages, _ = native().add_resume_tracking(stages, self._ledger)
        self._stage = stages[index]
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

    def process(self, bundle: list, start: int = 0, stop: int | None = None,
                parts: int = 1) -> tuple:
        """Process tasks ``start:stop`` of a bundle of serialised tasks, ``batch_size`` a call.

        Return (report, part 1, ..., part ``parts``): the outputs, serialised, cut into
        ``parts`` contiguous lists (some maybe empty) that travel on as bundles of their
        own, so the next stage's actors share them. The driver reads only the report, the
        counters of this call's work (see ``StageCounters.take``) with ``outputs``,
        ``pid``, ``start``/``end`` (epoch seconds), ``decode_s``/``encode_s`` (time spent
        turning bytes into tasks and back), ``idle_s`` (since the previous call)
        and ``skipped`` (source tasks skipped so far by this process). A failure raises
        RuntimeError naming the stage, the task ids and the node.
        """
        self.setup()
        begin = time.time()
        clock = time.perf_counter()
        tasks = [native().task_from_bytes(blob) for blob in bundle[start:stop]]
        decoded = time.perf_counter() - clock
        size = max(1, self._stage.batch_size)
        outputs = []
        encoded = 0.0
        for first in range(0, len(tasks), size):
            chunk = tasks[first:first + size]
            try:
                produced = self._stage.process_batch(chunk, self._counters)
            except Exception as error:
                ids = ", ".join(repr(task.task_id) for task in chunk)
                raise RuntimeError(
                    f"stage '{self._stage.name}' failed on task {ids} on node {self._node_id} "
                    f"(worker {self._worker}): {error}") from error
            clock = time.perf_counter()
            outputs.extend(_out_of_band(native().task_to_bytes(task)) for task in produced)
            encoded += time.perf_counter() - clock
        end = time.time()
        report = self._counters.take()
        cuts = [len(outputs) * k // parts for k in range(parts + 1)]
        pieces = [outputs[cuts[k]:cuts[k + 1]] for k in range(parts)]
        report.update(outputs=len(outputs), part_sizes=[len(piece) for piece in pieces],
                      pid=os.getpid(), start=begin, end=end, decode_s=decoded, encode_s=encoded,
                      idle_s=max(0.0, begin - (self._last_end or begin)),
                      skipped=self._ledger.skipped if self._ledger is not None else 0)
        self._last_end = end
        return (report, *pieces)

    def teardown(self) -> None:
        """Call the stage's ``teardown`` once, if ``setup`` ran."""
        if self._set_up:
            self._set_up = False
            self._stage.teardown()
