"""The ``curate`` command of the Python package (``pip install curate``).

Every command is the engine's own command line, run in this process, with one addition:
a pipeline or workflow file whose ``executor.type`` is ``ray`` runs on Ray through
:class:`curate.backends.ray.RayExecutor` (the standalone C++ binary refuses it), and
with ``RAY_ADDRESS`` set, ``curate resources`` lists the Ray cluster's nodes. A ``ray``
file is checked by the engine first, exactly as ``curate run`` checks any file (every
mistake with its file and line, exit status 2); a failed run prints
``curate: <reason>`` and exits with 1, as the binary does.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import pathlib
import sys
import time
from collections.abc import Iterator

from curate._native import native

__all__ = ["main"]


def _parse_run(args: list[str]) -> argparse.Namespace | None:
    """Read ``[-C DIR] run PIPELINE [options]`` as the engine does; None for anything else."""
    parser = argparse.ArgumentParser(prog="curate", add_help=False, allow_abbrev=False)
    parser.add_argument("-C", dest="directory")
    parser.add_argument("command")
    parser.add_argument("pipeline")
    parser.add_argument("--set", dest="sets", action="append", default=[])
    parser.add_argument("--log-dir")
    parser.add_argument("--overwrite", action="store_true")
    parser.add_argument("-q", "--quiet", action="store_true")
    parser.add_argument("--progress-interval", type=float)
    try:
        parsed, unknown = parser.parse_known_args(args)
    except SystemExit:  # the engine reports bad arguments in its own words
        return None
    if parsed.command != "run" or unknown:
        return None
    return parsed


def _command(args: list[str]) -> str | None:
    rest = list(args)
    if rest[:1] == ["-C"]:
        rest = rest[2:]
    return rest[0] if rest else None


@contextlib.contextmanager
def _working_directory(directory: str | None) -> Iterator[None]:
    previous = os.getcwd()
    if directory:
        os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(previous)


@contextlib.contextmanager
def _ray_connection(address: str | None) -> Iterator[None]:
    """Connect to Ray at ``address`` for the block (and disconnect), unless connected."""
    import logging

    import ray

    started = not ray.is_initialized()
    if started:
        ray.init(address=address, ignore_reinit_error=True, include_dashboard=False,
                 logging_level=logging.WARNING)
    try:
        yield
    finally:
        if started:
            ray.shutdown()


def _utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _report_config_error(error: ValueError) -> int:
    for line in str(error).splitlines():
        print(f"curate: {line}", file=sys.stderr)
    return native().EXIT_USAGE


def _entry_stage(entry: dict):
    """Return the engine stage of a pipeline-file entry (registry name, params, overrides)."""
    from curate.stages._engine import EngineStage

    stage = EngineStage(entry["stage"], entry.get("params") or {}, name=entry.get("name"))
    for key, value in entry.items():
        if key not in ("stage", "params", "name"):
            stage._overrides[key] = value
    return stage


def _ray_executor(config: dict):
    """Return the RayExecutor of an ``executor: {type: ray, config: ...}`` section."""
    try:
        from curate.backends.ray import RayExecutor
        import ray  # noqa: F401 - fail here, with the install hint, not mid-run
    except ImportError as error:
        raise RuntimeError("executor type 'ray' needs Ray: install it with "
                           "`pip install 'curate[ray]'`") from error
    config = dict(config)
    ignore_head_node = bool(config.pop("ignore_head_node", False))
    config.pop("log_level", None)  # the engine's level was set when the file was checked
    return RayExecutor(config=config, ignore_head_node=ignore_head_node)


def _run_ray_pipeline(options: argparse.Namespace) -> int:
    """Run a ``type: ray`` pipeline file with the RayExecutor; write stats.json."""
    try:
        name_probe = json.loads(native().check_pipeline_file(options.pipeline, options.sets, ""))
        log_dir = pathlib.Path(options.log_dir or pathlib.Path("logs") / name_probe["name"])
        document = json.loads(native().check_pipeline_file(options.pipeline, options.sets,
                                                           str(log_dir)))
        if options.overwrite:
            # As the binary's --overwrite: the output folders are emptied first (never one
            # holding the file, the log folder or an input); the executor then clears the
            # log folder's markers, fingerprint, stats.json and errors.jsonl.
            native().clear_pipeline_outputs(options.pipeline, options.sets, str(log_dir))
    except ValueError as error:
        return _report_config_error(error)
    config = document["executor"]["config"]
    stages = [_entry_stage(entry) for entry in document["stages"]]
    record = {"pipeline": document["name"], "pipeline_file": options.pipeline,
              "executor_type": "ray", "executor_config": config, "start_time": _utc_now(),
              "log_dir": str(log_dir), "interrupted": False}
    status, error, outputs, start = native().EXIT_SUCCESS, None, [], time.monotonic()
    try:
        earlier_stats = (log_dir / "stats.json").stat().st_mtime_ns
    except OSError:
        earlier_stats = None
    try:
        # The executor keeps the log folder as the binary does: completion markers (a
        # rerun resumes, unless --overwrite) and the run's stats, which this record
        # completes below.
        executor = _ray_executor({**config, "log_dir": str(log_dir),
                                  "overwrite": bool(options.overwrite)})
        from curate.pipeline import Pipeline

        pipeline = Pipeline(name=document["name"], description=document.get("description"),
                            stages=stages)
        outputs = pipeline.run(executor)
    except KeyboardInterrupt:
        status, error, record["interrupted"] = 130, "interrupted by SIGINT", True
    except Exception as failure:  # noqa: BLE001 - reported as the binary reports a failure
        status, error = native().EXIT_RUN_FAILED, " ".join(str(failure).split("\n"))
    record.update({"end_time": _utc_now(), "wall_time_s": time.monotonic() - start,
                   "exit_status": status, "output_tasks": len(outputs)})
    if error is not None:
        record["error"] = error
    log_dir.mkdir(parents=True, exist_ok=True)
    stats_path = log_dir / "stats.json"
    executor_stats = {}
    try:  # the executor's stats of this run (stages, resume), when it got that far
        if stats_path.stat().st_mtime_ns != earlier_stats:
            executor_stats = json.loads(stats_path.read_text())
    except (OSError, ValueError):
        pass
    record = {**executor_stats, **record}
    temporary = stats_path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(record, indent=2) + "\n")
    temporary.replace(stats_path)
    if not options.quiet:
        word = "finished" if status == native().EXIT_SUCCESS else (
            "INTERRUPTED" if record["interrupted"] else "FAILED")
        bad = (record.get("bad_records") or {}).get("total", 0)
        print(f"{word} in {record['wall_time_s']:.2f}s on Ray; {len(outputs)} output tasks; "
              f"bad records: {bad}; stats: {stats_path}", flush=True)
    if error is not None:
        print(f"curate: {error}", file=sys.stderr, flush=True)
    return status


def _run_ray_workflow(options: argparse.Namespace) -> int:
    """Run a ``type: ray`` workflow file through the Python workflow classes on Ray."""
    try:
        document = json.loads(native().check_workflow_file(options.pipeline))
    except ValueError as error:
        return _report_config_error(error)
    from curate.stages.deduplication.exact.workflow import ExactDeduplicationWorkflow
    from curate.stages.deduplication.fuzzy.workflow import FuzzyDeduplicationWorkflow

    classes = {"exact_deduplication": ExactDeduplicationWorkflow,
               "fuzzy_deduplication": FuzzyDeduplicationWorkflow}
    try:
        executor = _ray_executor(document.get("executor", {}).get("config", {}) or {})
        workflow = classes[document["workflow"]](**(document.get("params") or {}))
        result = workflow.run(executor=executor)
    except Exception as failure:  # noqa: BLE001 - reported as the binary reports a failure
        print(f"curate: {' '.join(str(failure).split())}", file=sys.stderr, flush=True)
        return native().EXIT_RUN_FAILED
    if not options.quiet:
        print(json.dumps(result.metadata, indent=2, default=str), flush=True)
    return native().EXIT_SUCCESS


def _run_on_ray(options: argparse.Namespace) -> int:
    with _working_directory(options.directory):
        if native().is_workflow_file(options.pipeline):
            return _run_ray_workflow(options)
        return _run_ray_pipeline(options)


def main(argv: list[str] | None = None) -> int:
    """Run the ``curate`` command; return its exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    run = _parse_run(args)
    if run is not None:
        with _working_directory(run.directory):
            kind = native().run_file_executor_type(run.pipeline, run.sets)
        if kind == "ray":
            return _run_on_ray(run)
    sys.stdout.flush()
    sys.stderr.flush()
    if _command(args) == "resources" and os.environ.get("RAY_ADDRESS"):
        # Under Ray the engine's `resources` lists the Ray cluster's nodes.
        from curate.backends.ray._cluster import ray_cluster_scope

        with _ray_connection(os.environ["RAY_ADDRESS"]), ray_cluster_scope():
            return native().run_cli(args)
    return native().run_cli(args)


if __name__ == "__main__":
    sys.exit(main())
