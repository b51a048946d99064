"""What runs inside Ray workers: a stage actor (the per-node setup task is in _cluster).

Each rebuilds its stage from the pipeline document (registry names and parameters) and
the Python stage objects Ray unpickled for it, then picks the stage at ``index`` of the
built (composites expanded) list. Tasks travel as ``task_to_bytes`` blobs.
"""

from __future__ import annotations

from curate._native import native


def _build(document: str, python_stages: list, index: int):
    return native().build_stages(document, list(python_stages))[index]


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
        """Process a bundle of serialised tasks in calls of at most ``batch_size``.

        Return (number of outputs, serialised outputs): the driver reads only the number.
        A failure raises RuntimeError naming the stage, the task ids and the node.
        """
        tasks = [native().task_from_bytes(blob) for blob in bundle]
        size = max(1, self._stage.batch_size)
        outputs = []
        for start in range(0, len(tasks), size):
            chunk = tasks[start:start + size]
            try:
                produced = self._stage.process_batch(chunk)
            except Exception as error:
                ids = ", ".join(repr(task.task_id) for task in chunk)
                raise RuntimeError(
                    f"stage '{self._stage.name}' failed on task {ids} on node {self._node_id} "
                    f"(worker {self._worker_id}): {error}") from error
            outputs.extend(native().task_to_bytes(task) for task in produced)
        return len(outputs), outputs

    def teardown(self) -> None:
        """Call the stage's ``teardown`` once, if ``setup`` ran."""
        if self._set_up:
            self._set_up = False
            self._stage.teardown()
