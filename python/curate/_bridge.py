"""The Python side of the engine's calls into Python stages and Python logging.

The C++ adapter (src/curate/python/python_stage.cpp) calls these functions with the GIL
held, from the executor's worker threads; they wrap engine tasks as Python tasks, call
the stage, and unwrap what it returns.
"""

from __future__ import annotations

import copy
import json
import logging

from curate.backends.base import NodeInfo, WorkerMetadata
from curate.stages.base import ProcessingStage
from curate.tasks import _unwrap, _wrap

_logger = logging.getLogger("curate")

# spdlog's levels (trace, debug, info, warn, err, critical) as logging's.
_LEVELS = [5, logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL]


def describe_stage(stage) -> str:
    """Return what the engine needs to know of a Python stage, as JSON."""
    resources = stage.resources
    batch_size = int(stage.batch_size)
    if batch_size < 1:
        raise ValueError(f"stage '{stage.name}': batch_size must be at least 1")
    workers = stage.num_workers()
    return json.dumps({
        "name": str(stage.name),
        "cpus": float(resources.cpus),
        "gpus": float(resources.gpus),
        "gpu_memory_gb": float(resources.gpu_memory_gb),
        "batch_size": batch_size,
        "num_workers": None if workers is None else int(workers),
        "inputs": list(stage.inputs()[1]),
        "outputs": list(stage.outputs()[1]),
        "spec": stage._stage_spec(),
        "sets_up_nodes": _sets_up_nodes(stage),
    })


def _sets_up_nodes(stage) -> bool:
    """Return False when the stage's ``setup_on_node`` is the base class's, which does
    nothing: executors then skip its node setup (a Ray task per node)."""
    own = getattr(type(stage), "setup_on_node", None)
    return own is not None and own is not ProcessingStage.setup_on_node


def process_batch(stage, handles: list) -> list:
    """Call the stage on engine tasks and return engine tasks."""
    results = stage.process_batch([_wrap(handle) for handle in handles])
    if results is None:
        return []
    if not isinstance(results, (list, tuple)):
        results = [results]
    return [_unwrap(task) for task in results if task is not None]


def _worker(worker_json: str) -> WorkerMetadata:
    worker = json.loads(worker_json)
    return WorkerMetadata(worker_id=worker["worker_id"], allocation=worker["allocation"])


def setup_on_node(stage, node_id: str, worker_json: str) -> None:
    stage.setup_on_node(NodeInfo(node_id=node_id), _worker(worker_json))


def setup(stage, worker_json: str) -> None:
    stage.setup(_worker(worker_json))


def teardown(stage) -> None:
    stage.teardown()


def clone(stage):
    """Return a worker's own copy of a stage (Ray workers get unpickled copies)."""
    return copy.deepcopy(stage)


def emit_log(level: int, logger_name: str, message: str) -> None:
    """Log one engine record to ``logging.getLogger("curate")``, tagged with its source.

    Worker loggers are named ``stage/worker@node``; the driver's has no name.
    """
    py_level = _LEVELS[level] if 0 <= level < len(_LEVELS) else logging.INFO
    if not _logger.isEnabledFor(py_level):
        return
    stage = worker = node = None
    if logger_name:
        stage, _, rest = logger_name.partition("/")
        worker, _, node = rest.partition("@")
        message = f"[{logger_name}] {message}"
    _logger.log(py_level, message, extra={"stage": stage, "worker": worker, "node": node})
