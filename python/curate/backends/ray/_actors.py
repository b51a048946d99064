"""What runs inside Ray workers: a stage actor and the per-node setup task.

Each rebuilds its stage from the pipeline document (registry names and parameters) and
the Python stage objects Ray unpickled for it, then picks the stage at ``index`` of the
built (composites expanded) list. Tasks travel as ``task_to_bytes`` blobs, each with its
order key (see ``output_keys``): a bundle is a list of ``(key, blob)`` pairs.
"""

from __future__ import annotations

import struct

from curate._native import native

_INDEX = struct.Struct(">I")


def order_index(index: int) -> bytes:
    """Return one level of an order key: 4 bytes big-endian, so byte order is numeric order."""
    return _INDEX.pack(index)


def output_keys(input_keys: list[bytes], count: int) -> list[bytes]:
    """Return the order keys of ``count`` outputs of one call over inputs with ``input_keys``.

    The LocalExecutor's rule: as many outputs as inputs keep the inputs' keys by position;
    otherwise each output gets the smallest input key plus its own position. Sorting by
    key then gives the order a sequential run produces, whatever the worker count.
    """
    if count == len(input_keys):
        return list(input_keys)
    parent = min(input_keys) if input_keys else b""
    return [parent + _INDEX.pack(i) for i in range(count)]


def _build(document: str, python_stages: list, index: int):
    return native().build_stages(document, list(python_stages))[index]


def setup_on_node(document: str, python_stages: list, index: int) -> str:
    """Run ``setup_on_node`` of stage ``index`` on the node this task was placed on."""
    import ray

    node_id = ray.get_runtime_context().get_node_id()
    stage = _build(document, python_stages, index)
    try:
        stage.setup_on_node(node_id)
    except Exception as error:
        raise RuntimeError(
            f"stage '{stage.name}' failed in setup_on_node on node {node_id}: {error}") from error
    return node_id


class StageActor:
    """One worker instance of one stage; Ray calls one method at a time."""

    def __init__(self, document: str, python_stages: list, index: int) -> None:
        import ray

        context = ray.get_runtime_context()
        self._node_id = context.get_node_id()
        self._worker_id = context.get_worker_id()
        self._stage = _build(document, python_stages, index)
        self._set_up = False

    def setup(self) -> str:
        """Call the stage's ``setup``; return the node this actor runs on."""
        try:
            self._stage.setup(self._worker_id)
        except Exception as error:
            raise RuntimeError(
                f"stage '{self._stage.name}' failed in setup on node {self._node_id} "
                f"(worker {self._worker_id}): {error}") from error
        self._set_up = True
        return self._node_id

    def process(self, bundle: list) -> tuple[int, list]:
        """Process a bundle of (key, serialised task) in calls of at most ``batch_size``.

        Return (number of outputs, (key, serialised output) pairs): the driver reads only
        the number. A failure raises RuntimeError naming the stage, the task ids and the node.
        """
        size = max(1, self._stage.batch_size)
        outputs = []
        for start in range(0, len(bundle), size):
            keys = [key for key, _ in bundle[start:start + size]]
            chunk = [native().task_from_bytes(blob) for _, blob in bundle[start:start + size]]
            try:
                produced = self._stage.process_batch(chunk)
            except Exception as error:
                ids = ", ".join(repr(task.task_id) for task in chunk)
                raise RuntimeError(
                    f"stage '{self._stage.name}' failed on task {ids} on node {self._node_id} "
                    f"(worker {self._worker_id}): {error}") from error
            outputs.extend(zip(output_keys(keys, len(produced)),
                               (native().task_to_bytes(task) for task in produced)))
        return len(outputs), outputs

    def teardown(self) -> None:
        """Call the stage's ``teardown`` once, if ``setup`` ran."""
        if self._set_up:
            self._set_up = False
            self._stage.teardown()
