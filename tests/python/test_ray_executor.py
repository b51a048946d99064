"""RayExecutor on a real three-node Ray cluster on this machine (one per module)."""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys
import time
import uuid

import pytest

from conftest import read_jsonl_folder, word_documents, write_corpus
from curate.backends.local import LocalExecutor
from curate.pipeline import Pipeline
from curate.stages.base import ProcessingStage
from curate.stages.resources import Resources
from curate.stages.text.filters import ScoreFilter
from curate.stages.text.filters.heuristic import WordCountFilter
from curate.stages.text.io.reader import JsonlReader
from curate.stages.text.io.writer import JsonlWriter
from curate.tasks import DocumentBatch

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.ray

from ray_test_cluster import HERE, OBJECT_STORE_BYTES, three_node_cluster  # noqa: E402
from ray_test_cluster import raylet_pids as _raylet_pids  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    """A head and two more nodes, 1 CPU each, connected; no Ray process left after."""
    with three_node_cluster(1) as ray_cluster:
        yield ray_cluster


def _head_node_id() -> str:
    return next(n["NodeID"] for n in ray.nodes() if "node:__internal_head__" in n["Resources"])


class Recorder(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Pass batches on; write one file per setup_on_node, setup and teardown call."""

    name = "recorder"

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def inputs(self):
        return ["data"], ["text"]

    def _record(self, kind: str, node_id: str) -> None:
        path = pathlib.Path(self.folder) / f"{kind}-{node_id}-{uuid.uuid4().hex}"
        path.write_text("")

    def setup_on_node(self, node_info=None, worker_metadata=None) -> None:
        self._record("node", node_info.node_id)

    def setup(self, worker_metadata=None) -> None:
        self._record("setup", ray.get_runtime_context().get_node_id())

    def teardown(self) -> None:
        self._record("teardown", ray.get_runtime_context().get_node_id())

    def process(self, task: DocumentBatch) -> DocumentBatch:
        return task


class Explode(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Raise on the first batch."""

    name = "explode"

    def process(self, task: DocumentBatch) -> DocumentBatch:
        raise ValueError("boom: this stage always fails")


def _records(folder: pathlib.Path, kind: str) -> list[str]:
    """Return the node ids of the `kind` records under `folder`."""
    return [p.name.split("-")[1] for p in folder.glob(f"{kind}-*")]


def _filter_pipeline(corpus: pathlib.Path, out: pathlib.Path, *middle) -> Pipeline:
    return Pipeline("ray", stages=[
        JsonlReader(str(corpus), files_per_partition=1, batch_rows=9),
        *middle,
        ScoreFilter(WordCountFilter(min_words=30, max_words=60)),
        JsonlWriter(str(out)),
    ])


@pytest.fixture(scope="module")
def ray_corpus(tmp_path_factory) -> pathlib.Path:
    return write_corpus(tmp_path_factory.mktemp("ray") / "corpus", word_documents(120), files=3)


def test_same_records_as_the_local_executor(cluster, ray_corpus, tmp_path):
    from curate.backends.ray import RayExecutor

    _filter_pipeline(ray_corpus, tmp_path / "local").run(LocalExecutor())
    outputs = _filter_pipeline(ray_corpus, tmp_path / "ray").run(RayExecutor())
    local = read_jsonl_folder(tmp_path / "local")
    on_ray = read_jsonl_folder(tmp_path / "ray")
    assert len(local) == 31
    key = lambda record: json.dumps(record, sort_keys=True)  # noqa: E731
    assert sorted(on_ray, key=key) == sorted(local, key=key)
    assert sorted(p.name for p in (tmp_path / "ray").glob("*.jsonl")) == \
        sorted(p.name for p in (tmp_path / "local").glob("*.jsonl"))
    assert outputs, "the writer's outputs come back to the driver"


def test_setup_on_node_once_per_stage_per_node_and_teardown_per_actor(cluster, ray_corpus,
                                                                      tmp_path):
    from curate.backends.ray import RayExecutor

    calls = tmp_path / "calls"
    calls.mkdir()
    pipeline = _filter_pipeline(ray_corpus, tmp_path / "out", Recorder(str(calls)))
    pipeline.run(RayExecutor())
    nodes = sorted(n["NodeID"] for n in ray.nodes() if n["Alive"])
    assert len(nodes) == 3
    assert sorted(_records(calls, "node")) == nodes
    assert _records(calls, "setup") and \
        sorted(_records(calls, "setup")) == sorted(_records(calls, "teardown"))
    assert len(read_jsonl_folder(tmp_path / "out")) == 31


def test_ignore_head_node_keeps_setup_and_actors_off_the_head(cluster, ray_corpus, tmp_path,
                                                             monkeypatch):
    from curate.backends.ray import RayExecutor

    monkeypatch.setenv("CURATOR_IGNORE_RAY_HEAD_NODE", "1")
    executor = RayExecutor()
    assert executor.ignore_head_node
    calls = tmp_path / "calls"
    calls.mkdir()
    _filter_pipeline(ray_corpus, tmp_path / "out", Recorder(str(calls))).run(executor)
    head = _head_node_id()
    assert len(_records(calls, "node")) == 2 and head not in _records(calls, "node")
    assert _records(calls, "setup") and head not in _records(calls, "setup")
    assert len(read_jsonl_folder(tmp_path / "out")) == 31


def test_a_raising_stage_fails_the_run_and_everything_is_torn_down(cluster, ray_corpus, tmp_path):
    from curate.backends.ray import RayExecutor

    calls = tmp_path / "calls"
    calls.mkdir()
    pipeline = _filter_pipeline(ray_corpus, tmp_path / "out", Recorder(str(calls)), Explode())
    started = time.monotonic()
    with pytest.raises(RuntimeError, match=r"stage 'explode' failed on task .*boom: this stage"):
        pipeline.run(RayExecutor())
    assert time.monotonic() - started < 30
    assert _records(calls, "setup") and \
        sorted(_records(calls, "setup")) == sorted(_records(calls, "teardown"))
    # The cluster is still usable: nothing of the failed run holds its CPUs.
    assert _filter_pipeline(ray_corpus, tmp_path / "again").run(RayExecutor())


def test_a_cluster_given_by_address_is_left_running(cluster, ray_corpus, tmp_path):
    from curate.backends.ray import RayExecutor

    ray.shutdown()  # the executor connects itself, and disconnects at the end
    try:
        executor = RayExecutor({"address": cluster.address})
        _filter_pipeline(ray_corpus, tmp_path / "first").run(executor)
        assert not ray.is_initialized()
        _filter_pipeline(ray_corpus, tmp_path / "second").run(executor)  # back to back
        assert len(read_jsonl_folder(tmp_path / "second")) == 31
    finally:
        ray.init(address=cluster.address)
    assert len([n for n in ray.nodes() if n["Alive"]]) == 3


def test_initial_tasks_and_python_stage_outputs_come_back(cluster, tmp_path):
    import pyarrow as pa

    from curate.backends.ray import RayExecutor

    batch = DocumentBatch(task_id="seed", dataset_name="d",
                          data=pa.table({"text": ["a b c", "one two three four five six"]}))
    stages = [Recorder(str(tmp_path)), ScoreFilter(WordCountFilter(min_words=4), score_field="wc")]
    outputs = Pipeline("seeded", stages=stages).run(RayExecutor(), initial_tasks=[batch])
    assert [t.task_id for t in outputs] == ["seed"]
    assert outputs[0].to_pyarrow().to_pydict() == {"text": ["one two three four five six"],
                                                  "wc": [6.0]}


class NeedsGpu(Recorder):
    """A recorder that asks for a GPU, which no node of the test cluster declares."""

    name = "needs_gpu"
    resources = Resources(cpus=1.0, gpus=1.0)


def test_gpu_capacity_is_checked_before_any_actor_or_setup(cluster, ray_corpus, tmp_path):
    from curate.backends.ray import RayExecutor

    pipeline = _filter_pipeline(ray_corpus, tmp_path / "out", NeedsGpu(str(tmp_path)))
    with pytest.raises(RuntimeError, match=r"Need 1 GPUs but cluster has 0 available\."):
        pipeline.run(RayExecutor())
    assert not list(tmp_path.glob("node-*")) and not list(tmp_path.glob("setup-*"))


class EnvRecorder(Recorder):
    """A recorder whose setup records two environment variables of its actor."""

    name = "env_recorder"

    def setup(self, worker_metadata=None) -> None:
        values = [os.environ.get(k, "") for k in ("CURATE_RAY_A", "CURATE_RAY_B")]
        (pathlib.Path(self.folder) / f"env-{'-'.join(values)}").write_text("")


def test_stage_remote_args_are_merged_over_the_executor_config(cluster, ray_corpus, tmp_path):
    from curate.backends.ray import RayExecutor

    executor_args = {"runtime_env": {"env_vars": {"CURATE_RAY_A": "exec", "CURATE_RAY_B": "exec"}}}
    stage = EnvRecorder(str(tmp_path)).with_(stage_spec={
        "ray_remote_args": {"runtime_env": {"env_vars": {"CURATE_RAY_B": "stage"}}}})
    _filter_pipeline(ray_corpus, tmp_path / "out", stage).run(
        RayExecutor({"ray_remote_args": executor_args}))
    assert [p.name for p in tmp_path.glob("env-*")] == ["env-exec-stage"]


class Tag(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Add each document's word count through pandas; its id is replaced by the framework's."""

    name = "tag"

    def inputs(self):
        return ["data"], ["text"]

    def outputs(self):
        return ["data"], ["words"]

    def process(self, task: DocumentBatch) -> DocumentBatch:
        frame = task.to_pandas()
        frame["words"] = frame["text"].str.split().str.len().astype("int64")
        return DocumentBatch(task_id="ignored", dataset_name=task.dataset_name, data=frame)


def test_ids_and_history_as_the_local_executor_gives_them(cluster, ray_corpus):
    from curate.backends.ray import RayExecutor

    def pipeline():
        return Pipeline("ids", stages=[
            JsonlReader(str(ray_corpus), files_per_partition=1, fields=["n"], batch_rows=7),
            ScoreFilter(WordCountFilter(min_words=10, max_words=100)), Tag()])

    local = pipeline().run(LocalExecutor())
    on_ray = pipeline().run(RayExecutor())
    assert sorted(t.task_id for t in on_ray) == sorted(t.task_id for t in local)
    assert "ignored" not in {t.task_id for t in on_ray}
    by_id = {t.task_id: t for t in local}
    for task in on_ray:
        assert task.to_pyarrow().to_pylist() == by_id[task.task_id].to_pyarrow().to_pylist()
        stages = [record["stage_name"] for record in task._stage_perf]
        assert stages == [record["stage_name"] for record in by_id[task.task_id]._stage_perf]


def test_a_failing_engine_stage_names_itself_and_the_record(cluster, tmp_path):
    from curate.backends.ray import RayExecutor

    corpus = tmp_path / "bad"
    corpus.mkdir()
    (corpus / "part-00.jsonl").write_text('{"text": "fine"}\n{"text": \n')
    pipeline = Pipeline("bad", stages=[JsonlReader(str(corpus), strict=True),
                                       JsonlWriter(str(tmp_path / "out"))])
    expected = r"stage 'jsonl_reader' failed on task .*part-00\.jsonl:2"
    with pytest.raises(RuntimeError, match=expected):
        pipeline.run(RayExecutor())


def test_stats_json_counts_bad_records_as_curate_run_does(cluster, tmp_path):
    from curate.backends.ray import RayExecutor

    corpus = tmp_path / "bad"
    corpus.mkdir()
    (corpus / "part-00.jsonl").write_text('{"text": "fine"}\n{"text": \n{"text": "also"}\n')
    logs = tmp_path / "logs"
    Pipeline("bad_lines", stages=[JsonlReader(str(corpus)),
                                  JsonlWriter(str(tmp_path / "out"))]).run(
        RayExecutor({"log_dir": str(logs)}))
    stats = json.loads((logs / "stats.json").read_text())
    assert stats["bad_records"] == {"total": 1, "by_reason": {"not_a_json_object": 1},
                                    "errors_file": str(logs / "errors.jsonl")}
    # The reader's actor appended it to the log folder's errors.jsonl, with file and line.
    assert [json.loads(line) for line in (logs / "errors.jsonl").read_text().splitlines()] == \
        [{"file": str(corpus / "part-00.jsonl"), "line": 2, "reason": "not_a_json_object"}]
    assert [r["text"] for r in read_jsonl_folder(tmp_path / "out")] == ["fine", "also"]


def test_a_ray_the_executor_starts_is_shut_down(cluster, ray_corpus, tmp_path):
    # In a process of its own: a local Ray started and stopped in this one leaves state
    # behind that breaks later actors of the module's cluster in the same process.
    # A failed run shuts its Ray down too, and the next run starts a fresh one.
    script = f"""
import ray
from test_ray_executor import Explode, _filter_pipeline
from curate.backends.ray import RayExecutor
try:
    _filter_pipeline({str(ray_corpus)!r}, {str(tmp_path / "failed")!r}, Explode()).run(
        RayExecutor())
except RuntimeError as error:
    assert "boom" in str(error), error
else:
    raise SystemExit("the failing run did not fail")
assert not ray.is_initialized()
_filter_pipeline({str(ray_corpus)!r}, {str(tmp_path / "out")!r}).run(RayExecutor())
assert not ray.is_initialized()
"""
    import shutil
    import tempfile

    # A Ray folder of its own (short: socket paths are limited), so that only this Ray's
    # raylets are counted, not those that other checkouts' tests start meanwhile.
    ray_tmp = tempfile.mkdtemp(prefix="cr", dir="/tmp")
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    env["RAY_TMPDIR"] = ray_tmp
    try:
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                              text=True, timeout=180)
        assert done.returncode == 0, done.stderr[-3000:]
        deadline = time.monotonic() + 20
        while _raylet_pids(ray_tmp) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _raylet_pids(ray_tmp), "the executor's own Ray outlived the run"
    finally:
        shutil.rmtree(ray_tmp, ignore_errors=True)
    assert len(read_jsonl_folder(tmp_path / "out")) == 31
    assert len([n for n in ray.nodes() if n["Alive"]]) == 3  # the module's cluster is untouched


class BadSetup(Recorder):
    """A recorder whose setup raises (after its node setup ran)."""

    name = "bad_setup"

    def setup(self, worker_metadata=None) -> None:
        raise OSError("no model file here")


def test_a_failing_setup_names_the_stage_and_tears_down_the_others(cluster, ray_corpus,
                                                                   tmp_path):
    from curate.backends.ray import RayExecutor

    calls = tmp_path / "calls"
    calls.mkdir()
    pipeline = _filter_pipeline(ray_corpus, tmp_path / "out", Recorder(str(calls)),
                                BadSetup(str(tmp_path)))
    with pytest.raises(RuntimeError, match=r"stage 'bad_setup' failed in setup on node .*"
                                           r"OSError: no model file here"):
        pipeline.run(RayExecutor())
    assert _records(calls, "setup") and \
        sorted(_records(calls, "setup")) == sorted(_records(calls, "teardown"))


class PidRecorder(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Pass batches on; record the process id of every setup and every call."""

    name = "pid_recorder"

    def __init__(self, folder: str, delay_s: float = 0.0) -> None:
        self.folder = folder
        self.delay_s = delay_s

    def inputs(self):
        return ["data"], ["text"]

    def setup(self, worker_metadata=None) -> None:
        (pathlib.Path(self.folder) / f"setup-{os.getpid()}-{uuid.uuid4().hex}").write_text("")

    def process(self, task: DocumentBatch) -> DocumentBatch:
        (pathlib.Path(self.folder) / f"call-{os.getpid()}-{uuid.uuid4().hex}").write_text("")
        time.sleep(self.delay_s)
        return task


def _pids(folder: pathlib.Path, kind: str) -> list[int]:
    return [int(p.name.split("-")[1]) for p in folder.glob(f"{kind}-*")]


def _sorted_records(folder: pathlib.Path) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in read_jsonl_folder(folder))


def test_fused_task_stages_run_in_one_actor_and_keep_a_row_each(cluster, ray_corpus, tmp_path):
    from curate.backends.ray import RayExecutor

    _filter_pipeline(ray_corpus, tmp_path / "local").run(LocalExecutor())
    counts = {}
    for fuse in (True, False):
        first, second = tmp_path / f"first-{fuse}", tmp_path / f"second-{fuse}"
        first.mkdir()
        second.mkdir()
        executor = RayExecutor({"fuse_task_stages": fuse})
        _filter_pipeline(ray_corpus, tmp_path / f"ray-{fuse}", PidRecorder(str(first)),
                         PidRecorder(str(second)).with_(name="second_recorder")).run(executor)
        assert _sorted_records(tmp_path / f"ray-{fuse}") == _sorted_records(tmp_path / "local")
        # Fused, every call of both recorders ran in the same processes; else in their own.
        a, b = set(_pids(first, "call")), set(_pids(second, "call"))
        assert (a == b) if fuse else not (a & b), (fuse, a, b)
        stages = executor.last_run_stats["stages"]
        counts[fuse] = [(s["name"], s["tasks_in"], s["tasks_out"], s["items_in"],
                         s["items_out"], s["dropped_by_reason"]) for s in stages]
    assert [c[0] for c in counts[True]] == ["file_partitioning", "jsonl_reader", "pid_recorder",
                                            "second_recorder", "word_count", "jsonl_writer"]
    assert counts[True] == counts[False]
    assert counts[True][4][5], counts[True]  # the filter's drops are counted by reason
    with pytest.raises(ValueError, match="'fuse_task_stages' must be true or false"):
        _filter_pipeline(ray_corpus, tmp_path / "bad").run(RayExecutor({"fuse_task_stages": 1}))


class Split(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Cut one batch into one batch per row; record the process id of every call."""

    name = "split"

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def process(self, task: DocumentBatch) -> list[DocumentBatch]:
        (pathlib.Path(self.folder) / f"call-{os.getpid()}-{uuid.uuid4().hex}").write_text("")
        table = task.to_pyarrow()
        return [DocumentBatch(task_id=f"{task.task_id}_{i}", dataset_name=task.dataset_name,
                              data=table.slice(i, 1)) for i in range(table.num_rows)]


def test_one_seed_runs_the_first_stage_in_an_actor_of_the_chain_after_it(cluster, tmp_path):
    import pyarrow as pa

    from curate.backends.ray import RayExecutor

    words = [" ".join(["w"] * n) for n in range(1, 13)]
    seed = DocumentBatch(task_id="seed", dataset_name="d", data=pa.table({"text": words}))
    splits, calls = tmp_path / "split", tmp_path / "calls"
    splits.mkdir()
    calls.mkdir()
    def pipeline(folder: pathlib.Path) -> Pipeline:
        return Pipeline("seeded", stages=[
            Split(str(folder)), PidRecorder(str(calls), delay_s=0.2),
            ScoreFilter(WordCountFilter(min_words=4), score_field="wc")])

    local = pipeline(tmp_path).run(LocalExecutor(), initial_tasks=[seed])
    for leftover in calls.iterdir():
        leftover.unlink()
    executor = RayExecutor()
    outputs = pipeline(splits).run(executor, initial_tasks=[seed])
    # The LocalExecutor's outputs, in its order.
    assert [(t.task_id, t.to_pyarrow().to_pydict()) for t in outputs] == \
        [(t.task_id, t.to_pyarrow().to_pydict()) for t in local]
    assert sum(t.num_items for t in outputs) == 9
    # No process of its own for the one call of the first stage: an actor of the chain
    # ran it, then the chain's actors shared its outputs.
    split_pids, call_pids = set(_pids(splits, "call")), set(_pids(calls, "call"))
    assert len(split_pids) == 1 and split_pids <= call_pids, (split_pids, call_pids)
    assert len(call_pids) == 3, call_pids  # the 3 CPUs of the cluster, one actor each
    stages = executor.last_run_stats["stages"]
    assert [(s["name"], s["workers"], s["calls"], s["tasks_in"], s["tasks_out"])
            for s in stages] == [("split", 3, 1, 1, 12), ("pid_recorder", 3, 12, 12, 12),
                                 ("word_count", 3, 12, 12, 12)]


def test_writer_modes_hold_although_actors_start_before_the_folder_is_prepared(
        cluster, ray_corpus, tmp_path):
    from curate.backends.ray import RayExecutor

    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.jsonl").write_text('{"text": "from an earlier run"}\n')

    def pipeline(mode: str) -> Pipeline:
        return Pipeline("modes", stages=[
            JsonlReader(str(ray_corpus), files_per_partition=1),
            ScoreFilter(WordCountFilter(min_words=30, max_words=60)),
            JsonlWriter(str(out), mode=mode)])

    with pytest.raises(ValueError, match=re.escape(f"output folder {out} exists and is not empty")):
        pipeline("error").run(RayExecutor())
    assert sorted(p.name for p in out.iterdir()) == ["stale.jsonl"], "nothing written"
    pipeline("overwrite").run(RayExecutor())
    local = tmp_path / "local"
    Pipeline("modes", stages=[
        JsonlReader(str(ray_corpus), files_per_partition=1),
        ScoreFilter(WordCountFilter(min_words=30, max_words=60)),
        JsonlWriter(str(local))]).run(LocalExecutor())
    assert not (out / "stale.jsonl").exists()
    assert _sorted_records(out) == _sorted_records(local)


def test_max_calls_per_worker_replaces_the_actor_by_a_fresh_process(cluster, ray_corpus,
                                                                    tmp_path):
    from collections import Counter

    from curate.backends.ray import RayExecutor

    calls = tmp_path / "calls"
    calls.mkdir()
    stage = PidRecorder(str(calls)).with_(stage_spec={"max_calls_per_worker": 4})
    _filter_pipeline(ray_corpus, tmp_path / "local").run(LocalExecutor())
    executor = RayExecutor()
    _filter_pipeline(ray_corpus, tmp_path / "ray", stage).run(executor)
    per_pid = Counter(_pids(calls, "call"))
    assert sum(per_pid.values()) == 15  # 3 files of 40 documents, batches of 9
    assert len(per_pid) >= 4 and max(per_pid.values()) <= 4, per_pid
    assert sorted(_pids(calls, "setup")) == sorted(per_pid)  # setup ran in every process
    assert _sorted_records(tmp_path / "ray") == _sorted_records(tmp_path / "local")
    recorder = next(s for s in executor.last_run_stats["stages"] if s["name"] == "pid_recorder")
    assert recorder["instances"] == len(per_pid) and recorder["calls"] == 15


def _run_in_thread(pipeline, executor):
    import threading

    result: dict = {}

    def run():
        try:
            result["outputs"] = pipeline.run(executor)
        except BaseException as error:  # noqa: BLE001 - handed to the test
            result["error"] = error
        result["done"] = time.monotonic()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def _kill_first_caller(calls: pathlib.Path) -> int:
    deadline = time.monotonic() + 60
    while not list(calls.glob("call-*")):
        assert time.monotonic() < deadline, "the slow stage never ran"
        time.sleep(0.05)
    pid = _pids(calls, "call")[0]
    os.kill(pid, 9)
    return pid


def test_a_killed_actor_is_restarted_set_up_again_and_its_work_redone(cluster, ray_corpus,
                                                                      tmp_path):
    from curate.backends.ray import RayExecutor

    calls = tmp_path / "calls"
    calls.mkdir()
    stage = PidRecorder(str(calls), delay_s=0.3).with_(
        stage_spec={"ray_remote_args": {"max_restarts": 1}})
    _filter_pipeline(ray_corpus, tmp_path / "local").run(LocalExecutor())
    thread, result = _run_in_thread(_filter_pipeline(ray_corpus, tmp_path / "ray", stage),
                                    RayExecutor())
    killed = _kill_first_caller(calls)
    thread.join(timeout=120)
    assert "error" not in result, result.get("error")
    setups = _pids(calls, "setup")
    assert killed in setups and len(set(setups)) == 2  # the restarted process set up again
    assert _sorted_records(tmp_path / "ray") == _sorted_records(tmp_path / "local")


def test_a_killed_actor_without_restarts_fails_the_run_naming_it(cluster, ray_corpus, tmp_path):
    from curate.backends.ray import RayExecutor

    calls = tmp_path / "calls"
    calls.mkdir()
    thread, result = _run_in_thread(
        _filter_pipeline(ray_corpus, tmp_path / "ray", PidRecorder(str(calls), delay_s=0.3)),
        RayExecutor())
    _kill_first_caller(calls)
    killed_at = time.monotonic()
    thread.join(timeout=120)
    error = result.get("error")
    assert isinstance(error, RuntimeError), error
    message = str(error)
    # The recorder is fused with the reader, word count and writer, and with the file
    # partitioning (the run starts from one task): one actor runs them.
    chain = r"file_partitioning\+jsonl_reader\+pid_recorder\+word_count\+jsonl_writer"
    assert re.search(rf"fused stages '{chain}' lost actor {chain}-\d ", message), message
    assert " on node " in message and "max_restarts" in message
    assert result["done"] - killed_at < 15
    assert _filter_pipeline(ray_corpus, tmp_path / "again").run(RayExecutor())  # cluster usable


class FailOnPart(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Raise on the documents of part-02 (n % 3 == 2) while `flag` exists, after a pause."""

    name = "fail_on_part"

    def __init__(self, flag: str) -> None:
        self.flag = flag

    def inputs(self):
        return ["data"], ["text"]

    def process(self, task: DocumentBatch) -> DocumentBatch:
        if os.path.exists(self.flag) and any(n % 3 == 2 for n in task.to_pandas()["n"]):
            time.sleep(3)  # the other parts reach the writer meanwhile
            raise ValueError("part-02 is not welcome this time")
        return task


def test_stats_progress_and_resume_after_a_failed_run(cluster, ray_corpus, tmp_path, caplog):
    import logging

    from curate.backends.ray import RayExecutor

    def pipeline(out, *middle):
        return Pipeline("resumable", stages=[
            JsonlReader(str(ray_corpus), files_per_partition=1, fields=["n"], batch_rows=9),
            *middle, ScoreFilter(WordCountFilter(min_words=30, max_words=60)),
            JsonlWriter(str(out))])

    pipeline(tmp_path / "clean").run(LocalExecutor())
    flag = tmp_path / "flag"
    flag.write_text("")
    logs = tmp_path / "logs"
    config = {"log_dir": str(logs), "progress_interval_s": 0.5}
    with caplog.at_level(logging.INFO, logger="curate.ray"):
        with pytest.raises(RuntimeError, match="part-02 is not welcome"):
            pipeline(tmp_path / "out", FailOnPart(str(flag))).run(RayExecutor(config))
    failed = json.loads((logs / "stats.json").read_text())
    assert failed["succeeded"] is False and "part-02" in failed["error"]
    assert failed["pipeline"] == "resumable" and failed["resume"]["enabled"] is True
    assert 1 <= failed["source_tasks"]["complete"] < 3, failed["source_tasks"]
    assert any("RayExecutor [" in r.getMessage() and "jsonl_reader:" in r.getMessage()
               for r in caplog.records), "no progress line was logged"

    flag.unlink()
    executor = RayExecutor(config)
    pipeline(tmp_path / "out", FailOnPart(str(flag))).run(executor)
    assert _sorted_records(tmp_path / "out") == _sorted_records(tmp_path / "clean")
    stats = json.loads((logs / "stats.json").read_text())
    assert stats["succeeded"] is True and stats["source_tasks"] == {"total": 3, "complete": 3}
    assert stats["resume"]["source_tasks_skipped"] == failed["source_tasks"]["complete"]
    by_name = {stage["name"]: stage for stage in stats["stages"]}
    skipped_docs = 40 * failed["source_tasks"]["complete"]
    assert by_name["jsonl_reader"]["documents_out"] == 120 - skipped_docs
    assert by_name["word_count"]["documents_in"] == 120 - skipped_docs
    assert by_name["jsonl_writer"]["documents_in"] == by_name["word_count"]["documents_out"]
    assert by_name["word_count"]["dropped_by_reason"]  # the filter's drops, by reason
    assert stats == executor.last_run_stats | {k: stats[k] for k in stats
                                               if k not in executor.last_run_stats}


class Talker(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Log a warning through Python's logging for every batch."""

    name = "talker"

    def process(self, task: DocumentBatch) -> DocumentBatch:
        import logging

        logging.getLogger("curate.talker").warning("the talker saw %d rows", task.num_items)
        return task


def test_engine_and_python_logs_of_an_actor_reach_the_driver_tagged(cluster, tmp_path, capfd):
    from curate.backends.ray import RayExecutor

    corpus = tmp_path / "bad"
    corpus.mkdir()
    (corpus / "part-00.jsonl").write_text('{"text": "fine"}\n{"text": \n{"text": "also"}\n')
    Pipeline("logs", stages=[JsonlReader(str(corpus)), Talker(),
                             JsonlWriter(str(tmp_path / "out"))]).run(RayExecutor())
    deadline = time.monotonic() + 20  # Ray forwards worker output every few hundred ms
    seen = ""
    while time.monotonic() < deadline:
        seen += capfd.readouterr().err
        if "skipping bad record" in seen and "the talker saw" in seen:
            break
        time.sleep(0.2)
    nodes = {n["NodeID"] for n in ray.nodes() if n["Alive"]}
    for text, stage in [("skipping bad record", "jsonl_reader"), ("the talker saw 2", "talker")]:
        lines = [line for line in seen.splitlines() if text in line]
        assert lines, seen[-2000:]
        # The worker that ran it: "<stage>-<n>" of its pool, on a node of the cluster.
        tag = re.search(rf"\[{stage}/{stage}-\d+@([0-9a-f]+)\]", lines[0])
        assert tag and tag.group(1) in nodes, lines[0]


class BadRecordWatcher(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Pass batches on; note, for every batch, whether the reader had yet written a bad
    record to the log folder's errors.jsonl (the reader writes each as it meets it)."""

    name = "bad_record_watcher"

    def __init__(self, errors: str, notes: str) -> None:
        self.errors = errors
        self.notes = notes

    def inputs(self):
        return ["data"], ["text"]

    def process(self, task: DocumentBatch) -> DocumentBatch:
        errors = pathlib.Path(self.errors)
        seen = errors.exists() and errors.stat().st_size > 0
        with open(self.notes, "a") as notes:
            notes.write(f"{task.num_items} {int(seen)}\n")
        return task


def test_a_fused_reader_streams_each_batch_down_the_chain(cluster, tmp_path):
    from curate.backends.ray import RayExecutor

    corpus = tmp_path / "late_bad_line"
    corpus.mkdir()
    lines = [json.dumps({"text": f"document {i}"}) for i in range(4)]
    (corpus / "part-00.jsonl").write_text("\n".join(lines + ['{"text": ', lines[0]]) + "\n")
    logs, notes = tmp_path / "logs", tmp_path / "notes"
    watcher = BadRecordWatcher(str(logs / "errors.jsonl"), str(notes))
    Pipeline("stream", stages=[JsonlReader(str(corpus), batch_rows=2), watcher,
                               JsonlWriter(str(tmp_path / "out"))]).run(
        RayExecutor({"log_dir": str(logs)}))
    # The watcher got the file's first two batches before the reader met the bad line on
    # line 5: the batches went on one by one, not once the whole file was read.
    assert notes.read_text().split("\n")[:3] == ["2 0", "2 0", "1 1"], notes.read_text()
    assert len(read_jsonl_folder(tmp_path / "out")) == 5
    assert json.loads((logs / "stats.json").read_text())["bad_records"]["total"] == 1


def test_worker_counts_beyond_the_cluster_are_capped_with_a_warning(cluster, ray_corpus,
                                                                   tmp_path, caplog):
    import logging

    from curate.backends.ray import RayExecutor

    stage = Recorder(str(tmp_path)).with_(stage_spec={"ray_remote_args": {"num_workers": 8}})
    executor = RayExecutor()
    with caplog.at_level(logging.WARNING, logger="curate.ray"):
        _filter_pipeline(ray_corpus, tmp_path / "out", stage).run(executor)
    messages = [r.getMessage() for r in caplog.records]
    assert any("stage 'recorder' asks for 8 workers but the cluster allows 3" in m
               for m in messages), messages
    assert any("but the cluster has 3 CPUs available" in m for m in messages), messages
    recorder = next(s for s in executor.last_run_stats["stages"] if s["name"] == "recorder")
    assert recorder["workers"] == 3
    assert len(read_jsonl_folder(tmp_path / "out")) == 31


def test_outputs_keep_the_local_order_with_recycled_and_many_actors(cluster, ray_corpus):
    from curate.backends.ray import RayExecutor

    def pipeline(*middle):
        return Pipeline("order", stages=[
            JsonlReader(str(ray_corpus), files_per_partition=1, fields=["n"], batch_rows=7),
            *middle, ScoreFilter(WordCountFilter(min_words=10, max_words=100)), Tag()])

    local = pipeline().run(LocalExecutor())
    recycled = Tag().with_(stage_spec={"max_calls_per_worker": 2}, num_workers=2)
    on_ray = pipeline(recycled).run(RayExecutor())
    # Order keys: the outputs come back in the LocalExecutor's order, whichever actor (or
    # replacement of a retired one) made them and however the bundles were cut.
    assert [t.task_id for t in on_ray] == [t.task_id for t in local]
    assert [t.to_pyarrow().to_pylist() for t in on_ray] == \
        [t.to_pyarrow().to_pylist() for t in local]
