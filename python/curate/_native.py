"""Access to the compiled engine (curate._curate), imported on first use."""

from __future__ import annotations

import functools
import types


@functools.cache
def native() -> types.ModuleType:
    """Return the compiled module, or raise ImportError saying how to build it."""
    try:
        from curate import _curate
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise ImportError(
            "curate's compiled engine (curate._curate) is missing: install the package with "
            "`pip install .`, or build it with `make build` and put python/ and "
            "build/python/ on PYTHONPATH"
        ) from error
    return _curate


def native_stage_from_bytes(data: bytes):
    """Rebuild a NativeStage from its description bytes: what unpickling one calls."""
    return native().stage_from_bytes(data)


def require_pyarrow(what: str):
    """Return pyarrow, or raise ImportError naming the extra that installs it."""
    try:
        import pyarrow
    except ImportError as error:
        raise ImportError(
            f"{what} needs pyarrow: install it with `pip install 'curate[parquet]'`"
        ) from error
    return pyarrow
