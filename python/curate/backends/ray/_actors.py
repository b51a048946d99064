"""What runs inside Ray workers: a stage actor (the per-node setup task is in _cluster).

Each actor gets its stage from a source: a ``DocumentStage`` (rebuilt from the pipeline
document, registry names and parameters, and the Python stage objects Ray unpickled for
it: the stage at ``index`` of the built, composites expanded, list), or a
``ShippedStage`` (a built engine stage that Ray pickled as its description). Tasks
travel as ``task_to_bytes`` blobs, sent as NumPy views (out of band: the receiver reads
them in place in the object store), each with its order key (see ``output_keys``): a
bundle is a list of ``(key, blob)`` pairs. An actor is given a ``StageChain`` of sources:
one stage, or consecutive task stages it runs as one (the LocalExecutor's fusion), the
tasks passing from stage to stage inside the process, never through the object store.
"""

from __future__ import annotations

import json
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
        return self.build_many([self.index], ledger)[0]

    def build_many(self, indices: list[int], ledger=None) -> list:
        """Return fresh instances of the stages at ``indices``, from one build."""
        stages = native().build_stages(self.document, list(self.python_stages))
        if ledger is not None:
            stages, _ = native().add_resume_tracking(stages, ledger)
        return [stages[i] for i in indices]


class ShippedStage:
    """A built engine stage (NativeStage), pickled by Ray as its description (the C++
    workflows' stages, which no pipeline document names)."""

    def __init__(self, stage) -> None:
        self.stage = stage
        self.index = -1  # never the stage that resumes

    def build(self, ledger=None):
        """Return this process's copy of the stage (each unpickling makes its own)."""
        return self.stage


class StageChain:
    """The stages one actor runs: one, or consecutive task stages run as one, each output
    of a stage going alone to the next (``_plan`` decides which stages fuse). ``links``
    are the stages' sources, all DocumentStage or all ShippedStage."""

    def __init__(self, links: list) -> None:
        self.links = links
        self.index = links[0].index
        self.indices = [link.index for link in links]

    def build(self, ledger=None) -> list:
        """Return this process's instances of the chain's stages, in order."""
        head = self.links[0]
        if isinstance(head, DocumentStage):
            return head.build_many(self.indices, ledger)
        return [link.build(ledger) for link in self.links]


_PYTHON_LEVELS = {"trace": logging.DEBUG, "debug": logging.DEBUG, "info": logging.INFO,
                  "warn": logging.WARNING, "err": logging.ERROR, "critical": logging.CRITICAL,
                  "off": logging.CRITICAL + 10}


class _StageTag(logging.Filter):
    """Put the tag of the stage the actor is calling (``current``) on every Python record."""

    def __init__(self, tags: list[str]) -> None:
        super().__init__()
        self.tags = tags
        self.current = 0

    def filter(self, record: logging.LogRecord) -> bool:
        record.curate_tag = self.tags[self.current]
        return True


def _tag_python_logs(tags: list[str], level: str) -> _StageTag:
    """Make this process's Python log records (a Python stage's) carry the engine's tag of
    the stage being called; return the filter that says which one."""
    tagger = _StageTag(tags)
    handler = logging.StreamHandler()
    handler.addFilter(tagger)
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s [%(curate_tag)s] %(name)s: %(message)s"))
    logging.basicConfig(handlers=[handler], force=True)
    logging.getLogger("curate").setLevel(_PYTHON_LEVELS.get(level, logging.INFO))
    return tagger


def empty_report() -> dict:
    """Return the report of a call that counted nothing (``StageCounters.take``'s keys)."""
    return {"calls": 0, "tasks_in": 0, "tasks_out": 0, "items_in": 0, "items_out": 0,
            "unit_in": "", "unit_out": "", "dropped_by_reason": {}, "process_time_s": 0.0}


_SOURCE_TASK = "source_task"  # the resume tracking's metadata key (cli/resume.hpp)


def _count_source_outputs(outputs: list[tuple], count: int) -> None:
    """Write ``count`` (how many outputs the streamed source task had) into the resume
    metadata of ``outputs``, the chain's outputs of that source task.

    A streaming source stage under resume tracking learns its output count when its
    stream ends and tells its own ledger, which in a Ray actor is not the driver's: the
    driver's completion stage reads the count from the outputs instead, as it does for a
    stage that does not stream.
    """
    for _, task in outputs:
        metadata = json.loads(task.metadata_json())
        source = metadata.get(_SOURCE_TASK)
        if isinstance(source, dict) and "count" not in source:
            source["count"] = count
            task.set_metadata_json(json.dumps(metadata))


class StageActor:
    """One worker instance of one stage, or of a chain of fused task stages (its head is
    ``_stage``); Ray calls one method at a time.

    ``settings``: ``worker`` (the name logs carry, "<stage>-<n>"), ``ordinal`` (n: a
    chain's logs name each stage's worker "<stage>-<n>"), ``log_level`` (the driver's
    engine level), ``markers_dir`` (resume: the completion markers) and ``resume_index``
    (the stage that skips completed source tasks). A restarted actor
    (Ray's ``max_restarts``) is a new process that runs this again, and ``setup`` again
    before it processes anything.
    """

    def __init__(self, source: StageChain, settings: dict | None = None) -> None:
        import ray

        settings = settings or {}
        context = ray.get_runtime_context()
        self._node_id = context.get_node_id()
        self._worker_id = context.get_worker_id()
        self._ledger = None
        markers = settings.get("markers_dir")
        if markers and settings.get("resume_index") in source.indices:
            # Markers are written by the driver meanwhile: keep its temporary files.
            self._ledger = native().CompletionLedger(markers, False)
        self._stages = source.build(self._ledger)
        self._stage = self._stages[0]
        names = [stage.name for stage in self._stages]
        if len(names) == 1:
            self._workers = [settings.get("worker") or f"{names[0]}-0"]
        else:  # worker n of a chain is worker n of each of its stages
            self._workers = [f"{name}-{settings.get('ordinal', 0)}" for name in names]
        self._worker = self._workers[0]
        # Every engine record of this process is a stage's: tag it for the driver's log,
        # with the name of the stage being called.
        level = settings.get("log_level", "info")
        native().configure_chain_logging(names, self._workers, self._node_id, level)
        self._tagger = _tag_python_logs(
            [f"{name}/{worker}@{self._node_id}" for name, worker in zip(names, self._workers)],
            level)
        self._chain_counters = [native().StageCounters() for _ in self._stages]
        self._set_up = False
        self._last_end: float | None = None

    def setup(self) -> str:
        """Call the stages' ``setup`` unless it ran in this process; return the node."""
        if self._set_up:
            return self._node_id
        for done, stage in enumerate(self._stages):
            self._select(done)
            try:
                stage.setup(self._worker_id)
            except Exception as error:
                for ready in reversed(self._stages[:done]):
                    ready.teardown()
                raise RuntimeError(
                    f"stage '{stage.name}' failed in setup on node {self._node_id} "
                    f"(worker {self._workers[done]}): {error}") from error
        self._set_up = True
        self._last_end = time.time()
        return self._node_id

    def _report(self, begin: float, pieces: list, of_stage: int = 0, **extra) -> dict:
        """Return the report of a call that began at ``begin`` and produced ``pieces``: the
        counters of this call's work (see ``StageCounters.take``) with ``outputs``,
        ``part_sizes``, ``pid``, ``start``/``end`` (epoch seconds), ``decode_s``/``encode_s``
        (time spent turning bytes into tasks and back), ``idle_s`` (since the previous
        call), ``skipped`` (source tasks skipped so far by this process) and ``counters``
        (see ``_stage_counters``); the counters taken, and ``entry``, are stage
        ``of_stage``'s."""
        end = time.time()
        report = self._chain_counters[of_stage].take()
        report.update(entry=of_stage, outputs=sum(len(piece) for piece in pieces),
                      part_sizes=[len(piece) for piece in pieces], pid=os.getpid(),
                      start=begin, end=end, decode_s=0.0, encode_s=0.0,
                      idle_s=max(0.0, begin - (self._last_end or begin)),
                      skipped=self._ledger.skipped if self._ledger is not None else 0)
        report.update(extra)
        report["counters"] = self._stage_counters()  # survives this process should it die
        self._last_end = end
        return report

    def _stage_counters(self) -> list:
        """Return each stage's counters (what the driver merges), or None for a stage
        without, one entry per stage of the actor."""
        return [stage.counters() if hasattr(stage, "counters") else None
                for stage in self._stages]

    def process(self, bundle: list, start: int = 0, stop: int | None = None,
                parts: int = 1, entry: int = 0, alone: bool = False) -> tuple:
        """Process pairs ``start:stop`` of a bundle of (key, serialised task) through the
        chain from its stage ``entry`` on (or that stage only, ``alone``: a seeded pool's
        first stage), ``batch_size`` of that stage a call; each output then goes alone
        through the stages after it.

        Return (report, part 1, ..., part ``parts``): the (key, serialised output) pairs of
        the last stage run cut into ``parts`` contiguous lists (some maybe empty) that
        travel on as bundles of their own, so the next actors share them. The driver reads
        only the report (see ``_report``; ``entry`` says which stage it is of; for a
        chain, ``chain`` holds one report per stage run, the entry's first). A failure
        raises RuntimeError naming the stage, the task ids and the node.
        """
        self.setup()
        begin = time.time()
        clock = time.perf_counter()
        pairs = bundle[start:stop]
        tasks = [native().task_from_bytes(blob) for _, blob in pairs]
        decoded = time.perf_counter() - clock
        end = entry + 1 if alone else len(self._stages)
        size = max(1, self._stages[entry].batch_size)
        outputs = []
        encoded = 0.0
        for first in range(0, len(tasks), size):
            keys = [key for key, _ in pairs[first:first + size]]
            produced = self._run_chain(entry, tasks[first:first + size], keys, end)
            clock = time.perf_counter()
            outputs.extend((key, out_of_band(native().task_to_bytes(task)))
                           for key, task in produced)
            encoded += time.perf_counter() - clock
        pieces = cut(outputs, parts)
        report = self._report(begin, pieces, entry, decode_s=decoded, encode_s=encoded)
        if len(self._stages) > 1:
            head = dict(report, encode_s=0.0 if end > entry + 1 else encoded)
            report["chain"] = [head] + [self._follower_report(k, report, end)
                                        for k in range(entry + 1, end)]
        return (report, *pieces)

    def _run_chain(self, j: int, tasks: list, keys: list[bytes], end: int) -> list[tuple]:
        """Run ``tasks`` (with order ``keys``) through stage ``j`` and, one output at a
        time, the stages after it up to ``end`` (excluded), depth first as the
        LocalExecutor's fused workers do; return the last stage's (key, task) pairs."""
        stage = self._stages[j]
        last = j + 1 == end
        if not last and stage.streams_outputs:
            return self._stream_chain(j, tasks, keys, end)
        self._select(j)
        try:
            produced = stage.process_batch(tasks, self._chain_counters[j])
        except Exception as error:
            raise self._failure(j, tasks, error) from error
        produced_keys = output_keys(keys, len(produced))
        if last:
            return list(zip(produced_keys, produced))
        out: list[tuple] = []
        for key, task in zip(produced_keys, produced):
            out.extend(self._run_chain(j + 1, [task], [key], end))
        return out

    def _stream_chain(self, j: int, tasks: list, keys: list[bytes], end: int) -> list[tuple]:
        """Run ``tasks`` through stage ``j``, a streaming stage (a reader), one at a time,
        each output going down the chain as soon as it is made: the actor then holds one
        of a task's outputs, not all of them (a whole file's batches). Keys as
        ``output_keys`` gives them."""
        out: list[tuple] = []
        failed_downstream: list = []
        for task, key in zip(tasks, keys):
            first_out, emitted = len(out), 0

            def emit(output, index: int, alone: bool, key=key) -> bool:
                nonlocal emitted
                emitted += 1
                try:
                    out.extend(self._run_chain(j + 1, [output], [key if alone else
                                                                 key + order_index(index)],
                                               end))
                except BaseException as error:
                    failed_downstream.append(error)
                    raise
                finally:
                    self._select(j)
                return True

            self._select(j)
            try:
                self._stages[j].process_stream(task, emit, self._chain_counters[j])
            except Exception as error:
                if failed_downstream:  # a later stage's own failure, already named
                    raise failed_downstream[0] from None
                raise self._failure(j, [task], error) from error
            if self._ledger is not None:
                _count_source_outputs(out[first_out:], emitted)
        return out

    def _failure(self, j: int, tasks: list, error: Exception) -> RuntimeError:
        """Return the error of stage ``j`` failing on ``tasks``, naming stage, tasks, node."""
        ids = ", ".join(repr(task.task_id) for task in tasks)
        return RuntimeError(f"stage '{self._stages[j].name}' failed on task {ids} on node "
                            f"{self._node_id} (worker {self._workers[j]}): {error}")

    def _select(self, j: int) -> None:
        """Make log records name stage ``j``, the one about to be called (fused chains)."""
        if len(self._stages) > 1:
            native().select_worker_logger(j)
            self._tagger.current = j

    def _follower_report(self, k: int, head: dict, end: int) -> dict:
        """Return the report of fused stage ``k`` (after the call's entry stage, before
        ``end``) for the call ``head`` reported: its own counters, the call's times and
        process; the encoding is the last stage's."""
        report = self._chain_counters[k].take()
        last = k + 1 == end
        report.update(outputs=head["outputs"] if last else 0, part_sizes=[], pid=head["pid"],
                      start=head["start"], end=head["end"], decode_s=0.0,
                      encode_s=head["encode_s"] if last else 0.0, idle_s=0.0, skipped=0)
        return report

    def teardown(self) -> dict:
        """Call the stages' ``teardown`` once, if ``setup`` ran; return ``pid`` (this
        process) and ``counters`` (``_stage_counters``: what the driver merges into its own
        stage objects)."""
        if self._set_up:
            self._set_up = False
            for j, stage in enumerate(self._stages):
                self._select(j)
                stage.teardown()
        return {"pid": os.getpid(), "counters": self._stage_counters()}
