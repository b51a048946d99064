"""The record of a RayExecutor run, as ``curate run`` keeps it for the LocalExecutor.

The driver adds every actor call's report (the counters of ``StageCounters.take`` plus
the call's times and process id) as it arrives, so a stage's figures survive a killed
actor without counting its lost call. From them come progress lines, the run's stats
(``RunStats`` JSON, made complete and tabled by the engine) and, with a log folder,
``stats.json`` and the completion markers that let a rerun skip finished source tasks.
Used by the driver thread only.
"""

from __future__ import annotations

import datetime
import json
import logging
import time

from curate._native import native

_log = logging.getLogger("curate.ray")
_DOCUMENTS = "documents"
_ITEMS = "items"


def merge_unit(seen: str, unit: str) -> str:
    """The engine's rule (merge_unit_name): the first unit, kept while units agree."""
    if not unit or unit == seen:
        return seen
    return unit if not seen else _ITEMS


def unit_of(tasks: list) -> str:
    """Return the unit the items of engine ``tasks`` count in, by ``merge_unit``."""
    unit = ""
    for task in tasks:
        unit = merge_unit(unit, task.item_unit)
    return unit


def _utc_now() -> str:
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class _Stage:
    """What one stage did, summed over its actors' calls."""

    def __init__(self, name: str, workers: int) -> None:
        self.name = name
        self.workers = workers
        self.pids: set[int] = set()
        self.counts = dict.fromkeys(
            ("calls", "tasks_in", "tasks_out", "items_in", "items_out"), 0)
        self.unit_in = self.unit_out = ""
        self.dropped: dict[str, int] = {}
        self.process_time_s = self.idle_time_s = 0.0
        self.decode_s = self.encode_s = 0.0
        self.first_start: float | None = None
        self.last_end: float | None = None
        self.skipped: dict[int, int] = {}  # pid -> source tasks its ledger skipped

    def add(self, report: dict) -> None:
        for key in self.counts:
            self.counts[key] += report[key]
        self.unit_in = merge_unit(self.unit_in, report["unit_in"])
        self.unit_out = merge_unit(self.unit_out, report["unit_out"])
        for reason, count in report["dropped_by_reason"].items():
            self.dropped[reason] = self.dropped.get(reason, 0) + count
        self.process_time_s += report["process_time_s"]
        self.idle_time_s += report["idle_s"]
        self.decode_s += report["decode_s"]
        self.encode_s += report["encode_s"]
        self.pids.add(report["pid"])
        self.skipped[report["pid"]] = report["skipped"]
        if self.first_start is None or report["start"] < self.first_start:
            self.first_start = report["start"]
        if self.last_end is None or report["end"] > self.last_end:
            self.last_end = report["end"]

    def to_json(self) -> dict:
        wall = 0.0 if self.first_start is None else self.last_end - self.first_start
        return {"name": self.name, "workers": self.workers, "instances": len(self.pids),
                **self.counts, "items_in_unit": self.unit_in or None,
                "items_out_unit": self.unit_out or None, "dropped_by_reason": self.dropped,
                "process_time_s": self.process_time_s, "idle_time_s": self.idle_time_s,
                "wall_time_s": wall}


class RunRecord:
    """Counters, progress and stats of one run; see the module's comment."""

    def __init__(self, names: list[str], workers: list[int], input_tasks: int,
                 progress_interval_s: float | None) -> None:
        self.stages = [_Stage(name, count) for name, count in zip(names, workers)]
        self.input_tasks = input_tasks
        self.output_tasks = 0
        self.started = time.monotonic()
        self.start_time = _utc_now()
        self._interval = progress_interval_s or 0.0
        self._last_line = self.started
        self.ledger = None  # a CompletionLedger on the driver, when the run resumes
        self.completion = None  # the completion stage fed the last stage's outputs
        self.resumable = False

    def add(self, stage: int, report: dict) -> None:
        """Count one finished actor call of stage ``stage``."""
        self.stages[stage].add(report)

    def complete(self, tasks: list) -> None:
        """Record the last stage's outputs ``tasks`` (engine tasks) reaching the end."""
        self.output_tasks += len(tasks)
        if self.completion is not None and tasks:
            self.completion.process_batch(tasks)  # writes the markers of finished sources

    def skipped(self) -> int:
        """Return the source tasks skipped because an earlier run completed them."""
        return sum(sum(stage.skipped.values()) for stage in self.stages)

    def wait_s(self) -> float | None:
        """Return how long the driver may wait for a reply before the next progress line."""
        return self._interval or None

    def progress(self, queued: list[int], force: bool = False) -> None:
        """Log the plain progress line of ``curate run`` every interval (or now)."""
        now = time.monotonic()
        if not force and (not self._interval or now - self._last_line < self._interval):
            return
        self._last_line = now
        lines = [{"name": s.name, "workers": s.workers, "tasks_done": s.counts["tasks_in"],
                  "tasks_out": s.counts["tasks_out"], "items_in": s.counts["items_in"],
                  "unit_in": s.unit_in, "items_out": s.counts["items_out"],
                  "unit_out": s.unit_out, "queue_depth": depth}
                 for s, depth in zip(self.stages, queued)]
        _log.info("RayExecutor %s", native().progress_line(json.dumps(lines), now - self.started))

    def stats(self, succeeded: bool, error: str) -> dict:
        """Return the run's stats as RunStats JSON (the engine adds documents, throughput)."""
        stats = {"executor": "RayExecutor", "wall_time_s": time.monotonic() - self.started,
                 "input_tasks": self.input_tasks, "output_tasks": self.output_tasks,
                 "succeeded": succeeded, "cancelled": False, "error": error,
                 "stages": [stage.to_json() for stage in self.stages]}
        completed = json.loads(native().run_stats_json(json.dumps(stats)))
        for entry, stage in zip(completed["stages"], self.stages):
            # Ray's own cost, beside the stage's: tasks to bytes and back in the actors.
            entry["ray"] = {"decode_s": stage.decode_s, "encode_s": stage.encode_s}
        return completed

    def table(self, stats: dict) -> str:
        """Return the terminal table of ``stats``."""
        return native().run_stats_table(json.dumps(stats))

    def log_record(self, stats: dict, log_dir: str, fingerprint: str, config: dict,
                   bad_records: dict) -> dict:
        """Return stats.json's content: the stats and what ``curate run`` adds to them
        (``bad_records``: the section the engine made of the readers' counts)."""
        source_total = stats["stages"][0]["tasks_out"] if stats["stages"] else 0
        previously = self.ledger.previously_completed if self.ledger is not None else 0
        this_run = self.ledger.completed_this_run if self.ledger is not None else 0
        complete = previously + this_run
        if source_total:
            complete = min(complete, source_total)
        return {**stats, "fingerprint": fingerprint, "executor_type": "ray",
                "executor_config": config, "start_time": self.start_time,
                "end_time": _utc_now(), "source_tasks": {"total": source_total,
                                                         "complete": complete},
                "log_dir": log_dir, "bad_records": bad_records,
                "resume": {"enabled": self.resumable, "previously_completed": previously,
                           "source_tasks_skipped": self.skipped(),
                           "source_tasks_completed": this_run}}
