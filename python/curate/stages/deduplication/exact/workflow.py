"""ExactDeduplicationWorkflow with NeMo Curator's parameters, run by curate's engine."""

from __future__ import annotations

from typing import Any, Literal

from curate.stages.deduplication._workflow import (WorkflowRunResult, check_filetype,
                                                   check_unsupported, input_paths, run_workflow)

__all__ = ["ExactDeduplicationWorkflow"]


class ExactDeduplicationWorkflow:
    """Remove documents whose text is identical to an earlier one (in input order): hash
    each text (XXH3-128, or ``hash="md5"`` as NeMo Curator), group by hash, keep the first.
    The removal list (``{"id", "kept_id"}``) goes to ``<output_path>/removal_list/``;
    ``perform_removal`` also writes the kept corpus to ``<output_path>/deduplicated/``."""

    def __init__(  # noqa: PLR0913 - NeMo Curator's signature
        self,
        output_path: str | None = None,
        input_path: str | list[str] | None = None,
        input_filetype: Literal["jsonl", "parquet"] = "jsonl",
        input_blocksize: str | int | None = None,
        input_file_extensions: list[str] | None = None,
        read_kwargs: dict[str, Any] | None = None,
        write_kwargs: dict[str, Any] | None = None,
        assign_id: bool = True,
        id_field: str | None = None,
        text_field: str = "text",
        perform_removal: bool = False,
        env_vars: dict[str, Any] | None = None,
        *,
        hash: Literal["md5", "xxh3_128"] = "xxh3_128",  # noqa: A002 - the engine's name
        overwrite: bool = False,
    ) -> None:
        if output_path is None:
            raise ValueError("ExactDeduplicationWorkflow: output_path is required")
        check_filetype("ExactDeduplicationWorkflow", input_filetype)
        check_unsupported("ExactDeduplicationWorkflow", read_kwargs=read_kwargs,
                          write_kwargs=write_kwargs, env_vars=env_vars,
                          input_blocksize=input_blocksize,
                          input_file_extensions=input_file_extensions)
        # assign_id: curate always numbers documents by position; id_field names the
        # user's id that the removal list reports (records without one get a stable id).
        self.assign_id = assign_id
        self.input_path = input_path
        self.params: dict[str, Any] = {
            "output_path": output_path, "text_field": text_field, "id_field": id_field or "id",
            "perform_removal": perform_removal, "overwrite": overwrite, "hash": hash,
        }

    def run(self, initial_tasks: list | None = None, executor: Any = None) -> WorkflowRunResult:
        """Run on the C++ LocalExecutor without the GIL, or on ``executor`` itself when it
        runs engine stages (``_execute_native``: the RayExecutor); return the counters."""
        params = dict(self.params)
        params["input_path"] = input_paths(self.input_path, initial_tasks)
        return run_workflow("exact_deduplication", params, executor)
