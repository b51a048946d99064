"""The seed API (curate.backends.utils) and the `curate` command on a Ray cluster.

One ray.cluster_utils.Cluster for the module: a head and two worker nodes of 1 CPU each;
the first worker node declares one logical GPU. No Ray process outlives the module.
"""

from __future__ import annotations

import json
import logging
import os
import pathlib
import subprocess
import sys
import uuid

import pytest

from conftest import curate_binary, read_jsonl_folder, word_documents, write_corpus
from curate.backends.utils import (check_total_gpu_capacity, execute_setup_on_node,
                                   get_available_cpu_gpu_resources,
                                   get_worker_metadata_and_node_id, register_loguru_serializer)
from curate.stages.base import ProcessingStage
from curate.tasks import DocumentBatch

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.ray

from ray_test_cluster import three_node_cluster  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    """Head + 2 nodes (1 CPU each, one with a logical GPU), connected; nothing left after."""
    with three_node_cluster(1, ({"num_gpus": 1}, {})) as ray_cluster:
        yield ray_cluster


@pytest.fixture
def connected(cluster):
    """The driver connected to the module's cluster (a test may have disconnected it)."""
    if not ray.is_initialized():
        ray.init(address=cluster.address, include_dashboard=False, logging_level=logging.WARNING)
    return cluster


def _alive_nodes() -> list[str]:
    return sorted(n["NodeID"] for n in ray.nodes() if n["Alive"])


def _head_node_id() -> str:
    return next(n["NodeID"] for n in ray.nodes() if "node:__internal_head__" in n["Resources"])


class NodeSetupRecorder(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Write one file per setup_on_node call, named by stage and node."""

    def __init__(self, folder: str, name: str) -> None:
        self.folder = folder
        self.name = name

    def setup_on_node(self, node_info=None, worker_metadata=None) -> None:
        assert worker_metadata.worker_id == ""
        actual = ray.get_runtime_context().get_node_id()
        assert node_info.node_id == actual, "setup ran on another node than it was told"
        (pathlib.Path(self.folder) / f"{self.name}-{actual}-{uuid.uuid4().hex}").write_text("")

    def process(self, task: DocumentBatch) -> DocumentBatch:
        return task


class BrokenSetup(NodeSetupRecorder):
    def setup_on_node(self, node_info=None, worker_metadata=None) -> None:
        raise OSError("disk full")


def _setups(folder: pathlib.Path) -> list[tuple[str, str]]:
    return sorted(tuple(p.name.split("-")[:2]) for p in folder.iterdir())


def test_resources_are_the_sum_over_the_ray_nodes(connected):
    assert get_available_cpu_gpu_resources() == (3, 1)


def test_ignore_head_node_removes_the_heads_share(connected):
    assert get_available_cpu_gpu_resources(ignore_head_node=True) == (2, 1)


def test_init_and_shutdown_connects_for_the_call_only(connected, monkeypatch):
    ray.shutdown()
    monkeypatch.setenv("RAY_ADDRESS", connected.address)
    assert get_available_cpu_gpu_resources(init_and_shutdown=True) == (3, 1)
    assert not ray.is_initialized()
    # Without Ray initialised, and without init_and_shutdown, the answer is this machine's.
    cpus, _ = get_available_cpu_gpu_resources()
    assert cpus == os.cpu_count() or cpus >= 1
    ray.init(address=connected.address, include_dashboard=False, logging_level=logging.WARNING)
    # A connection already open stays open.
    assert get_available_cpu_gpu_resources(init_and_shutdown=True) == (3, 1)
    assert ray.is_initialized()


def test_setup_on_node_runs_once_per_stage_per_node(connected, tmp_path):
    execute_setup_on_node([NodeSetupRecorder(str(tmp_path), "a"),
                           NodeSetupRecorder(str(tmp_path), "b")])
    nodes = _alive_nodes()
    assert len(nodes) == 3
    assert _setups(tmp_path) == sorted((s, n) for s in ("a", "b") for n in nodes)


def test_setup_on_node_skips_the_head_node_when_asked(connected, tmp_path, monkeypatch):
    execute_setup_on_node([NodeSetupRecorder(str(tmp_path), "a")], ignore_head_node=True)
    head = _head_node_id()
    assert _setups(tmp_path) == sorted(("a", n) for n in _alive_nodes() if n != head)


class NoNodeSetup(ProcessingStage[DocumentBatch, DocumentBatch]):
    """Keeps the base class's setup_on_node, which does nothing."""

    name = "no_node_setup"

    def process(self, task: DocumentBatch) -> DocumentBatch:
        return task


def test_a_stage_without_node_setup_costs_no_ray_task(connected, tmp_path, monkeypatch):
    from curate.backends.ray import _cluster

    sent = []
    real = _cluster.RayClusterAdapter.run_work_on_each_node

    def recording(self, node_ids, works):
        sent.append([work[0] for work in works])
        return real(self, node_ids, works)

    monkeypatch.setattr(_cluster.RayClusterAdapter, "run_work_on_each_node", recording)
    execute_setup_on_node([NoNodeSetup(), NodeSetupRecorder(str(tmp_path), "a")])
    assert sent == [["stage 'a'"]]
    assert _setups(tmp_path) == sorted(("a", n) for n in _alive_nodes())
    execute_setup_on_node([NoNodeSetup()])
    assert sent == [["stage 'a'"]], "nothing to set up: no task reaches the cluster"


def test_setup_failure_names_the_stage_and_node(connected, tmp_path):
    with pytest.raises(RuntimeError) as error:
        execute_setup_on_node([NodeSetupRecorder(str(tmp_path), "fine"),
                               BrokenSetup(str(tmp_path), "broken")])
    message = str(error.value)
    assert message.startswith("setup_on_node failed for stage 'broken' on node '")
    assert "disk full" in message
    assert message.count("stage 'broken' on node") == 3
    assert len(_setups(tmp_path)) == 3, "the other stage's setups were still awaited"


def test_gpu_capacity_is_checked_against_the_ray_cluster(connected):
    check_total_gpu_capacity(1)
    with pytest.raises(RuntimeError, match=r"^Need 2 GPUs but cluster has 1 available\.$"):
        check_total_gpu_capacity(2)
    check_total_gpu_capacity(1, ignore_head_node=True)


def test_ray_executor_checks_gpus_before_any_actor(connected, tmp_path, monkeypatch):
    from curate.backends.ray import RayExecutor
    from curate.pipeline import Pipeline
    from curate.stages.resources import Resources
    from curate.stages.text.io.reader import JsonlReader

    corpus = write_corpus(tmp_path / "corpus", word_documents(5))
    greedy = NodeSetupRecorder(str(tmp_path), "greedy").with_(resources=Resources(gpus=2))
    pipeline = Pipeline("gpus", stages=[JsonlReader(str(corpus)), greedy])
    with pytest.raises(RuntimeError, match=r"Need 2 GPUs but cluster has 1 available\."):
        pipeline.run(RayExecutor())
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("greedy")]


def test_ray_executor_honours_the_environment_variable(monkeypatch):
    from curate.backends.ray import RayExecutor

    monkeypatch.setenv("CURATOR_IGNORE_RAY_HEAD_NODE", "yes")
    assert RayExecutor().ignore_head_node
    monkeypatch.setenv("CURATOR_IGNORE_RAY_HEAD_NODE", "0")
    assert not RayExecutor(config=None).ignore_head_node
    assert RayExecutor(config=None, ignore_head_node=True).ignore_head_node


class Probe:
    """An actor that asks the seed API who it is."""

    def whoami(self) -> tuple[str, str, str, object]:
        node, worker = get_worker_metadata_and_node_id()
        return (node.node_id, worker.worker_id, ray.get_runtime_context().get_node_id(),
                worker.allocation)


def test_worker_metadata_inside_an_actor_is_the_actors(connected):
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    head = _head_node_id()
    target = next(n for n in _alive_nodes() if n != head)
    actor = ray.remote(Probe).options(
        num_cpus=1, scheduling_strategy=NodeAffinitySchedulingStrategy(target, soft=False)).remote()
    try:
        node_id, worker_id, actual, allocation = ray.get(actor.whoami.remote())
    finally:
        ray.kill(actor)
    assert node_id == actual == target
    assert worker_id and worker_id != "driver"
    assert allocation["cpus"] == 1.0
    node, worker = get_worker_metadata_and_node_id()
    assert node.node_id == ray.get_runtime_context().get_node_id()
    assert worker.worker_id == "driver"


def _logger_name(logger) -> str:
    return logger.name


def test_the_logger_serializer_is_registered_with_ray(connected):
    register_loguru_serializer()
    sent = logging.getLogger("curate.stage.private")
    # Travels as nothing; arrives as the receiving process's own "curate" logger.
    assert ray.get(ray.remote(_logger_name).remote(sent)) == "curate"


def _curate(*args: str, env: dict | None = None, cwd: pathlib.Path | None = None):
    environment = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "curate.cli", *args], capture_output=True,
                          text=True, env=environment, cwd=cwd, timeout=240)


def test_curate_resources_under_ray_lists_the_ray_nodes(connected):
    done = _curate("resources", "--json", env={"RAY_ADDRESS": connected.address})
    assert done.returncode == 0, done.stderr
    nodes = json.loads(done.stdout)["nodes"]
    assert sorted(n["node_id"] for n in nodes) == _alive_nodes()
    assert [n["is_head"] for n in nodes].count(True) == 1
    assert sum(n["cpus"] for n in nodes) == 3 and sum(n["num_gpus"] for n in nodes) == 1


def _pipeline_yaml(path: pathlib.Path, corpus: pathlib.Path, out: pathlib.Path,
                   executor: str) -> pathlib.Path:
    path.write_text(f"""name: filter_{path.stem}
executor:
{executor}
stages:
  - stage: jsonl_reader
    params: {{paths: {corpus}, files_per_partition: 1, batch_rows: 9}}
  - stage: word_count
    params: {{min_words: 30, max_words: 60}}
  - stage: jsonl_writer
    params: {{output_dir: {out}}}
""")
    return path


def test_curate_run_type_ray_gives_the_records_of_type_local(connected, tmp_path):
    corpus = write_corpus(tmp_path / "corpus", word_documents(120), files=3)
    local = _pipeline_yaml(tmp_path / "local.yaml", corpus, tmp_path / "out_local",
                           "  type: local")
    on_ray = _pipeline_yaml(tmp_path / "ray.yaml", corpus, tmp_path / "out_ray", "  type: ray")
    done = _curate("run", str(local), "--quiet", "--log-dir", str(tmp_path / "logs_local"))
    assert done.returncode == 0, done.stderr
    done = _curate("run", str(on_ray), "--log-dir", str(tmp_path / "logs_ray"),
                   env={"RAY_ADDRESS": connected.address})
    assert done.returncode == 0, done.stderr
    assert "finished" in done.stdout and "bad records: 0;" in done.stdout
    key = lambda record: json.dumps(record, sort_keys=True)  # noqa: E731
    expected = sorted(read_jsonl_folder(tmp_path / "out_local"), key=key)
    assert len(expected) == 31
    assert sorted(read_jsonl_folder(tmp_path / "out_ray"), key=key) == expected
    stats = json.loads((tmp_path / "logs_ray" / "stats.json").read_text())
    assert stats["executor_type"] == "ray" and stats["exit_status"] == 0


def test_curate_run_type_ray_checks_the_config_with_line_numbers(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", word_documents(3))
    path = _pipeline_yaml(tmp_path / "bad.yaml", corpus, tmp_path / "out",
                          "  type: ray\n  config: {adress: x, ignore_head_node: 3}")
    done = _curate("run", str(path))
    assert done.returncode == 2
    assert f"curate: {path}:4: executor: unknown config key 'adress' for type 'ray'" \
        in done.stderr
    assert "did you mean 'address'" in done.stderr
    assert "config key 'ignore_head_node' of type 'ray' must be boolean, not 3" in done.stderr
    assert not (tmp_path / "out").exists()


def _damaged_corpus(folder: pathlib.Path) -> pathlib.Path:
    """Two files of good lines, with a malformed line in one and a record without text in
    the other."""
    folder.mkdir(parents=True)
    good = [json.dumps({"text": f"document number {i}", "n": i}) for i in range(8)]
    (folder / "part-00.jsonl").write_text("\n".join(good[:4] + ['{"text": ', good[4]]) + "\n")
    (folder / "part-01.jsonl").write_text("\n".join(good[5:7] + ['{"id": 3}', good[7]]) + "\n")
    return folder


def _copy_yaml(path: pathlib.Path, corpus: pathlib.Path, out: pathlib.Path,
               executor: str) -> pathlib.Path:
    path.write_text(f"""name: copy_{path.stem}
executor: {executor}
stages:
  - stage: jsonl_reader
    params: {{paths: {corpus}, files_per_partition: 1}}
  - stage: jsonl_writer
    params: {{output_dir: {out}}}
""")
    return path


def _errors_lines(log_dir: pathlib.Path) -> list[dict]:
    lines = (log_dir / "errors.jsonl").read_text().splitlines()
    return sorted((json.loads(line) for line in lines), key=lambda r: (r["file"], r["line"]))


def test_curate_run_type_ray_writes_the_bad_records_of_type_local(connected, tmp_path):
    corpus = _damaged_corpus(tmp_path / "corpus")
    for kind in ("local", "ray"):
        executor = "{type: local}" if kind == "local" else "{type: ray}"
        path = _copy_yaml(tmp_path / f"{kind}.yaml", corpus, tmp_path / f"out_{kind}", executor)
        done = _curate("run", str(path), "--log-dir", str(tmp_path / f"logs_{kind}"),
                       env={"RAY_ADDRESS": connected.address})
        assert done.returncode == 0, done.stderr
        assert "bad records: 2;" in done.stdout, done.stdout  # the binary's summary line
    local = json.loads((tmp_path / "logs_local" / "stats.json").read_text())["bad_records"]
    on_ray = json.loads((tmp_path / "logs_ray" / "stats.json").read_text())["bad_records"]
    assert local == {"total": 2, "by_reason": {"not_a_json_object": 1, "missing_text_field": 1},
                     "errors_file": str(tmp_path / "logs_local" / "errors.jsonl")}
    assert on_ray == {**local, "errors_file": str(tmp_path / "logs_ray" / "errors.jsonl")}
    # The same records, each once, with file and line, as the local run wrote them.
    assert _errors_lines(tmp_path / "logs_ray") == _errors_lines(tmp_path / "logs_local") == [
        {"file": str(corpus / "part-00.jsonl"), "line": 5, "reason": "not_a_json_object"},
        {"file": str(corpus / "part-01.jsonl"), "line": 3, "reason": "missing_text_field"}]
    # Every good line is kept.
    assert sorted(r["n"] for r in read_jsonl_folder(tmp_path / "out_ray")) == list(range(8))
    assert read_jsonl_folder(tmp_path / "out_ray") == read_jsonl_folder(tmp_path / "out_local")


def test_curate_run_overwrite_with_type_ray_starts_over_as_type_local_does(connected, tmp_path):
    corpus = _damaged_corpus(tmp_path / "corpus")
    out, logs = tmp_path / "out", tmp_path / "logs"
    path = _copy_yaml(tmp_path / "ray.yaml", corpus, out, "{type: ray}")
    env = {"RAY_ADDRESS": connected.address}

    def run(*extra: str) -> dict:
        done = _curate("run", str(path), "--quiet", "--log-dir", str(logs), *extra, env=env)
        assert done.returncode == 0, done.stderr
        return json.loads((logs / "stats.json").read_text())

    first = run()
    written = sorted(p.name for p in out.glob("*.jsonl"))
    assert first["source_tasks"] == {"total": 2, "complete": 2}
    # Without --overwrite a rerun resumes: every source task is skipped.
    assert run()["resume"]["source_tasks_skipped"] == 2
    (out / "stale.jsonl").write_text('{"text": "from another run"}\n')
    again = run("--overwrite")
    # The output folder was emptied and the markers forgotten: everything ran again, once.
    assert sorted(p.name for p in out.glob("*.jsonl")) == written
    assert again["resume"]["previously_completed"] == 0
    assert again["resume"]["source_tasks_skipped"] == 0
    assert again["source_tasks"] == {"total": 2, "complete": 2}
    assert sorted(r["n"] for r in read_jsonl_folder(out)) == list(range(8))
    assert again["bad_records"]["total"] == 2 and len(_errors_lines(logs)) == 2


def _removal_records(output: pathlib.Path) -> list[str]:
    return sorted(line for part in sorted((output / "removal_list").glob("*.jsonl"))
                  for line in part.read_text().splitlines())


def test_a_ray_workflow_file_runs_on_ray_with_the_local_removal_list(connected, tmp_path):
    corpus = write_corpus(tmp_path / "corpus", word_documents(3) * 2)
    outputs = {}
    for kind, executor in (("local", "{type: local}"),
                           ("ray", f"{{type: ray, config: {{address: {connected.address}}}}}")):
        path = tmp_path / f"dedup_{kind}.yaml"
        outputs[kind] = tmp_path / f"out_{kind}"
        path.write_text(f"workflow: exact_deduplication\n"
                        f"params: {{input_path: {corpus}, output_path: {outputs[kind]}}}\n"
                        f"executor: {executor}\n")
        done = _curate("run", str(path))
        assert done.returncode == 0, done.stdout + done.stderr
    ray_records = _removal_records(outputs["ray"])
    assert len(ray_records) == 3
    assert ray_records == _removal_records(outputs["local"])


def test_the_cpp_binary_refuses_type_ray(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", word_documents(3))
    path = _pipeline_yaml(tmp_path / "ray.yaml", corpus, tmp_path / "out", "  type: ray")
    done = subprocess.run([str(curate_binary()), "run", str(path)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert f"curate: {path}:3: executor: type 'ray' runs on a Ray cluster" in done.stderr
    assert "pip install 'curate[ray]'" in done.stderr and "`curate run`" in done.stderr
    workflow = tmp_path / "dedup.yaml"
    workflow.write_text(f"workflow: exact_deduplication\n"
                        f"params: {{input_path: {corpus}, output_path: {tmp_path / 'o'}}}\n"
                        "executor: {type: ray}\n")
    done = subprocess.run([str(curate_binary()), "run", str(workflow)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert "pip install 'curate[ray]'" in done.stderr
