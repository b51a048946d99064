"""Both deduplication workflows on the RayExecutor: their phases (shuffle, LSH and gang
stages included) run as Ray actors on a three-node cluster (one per module)."""

from __future__ import annotations

import json
import logging
import pathlib
import random
import re
import threading
import time

import pytest

from curate.backends.local import LocalExecutor
from curate.stages.deduplication.exact import ExactDeduplicationWorkflow
from curate.stages.deduplication.fuzzy import FuzzyDeduplicationWorkflow
from ray_test_cluster import three_node_cluster

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.ray


@pytest.fixture(scope="module")
def cluster():
    """A head and two more nodes, 4 logical CPUs each, so that every stage of a workflow
    phase gets 2 actors (a gang of 2 members); no Ray process left after."""
    with three_node_cluster(4) as ray_cluster:
        yield ray_cluster


def _words(rng: random.Random, count: int) -> list[str]:
    return [f"w{rng.randrange(100000)}" for _ in range(count)]


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> pathlib.Path:
    """40 originals of 80 random words in 3 files; 12 exact copies and 12 near copies
    (the last word changed) spread among them, and 60 unrelated documents."""
    rng = random.Random(11)
    originals = [{"id": f"orig-{i}", "text": " ".join(_words(rng, 80))} for i in range(40)]
    records = list(originals)
    for i in range(12):
        records.append({"id": f"exact-{i}", "text": originals[i]["text"]})
        words = originals[12 + i]["text"].split()
        words[-1] = f"x{i}"  # 75 of its 76 word 5-grams shared: Jaccard 0.97
        records.append({"id": f"near-{i}", "text": " ".join(words)})
    records += [{"id": f"other-{i}", "text": " ".join(_words(rng, 50))} for i in range(60)]
    folder = tmp_path_factory.mktemp("dedup") / "corpus"
    folder.mkdir()
    for f in range(3):
        (folder / f"part-{f}.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in records[f::3]))
    return folder


def _removal_list(output: pathlib.Path) -> list[dict]:
    records = []
    for part in sorted((output / "removal_list").glob("*.jsonl")):
        records += [json.loads(line) for line in part.read_text().splitlines()]
    return sorted(records, key=lambda r: json.dumps(r, sort_keys=True))


def _pairs(output: pathlib.Path) -> set[frozenset]:
    """Return each removal as the set {removed id, kept id}."""
    return {frozenset((r["id"], r["kept_id"])) for r in _removal_list(output)}


def _kept(output: pathlib.Path) -> list[str]:
    ids = []
    for part in sorted((output / "deduplicated").glob("*.jsonl")):
        ids += [json.loads(line)["id"] for line in part.read_text().splitlines()]
    return sorted(ids)


def test_exact_workflow_on_ray_gives_the_local_removal_list(cluster, planted, tmp_path):
    from curate.backends.ray import RayExecutor

    def workflow(out: str) -> ExactDeduplicationWorkflow:
        return ExactDeduplicationWorkflow(output_path=str(tmp_path / out),
                                          input_path=str(planted), perform_removal=True)

    local = workflow("local").run(executor=LocalExecutor())
    on_ray = workflow("ray").run(executor=RayExecutor())
    assert _removal_list(tmp_path / "ray") == _removal_list(tmp_path / "local")
    # Copies are spread over the files, so either of a pair may come first and be kept.
    assert _pairs(tmp_path / "ray") == {frozenset((f"orig-{i}", f"exact-{i}")) for i in range(12)}
    assert _kept(tmp_path / "ray") == _kept(tmp_path / "local")
    assert on_ray.get_metadata("documents_removed") == local.get_metadata("documents_removed") == 12


def test_fuzzy_workflow_on_ray_gives_the_local_removal_list(cluster, planted, tmp_path, caplog):
    from curate.backends.ray import RayExecutor

    caplog.set_level(logging.INFO, logger="curate.ray")

    def workflow(out: str) -> FuzzyDeduplicationWorkflow:
        return FuzzyDeduplicationWorkflow(cache_path=str(tmp_path / out / "cache"),
                                          output_path=str(tmp_path / out),
                                          input_path=str(planted), perform_removal=True)

    local = workflow("local").run(executor=LocalExecutor())
    on_ray = workflow("ray").run(executor=RayExecutor())
    removed = _removal_list(tmp_path / "ray")
    assert removed == _removal_list(tmp_path / "local")
    assert _pairs(tmp_path / "ray") == \
        {frozenset((f"orig-{i}", f"exact-{i}")) for i in range(12)} | \
        {frozenset((f"orig-{12 + i}", f"near-{i}")) for i in range(12)}
    assert _kept(tmp_path / "ray") == _kept(tmp_path / "local")
    # Connected components ran as a real gang (collectives between two actors), and the
    # LSH buckets and the verification as shuffles through the object store.
    assert any(re.fullmatch(r"stage 'connected_components': end of input, finishing its "
                            r"gang of [2-9] members", m) for m in caplog.messages)
    assert any(m.startswith("stage 'lsh': shuffle moved") for m in caplog.messages)
    assert any(m.startswith("stage 'verify_and_cluster': shuffle moved") for m in caplog.messages)
    # The counters of the workers came back into the driver's stages.
    for key in ("documents", "documents_removed"):
        assert on_ray.get_metadata(key) == local.get_metadata(key)


def test_a_gang_whose_coordinator_dies_fails_the_run_naming_stage_member_node(cluster, planted,
                                                                             tmp_path):
    from curate.backends.ray import RayExecutor

    # Kill the connected-components gang's coordinator as soon as it exists (before the
    # members finish): their collectives fail, and so must the run, at once and named.
    stop = threading.Event()

    def kill_coordinator() -> None:
        while not stop.is_set():
            for actor in ray.util.list_named_actors():
                if actor.startswith("curate_gang_connected_components_"):
                    ray.kill(ray.get_actor(actor))
                    return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_coordinator)
    killer.start()
    workflow = FuzzyDeduplicationWorkflow(cache_path=str(tmp_path / "cache"),
                                          output_path=str(tmp_path / "out"),
                                          input_path=str(planted))
    started = time.monotonic()
    try:
        expected = (r"stage 'connected_components' failed in finish of gang member \d on node "
                    r"\w+ .*gang \w+ failed")
        with pytest.raises(RuntimeError, match=expected) as caught:
            workflow.run(executor=RayExecutor())
        assert "Traceback" not in str(caught.value)
    finally:
        stop.set()
        killer.join()
    assert time.monotonic() - started < 60
    # Nothing of the failed run holds the cluster: the next run works.
    workflow.run(executor=RayExecutor())
    assert _removal_list(tmp_path / "out")
