"""The Python package's benchmarks (issue 11, section 4); run by scripts/bench.sh.

    python bench/python/bench_python.py CORPUS_DIR CURATE_COMMAND [--repeat N]

1. NeMo Curator's English filters through Pipeline.run against `curate run` of the same
   pipeline file on the same corpus: wall-time ratio (target within 5%).
2. A Python DocumentFilter that counts words against the C++ WordCountFilter: the ratio,
   and the cost of one Python call per document in ns.
3. Arrow export of a stream of batches totalling 1 GB: GB/s.
Each figure is the median of --repeat runs (default 3).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import shutil
import statistics
import subprocess
import tempfile
import time

import yaml

from curate._native import native
from curate.backends.local import LocalExecutor
from curate.pipeline import Pipeline
from curate.stages._engine import EngineStage
from curate.stages.text.filters import DocumentFilter, ScoreFilter
from curate.stages.text.filters.heuristic import WordCountFilter
from curate.stages.text.io.reader import JsonlReader
from curate.stages.text.io.writer import JsonlWriter

REPO = pathlib.Path(__file__).resolve().parents[2]


class KeepAll(DocumentFilter):
    """A filter that does nothing: what remains is the cost of calling Python."""

    def score_document(self, text: str) -> int:
        return 0

    def keep_document(self, score: int) -> bool:
        return True


class PythonWordCount(DocumentFilter):
    def score_document(self, text: str) -> int:
        return len(text.split())

    def keep_document(self, score: int) -> bool:
        return 50 <= score <= 100000


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def median_time(function, repeat: int) -> float:
    return statistics.median(timed(function) for _ in range(repeat))


def english_filters(corpus: pathlib.Path, command: str, repeat: int, work: pathlib.Path) -> str:
    rules = yaml.safe_load((REPO / "examples" / "filters" / "nemo_english.yaml").read_text())
    config = {"num_cpus": 1, "log_level": "warn"}
    out = work / "python_out"

    def python_run():
        Pipeline("nemo_english_e2e", stages=[
            JsonlReader(str(corpus), files_per_partition=1),
            EngineStage("heuristic_filter", {"filters": rules}),
            JsonlWriter(str(out), mode="overwrite"),
        ]).run(LocalExecutor(config))

    pipeline_file = work / "e2e.json"
    pipeline_file.write_text(json.dumps({"name": "nemo_english_e2e", "executor": {
        "type": "local", "config": config}, "stages": [
            {"stage": "jsonl_reader", "params": {"paths": str(corpus), "files_per_partition": 1}},
            {"stage": "heuristic_filter", "params": {"filters": rules}},
            {"stage": "jsonl_writer", "params": {"output_dir": str(work / "cli_out")}}]}))

    def cli_run():
        subprocess.run([command, "run", str(pipeline_file), "--quiet", "--overwrite",
                        "--log-dir", str(work / "logs")], check=True)

    python_s = median_time(python_run, repeat)
    cli_s = median_time(cli_run, repeat)
    return (f"NeMo English filters: Pipeline.run {python_s:.3f} s, curate run {cli_s:.3f} s, "
            f"ratio {python_s / cli_s:.3f} (target <= 1.05)")


def document_filter(corpus: pathlib.Path, repeat: int) -> str:
    def run(filter_obj) -> int:
        outputs = Pipeline("count", stages=[
            JsonlReader(str(corpus), files_per_partition=1), ScoreFilter(filter_obj),
        ]).run(LocalExecutor({"num_cpus": 1, "log_level": "warn"}))
        return sum(task.num_items for task in outputs)

    documents = sum(t.num_items for t in Pipeline("all", stages=[JsonlReader(str(corpus))]).run(
        LocalExecutor({"num_cpus": 1, "log_level": "warn"})))
    assert run(PythonWordCount()) == run(WordCountFilter())
    python_s = median_time(lambda: run(PythonWordCount()), repeat)
    engine_s = median_time(lambda: run(WordCountFilter()), repeat)
    per_doc_ns = (python_s - engine_s) / documents * 1e9
    keep_all_s = median_time(lambda: run(KeepAll()), repeat)
    reader_s = median_time(lambda: Pipeline("read", stages=[
        JsonlReader(str(corpus), files_per_partition=1)]).run(
            LocalExecutor({"num_cpus": 1, "log_level": "warn"})), repeat)
    call_ns = (keep_all_s - reader_s) / documents * 1e9
    return (f"word count, Python DocumentFilter {python_s:.3f} s vs C++ WordCountFilter "
            f"{engine_s:.3f} s: ratio {python_s / engine_s:.2f}, {per_doc_ns:.0f} ns more per "
            f"document ({documents} documents); a Python filter that does nothing costs "
            f"{call_ns:.0f} ns per document (two calls and a str)")


def arrow_export(repeat: int) -> str:
    import pyarrow as pa

    text = "lorem ipsum dolor sit amet " * 40  # ~1 KB documents
    rows = 64 * 1024  # ~70 MB per batch
    batch = native().NativeBatch.from_arrow(pa.table({"text": [text] * rows}))
    total = 0
    count = 0
    batch_bytes = len(text.encode()) * rows
    while total < 1e9:
        total += batch_bytes
        count += 1

    class Stream:  # what pyarrow takes: an object with __arrow_c_stream__
        def __arrow_c_stream__(self, requested_schema=None):
            return native().export_stream([batch] * count)

    def export():
        reader = pa.RecordBatchReader.from_stream(Stream())
        for record_batch in reader:
            record_batch.column(0)

    seconds = median_time(export, repeat)
    return f"Arrow export of {count} batches, {total / 1e9:.2f} GB: {total / 1e9 / seconds:.1f} GB/s"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("command")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="curate-bench-python-"))
    try:
        corpus = pathlib.Path(args.corpus)
        print(english_filters(corpus, args.command, args.repeat, work), flush=True)
        print(document_filter(corpus, args.repeat), flush=True)
        print(arrow_export(args.repeat), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
