"""FuzzyDeduplicationWorkflow with NeMo Curator's parameters, run by curate's engine."""

from __future__ import annotations

from typing import Any, Literal

from curate.stages.deduplication._workflow import (WorkflowRunResult, check_filetype,
                                                   check_unsupported, input_paths, run_workflow)

__all__ = ["FuzzyDeduplicationWorkflow"]


class FuzzyDeduplicationWorkflow:
    """Find near-duplicate documents (MinHash over character n-grams, LSH in band windows,
    connected components) as NeMo Curator's workflow does, then **verify** every removal
    by the exact Jaccard similarity of the two documents' shingle sets, without chaining:
    each removed document is listed with a kept near duplicate (``kept_id``) and their
    ``similarity`` in ``<output_path>/removal_list/``. ``perform_removal`` also writes the
    corpus without them to ``<output_path>/deduplicated/``.

    NeMo Curator's parameters keep their names and defaults (``char_ngrams=24``,
    ``num_bands=20``, ``minhashes_per_band=13``, ``bands_per_iteration=5``, ``seed=42``).
    curate adds ``jaccard_threshold`` (0.8), ``id_field``, ``sketch`` ("oph", the
    densified one-permutation sketch, or "classic") and ``overwrite``. ``num_bands=None``
    chooses bands and rows so that a pair at the threshold is a candidate with
    probability >= 0.99. ``cache_path`` is accepted for compatibility: curate keeps its
    intermediates in memory.
    """

    def __init__(  # noqa: PLR0913 - NeMo Curator's signature
        self,
        cache_path: str | None = None,
        output_path: str | None = None,
        input_path: str | list[str] | None = None,
        input_filetype: Literal["jsonl", "parquet"] = "jsonl",
        input_blocksize: str | int | None = None,
        input_file_extensions: list[str] | None = None,
        read_kwargs: dict[str, Any] | None = None,
        cache_kwargs: dict[str, Any] | None = None,
        write_kwargs: dict[str, Any] | None = None,
        text_field: str = "text",
        perform_removal: bool = False,
        seed: int = 42,
        char_ngrams: int = 24,
        num_bands: int | None = 20,
        minhashes_per_band: int | None = 13,
        use_64_bit_hash: bool = False,
        bands_per_iteration: int = 5,
        lsh_num_output_partitions: int | None = None,
        env_vars: dict[str, Any] | None = None,
        *,
        id_field: str = "id",
        jaccard_threshold: float = 0.8,
        sketch: Literal["oph", "classic"] = "oph",
        overwrite: bool = False,
        **_gpu_options: Any,
    ) -> None:
        if output_path is None:
            raise ValueError("FuzzyDeduplicationWorkflow: output_path is required")
        check_filetype("FuzzyDeduplicationWorkflow", input_filetype)
        check_unsupported("FuzzyDeduplicationWorkflow", read_kwargs=read_kwargs,
                          cache_kwargs=cache_kwargs, write_kwargs=write_kwargs,
                          env_vars=env_vars, input_blocksize=input_blocksize,
                          input_file_extensions=input_file_extensions)
        if bands_per_iteration < 1 or (num_bands is not None and bands_per_iteration > num_bands):
            raise ValueError("bands_per_iteration must be between [1, num_bands]")
        self.cache_path = cache_path
        self.output_path = output_path
        self.input_path = input_path
        self.params: dict[str, Any] = {
            "output_path": output_path, "text_field": text_field, "id_field": id_field,
            "perform_removal": perform_removal, "overwrite": overwrite, "seed": seed,
            "char_ngrams": char_ngrams, "num_bands": num_bands,
            "minhashes_per_band": minhashes_per_band, "use_64_bit_hash": use_64_bit_hash,
            "bands_per_iteration": bands_per_iteration, "jaccard_threshold": jaccard_threshold,
            "sketch": sketch, "num_partitions": lsh_num_output_partitions,
        }

    def run(self, initial_tasks: list | None = None, executor: Any = None) -> WorkflowRunResult:
        """Run on the C++ LocalExecutor (``executor``'s ``num_cpus``, if given) without the
        GIL, or on ``executor`` itself when it runs engine stages (``_execute_native``: the
        RayExecutor); return the counters. ``initial_tasks`` may be FileGroupTasks naming
        the files."""
        params = dict(self.params)
        params["input_path"] = input_paths(self.input_path, initial_tasks)
        return run_workflow("fuzzy_deduplication", params, executor)

