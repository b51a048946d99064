"""A named list of stages, run by an executor."""

from __future__ import annotations

from curate.stages.base import CompositeStage, ProcessingStage

__all__ = ["Pipeline"]


class Pipeline:
    """A named list of stages; ``run`` hands them to an executor (LocalExecutor by default)."""

    def __init__(self, name: str, description: str | None = None,
                 stages: list[ProcessingStage] | None = None) -> None:
        self.name = name
        self.description = description
        self.stages: list[ProcessingStage] = list(stages or [])

    def add_stage(self, stage: ProcessingStage) -> "Pipeline":
        """Append a stage; return the pipeline, for chaining."""
        if not isinstance(stage, ProcessingStage):
            raise TypeError(f"add_stage takes a ProcessingStage, not {type(stage).__name__}")
        self.stages.append(stage)
        return self

    def build(self) -> list[ProcessingStage]:
        """Return the stages with Python composites expanded (the engine expands its own)."""
        if not self.stages:
            raise ValueError(f"pipeline '{self.name}' has no stages; add some with add_stage")
        built: list[ProcessingStage] = []
        for stage in self.stages:
            if isinstance(stage, CompositeStage):
                parts = stage.decompose()
                if any(isinstance(part, CompositeStage) for part in parts):
                    raise ValueError(f"composite stage '{stage.name}' nests another composite")
                built.extend(parts)
            else:
                built.append(stage)
        return built

    def describe(self) -> str:
        """Return the engine's listing of the built stages and the default executor."""
        from curate.backends.local import LocalExecutor

        return LocalExecutor().describe(self.build(), _pipeline_name=self.name)

    def run(self, executor=None, initial_tasks: list | None = None) -> list:
        """Build and execute (default: ``LocalExecutor()``); return the last stage's outputs."""
        from curate.backends.local import LocalExecutor

        executor = executor or LocalExecutor()
        stages = self.build()
        # Executors that keep a run's record (stats.json) take the pipeline's name for it.
        if isinstance(executor, LocalExecutor) or getattr(executor, "_takes_pipeline_name", False):
            return executor.execute(stages, initial_tasks, _pipeline_name=self.name,
                                    _description=self.description)
        return executor.execute(stages, initial_tasks)

    def __repr__(self) -> str:
        return f"Pipeline(name={self.name!r}, stages={len(self.stages)})"
