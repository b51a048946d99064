"""What one worker of a stage needs (NeMo Curator's ``Resources``)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Resources"]


@dataclass
class Resources:
    """CPUs, and either whole or fractional GPUs or an amount of GPU memory, per worker."""

    cpus: float = 1.0
    gpu_memory_gb: float = 0.0
    gpus: float = 0.0

    def __post_init__(self) -> None:
        if self.cpus < 0 or self.gpus < 0 or self.gpu_memory_gb < 0:
            raise ValueError(f"resources cannot be negative: {self}")
        if self.gpus > 0 and self.gpu_memory_gb > 0:
            raise ValueError("set either gpus or gpu_memory_gb, not both")

    @property
    def requires_gpu(self) -> bool:
        return self.gpus > 0 or self.gpu_memory_gb > 0

    def _to_dict(self) -> dict:
        return {"cpus": self.cpus, "gpus": self.gpus, "gpu_memory_gb": self.gpu_memory_gb}
