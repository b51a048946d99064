"""The RayExecutor's benchmarks (issue 12, section 5); run by scripts/bench.sh.

    python bench/python/bench_ray.py CORPUS_DIR [--repeat N] [--cpus 2]

1. NeMo Curator's English filters (read JSONL, heuristic filters, write) on 2 CPUs:
   RayExecutor on a local Ray of 2 CPUs against the LocalExecutor with 2 workers per
   stage: the wall-time ratio (goal <= 1.15). Ray is started before the timed runs (a
   cluster is up before a pipeline runs); actor start-up and setup are timed. Also the
   ratio net of a run's fixed cost on Ray (a run over 40 documents).
2. Object-store throughput: batches of about 8 MB passed from one stage to the next
   (serialised, put, fetched, deserialised; two pass-through Python stages, nothing
   returned to the driver), in MB/s of batch bytes.
Each figure is the median of --repeat runs (default 3). Prints one line per figure.
"""

from __future__ import annotations

import argparse
import os
import logging
import pathlib
import shutil
import statistics
import tempfile
import time

import yaml

from curate.backends.local import LocalExecutor
from curate.pipeline import Pipeline
from curate.stages._engine import EngineStage
from curate.stages.base import ProcessingStage
from curate.stages.text.io.reader import JsonlReader
from curate.stages.text.io.writer import JsonlWriter
from curate.tasks import DocumentBatch

REPO = pathlib.Path(__file__).resolve().parents[2]


class PassOn(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Hand each batch on untouched (the second one drops it: nothing goes to the driver)."""

    name = "pass_on"

    def __init__(self, keep: bool) -> None:
        self.keep = keep

    def process(self, task: DocumentBatch) -> DocumentBatch | None:
        return task if self.keep else None


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def english_filters(corpus: pathlib.Path, repeat: int, cpus: int, work: pathlib.Path) -> str:
    from curate.backends.ray import RayExecutor

    rules = yaml.safe_load((REPO / "examples" / "filters" / "nemo_english.yaml").read_text())

    def pipeline(out: pathlib.Path) -> Pipeline:
        return Pipeline("nemo_english_ray", stages=[
            JsonlReader(str(corpus), files_per_partition=1),
            EngineStage("heuristic_filter", {"filters": rules}),
            JsonlWriter(str(out), mode="overwrite"),
        ])

    local = LocalExecutor({"num_cpus": cpus, "log_level": "warn"})
    # 2 workers per stage on both sides (the LocalExecutor sizes each pool to the CPUs).
    ray_executor = RayExecutor({"progress_interval_s": 0, "log_level": "warn",
                                "ray_remote_args": {"num_workers": cpus}})
    local_times, ray_times = [], []
    for _ in range(repeat):  # interleaved, so that a busy moment of the VM hits both
        local_times.append(timed(lambda: pipeline(work / "local").run(local)))
        ray_times.append(timed(lambda: pipeline(work / "ray").run(ray_executor)))
    local_s, ray_s = statistics.median(local_times), statistics.median(ray_times)
    stats = ray_executor.last_run_stats
    where = ", ".join(f"{s['name']} {s['workers']}x process {s['process_time_s']:.1f}s "
                      f"decode {s['ray']['decode_s']:.1f}s encode {s['ray']['encode_s']:.1f}s"
                      for s in stats["stages"])
    # What a run costs whatever its size (actors started, set up, torn down): one file of
    # a few documents.
    tiny = work / "tiny"
    tiny.mkdir(exist_ok=True)
    first_file = sorted(corpus.glob("*.jsonl*"))[0]
    with open(first_file, "rb") as source, open(tiny / first_file.name, "wb") as sample:
        sample.writelines(line for _, line in zip(range(40), source))
    fixed_s = statistics.median(
        timed(lambda: Pipeline("tiny", stages=[
            JsonlReader(str(tiny), files_per_partition=1),
            EngineStage("heuristic_filter", {"filters": rules}),
            JsonlWriter(str(work / "tiny_out"), mode="overwrite")]).run(ray_executor))
        for _ in range(repeat))
    megabytes = sum(p.stat().st_size for p in corpus.glob("*.jsonl*")) / 1e6
    return (f"NeMo English filters on {cpus} CPUs: RayExecutor {ray_s:.2f} s vs LocalExecutor "
            f"{local_s:.2f} s ({megabytes:.0f} MB): ratio {ray_s / local_s:.3f} (goal <= 1.15); "
            f"{(ray_s - fixed_s) / local_s:.3f} net of the {fixed_s:.2f} s a 40-document run "
            f"takes on Ray; Ray actors: {where}; runs {[round(t, 2) for t in ray_times]} vs "
            f"{[round(t, 2) for t in local_times]}")


def object_store(repeat: int) -> str:
    import pyarrow as pa

    from curate.backends.ray import RayExecutor

    text = "lorem ipsum dolor sit amet " * 40  # ~1 KB documents
    batches = 64
    executor = RayExecutor({"progress_interval_s": 0, "log_level": "warn"})

    def seconds_for(rows: int) -> float:
        table = pa.table({"text": [text] * rows})
        seeds = [DocumentBatch(task_id=f"b{i}", dataset_name="bench", data=table)
                 for i in range(batches)]

        def run():
            Pipeline("object_store", stages=[PassOn(True), PassOn(False)]).run(
                executor, initial_tasks=seeds)

        return statistics.median(timed(run) for _ in range(repeat))

    rows = int(os.environ.get("CURATE_BENCH_ROWS", 8 * 1024))  # ~8.8 MB per batch
    batch_bytes = len(text.encode()) * rows
    seconds = seconds_for(rows)
    fixed = seconds_for(1)  # actors started and set up, calls made: all but the bytes
    moved = 2 * batch_bytes * batches  # driver -> first stage -> second stage: two hops
    return (f"object store, batches between two stages: {moved / 1e6 / seconds:.0f} MB/s "
            f"({batches} batches of {batch_bytes / 1e6:.1f} MB, two hops, {seconds:.2f} s; "
            f"{moved / 1e6 / max(seconds - fixed, 1e-9):.0f} MB/s net of the {fixed:.2f} s "
            "a run of 1-row batches takes)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cpus", type=int, default=2)
    args = parser.parse_args()
    import ray

    # "local": a Ray of our own, never one another process left running on this machine.
    ray.init(address="local", num_cpus=args.cpus, include_dashboard=False, logging_level=logging.WARNING,
             log_to_driver=False)
    work = pathlib.Path(tempfile.mkdtemp(prefix="curate-bench-ray-"))
    try:
        print(english_filters(pathlib.Path(args.corpus), args.repeat, args.cpus, work),
              flush=True)
        print(object_store(args.repeat), flush=True)
    finally:
        ray.shutdown()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
