"""What runs inside Ray workers: a stage actor and the per-node setup task.

Each gets its stage from a source: a ``DocumentStage`` (rebuilt from the pipeline
document, registry names and parameters, and the Python stage objects Ray unpickled for
it: the stage at ``index`` of the built, composites expanded, list), or a
``ShippedStage`` (a built engine stage that Ray pickled as its description). Tasks
travel as ``task_to_bytes`` blobs, each with its
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


class DocumentStage:
    """Stage ``index`` of the stages a pipeline document builds (Python Pipelines)."""

    def __init__(self, document: str, python_stages: list, index: int) -> None:
        self.document = document
        self.python_stages = python_stages
        self.index = index

    def build(self):
        """Return a fresh instance of the stage, built in this process."""
        return native().build_stages(self.document, list(self.python_stages))[self.index]


class ShippedStage:
    """A built engine stage (NativeStage), pickled by Ray as its description (the C++
    workflows' stages, which no pipeline document names)."""

    def __init__(self, stage) -> None:
        self.stage = stage

    def build(self):
        """Return this process's copy of the stage (each unpickling makes its own)."""
        return self.stage


def setup_on_node(source) -> str:
    """Run ``setup_on_node`` of the stage of ``source`` on the node this task was placed on."""
    import ray

    node_id = ray.get_runtime_context().get_node_id()
    stage = source.build()
    try:
        stage.setup_on_node(node_id)
    except Exception as error:
        raise RuntimeError(
            f"stage '{stage.name}' failed in setup_on_node on node {node_id}: {error}") from error
    return node_id


class StageActor:
    """One worker instance of one stage; Ray calls one method at a time."""

    def __init__(self, source) -> None:
        import ray

        context = ray.get_runtime_context()
        self._node_id = context.get_node_id()
        self._worker_id = context.get_worker_id()
        self._stage = source.build()
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

    def process_split(self, bundle: list, slots: int) -> tuple:
        """Process as ``process`` does, then spread the outputs, in order, over ``slots``
        bundles returned as separate objects (a fan-out stage's outputs go to several
        downstream actors at once, and no object holds all of them). Return the number of
        outputs in each slot, then the slots."""
        _, outputs = self.process(bundle)
        share, extra = divmod(len(outputs), slots)
        parts, start = [], 0
        for slot in range(slots):
            stop = start + share + (1 if slot < extra else 0)
            parts.append(outputs[start:stop])
            start = stop
        return ([len(part) for part in parts], *parts)

    def teardown(self):
        """Call the stage's ``teardown`` once, if ``setup`` ran; return the stage's counters
        (what the driver merges into its own stage object), or None."""
        if self._set_up:
            self._set_up = False
            self._stage.teardown()
        counters = getattr(self._stage, "counters", None)
        return counters() if counters is not None else None
