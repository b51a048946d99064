"""The Ray cluster the Ray test modules share the recipe of: a head and two more nodes on
this machine (``ray.cluster_utils.Cluster``), dashboard off, a small object store, and a
check that none of its raylets outlives it. Each module starts its own (module-scoped)."""

from __future__ import annotations

import contextlib
import os
import pathlib
import subprocess
import time
from collections.abc import Iterator

HERE = pathlib.Path(__file__).resolve().parent
OBJECT_STORE_BYTES = 80 * 1024 * 1024


def raylet_pids(session: str = "") -> set[int]:
    """Return the pids of raylets (of the Ray session whose folder is ``session``, if given:
    other clusters on this machine are not ours to check)."""
    found = subprocess.run(["pgrep", "-af", "raylet"], capture_output=True, text=True)
    return {int(line.split()[0]) for line in found.stdout.splitlines()
            if "/raylet" in line and session in line}


@contextlib.contextmanager
def three_node_cluster(num_cpus: int, extra_node_args: tuple[dict, dict] = ({}, {})) -> Iterator:
    """Yield a connected head + 2 nodes of ``num_cpus`` logical CPUs each (the two added
    nodes get ``extra_node_args``, e.g. ``num_gpus``); shut it down and check its raylets."""
    import ray
    from ray.cluster_utils import Cluster

    # Workers unpickle the test modules' stages by name: let them import them.
    old_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in [str(HERE), old_path] if p)
    node_args = {"num_cpus": num_cpus, "object_store_memory": OBJECT_STORE_BYTES}
    ray_cluster = Cluster(initialize_head=True, connect=True,
                          head_node_args={**node_args, "include_dashboard": False})
    session = ray_cluster.head_node.get_session_dir_path()
    try:
        for extra in extra_node_args:
            ray_cluster.add_node(**node_args, **extra)
        ray_cluster.wait_for_nodes()
        yield ray_cluster
    finally:
        ray.shutdown()
        ray_cluster.shutdown()
        os.environ["PYTHONPATH"] = old_path
        deadline = time.monotonic() + 20
        while raylet_pids(session) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not raylet_pids(session), "a raylet outlived the cluster"
