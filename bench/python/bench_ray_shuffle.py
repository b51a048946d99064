"""Exact dedup's shuffle on the RayExecutor against the LocalExecutor (issue 12).

    python bench/python/bench_ray_shuffle.py CORPUS_DIR [--repeat N] [--partitions P]

Runs the exact-dedup pipeline (jsonl_reader with dedup ids, exact_duplicates: hash,
shuffle on the hash, removal list) on a local three-node Ray cluster (ray.cluster_utils:
a head and two nodes, one CPU each, as the tests use) and on the LocalExecutor (all
cores), and prints, as medians of --repeat runs (default 3):
- the MB of partition blocks (RowBlock bytes) the shuffle moved through Ray's object store,
  per second from the first route to the last reduce (reading and hashing included), and
  per second from the barrier to the last reduce (reducers fetching their blocks from
  the object store and reducing them): the object-store shuffle rate;
- the wall time of the whole pipeline on Ray and locally, and the same MB per second of
  wall time for both (the local shuffle moves the same blocks, in memory).
Both runs' removal lists are compared: the benchmark fails if they differ.
"""

from __future__ import annotations

import argparse
import logging
import pathlib
import re
import shutil
import statistics
import tempfile
import time

from curate.backends.local import LocalExecutor
from curate.pipeline import Pipeline
from curate.stages._engine import EngineStage
from curate.stages.text.io.reader import JsonlReader

_MOVED = re.compile(r"shuffle moved ([0-9.]+) MB .* in ([0-9.]+) s from first route to last "
                    r"reduce, ([0-9.]+) s of it from barrier")


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _pipeline(corpus: str, out: pathlib.Path, partitions: int) -> Pipeline:
    return Pipeline("exact", stages=[
        JsonlReader(corpus, files_per_partition=1, add_dedup_id=True),
        EngineStage("exact_duplicates", {"removal_list_dir": str(out),
                                         "num_partitions": partitions})])


def _listing(folder: pathlib.Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.jsonl"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--partitions", type=int, default=16)
    args = parser.parse_args()

    import ray
    from ray.cluster_utils import Cluster

    from curate.backends.ray import RayExecutor

    lines = _Lines()
    logging.getLogger("curate.ray").addHandler(lines)
    logging.getLogger("curate.ray").setLevel(logging.INFO)
    work = pathlib.Path(tempfile.mkdtemp(prefix="bench_ray_shuffle_"))
    node = {"num_cpus": 1, "object_store_memory": 200 * 1024 * 1024}
    cluster = Cluster(initialize_head=True, connect=True,
                      head_node_args={**node, "include_dashboard": False})
    try:
        for _ in range(2):
            cluster.add_node(**node)
        cluster.wait_for_nodes()
        local_s, ray_s, moved_mb, shuffle_s, reduce_s = [], [], [], [], []
        for run in range(args.repeat):
            started = time.perf_counter()
            _pipeline(args.corpus, work / f"local{run}", args.partitions).run(LocalExecutor())
            local_s.append(time.perf_counter() - started)
            del lines.lines[:]
            started = time.perf_counter()
            _pipeline(args.corpus, work / f"ray{run}", args.partitions).run(RayExecutor())
            ray_s.append(time.perf_counter() - started)
            found = [m for m in map(_MOVED.search, lines.lines) if m]
            if len(found) != 1:
                raise SystemExit(f"expected one shuffle report from the RayExecutor, got "
                                 f"{lines.lines}")
            moved_mb.append(float(found[0].group(1)))
            shuffle_s.append(float(found[0].group(2)))
            reduce_s.append(float(found[0].group(3)))
            if _listing(work / f"ray{run}") != _listing(work / f"local{run}"):
                raise SystemExit("the removal lists of Ray and the LocalExecutor differ")
            print(f"run {run + 1}: local {local_s[-1]:.2f} s, ray {ray_s[-1]:.2f} s, shuffle "
                  f"{moved_mb[-1]:.2f} MB, first route to last reduce {shuffle_s[-1]:.2f} s, "
                  f"barrier to last reduce {reduce_s[-1]:.2f} s", flush=True)
    finally:
        ray.shutdown()
        cluster.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    mb = statistics.median(moved_mb)
    print(f"ray_shuffle_mb {mb:.2f}")
    print(f"ray_shuffle_window_s {statistics.median(shuffle_s):.3f}")
    print(f"ray_route_to_reduce_mb_per_s "
          f"{statistics.median(m / s for m, s in zip(moved_mb, shuffle_s)):.1f}")
    print(f"ray_reduce_phase_s {statistics.median(reduce_s):.3f}")
    print(f"ray_reduce_phase_mb_per_s "
          f"{statistics.median(m / s for m, s in zip(moved_mb, reduce_s)):.1f}")
    print(f"ray_wall_s {statistics.median(ray_s):.2f}")
    print(f"local_wall_s {statistics.median(local_s):.2f}")
    print(f"ray_blocks_mb_per_wall_s {mb / statistics.median(ray_s):.1f}")
    print(f"local_blocks_mb_per_wall_s {mb / statistics.median(local_s):.1f}")


if __name__ == "__main__":
    main()
