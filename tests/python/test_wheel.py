"""`pip install .` into a fresh venv gives the package and the `curate` command.

A from-scratch C++ build: with a warm ccache (the one `make test` fills) it reuses the
development build's objects, since pyproject.toml builds the same way at the same depth.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


def development_werror() -> str:
    cache = pathlib.Path(os.environ.get("CURATE_BUILD_DIR", REPO / "build")) / "CMakeCache.txt"
    text = cache.read_text() if cache.exists() else ""
    match = re.search(r"^CURATE_WERROR:BOOL=(\w+)$", text, re.M)
    return match.group(1) if match else "OFF"


def test_pip_install_gives_the_package_and_the_command(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CURATE_BUILD_DIR")}
    env.update(CCACHE_BASEDIR=str(REPO), CCACHE_NOHASHDIR="1", CURATE_WERROR=development_werror(),
               CMAKE_BUILD_PARALLEL_LEVEL=str(os.cpu_count() or 2))
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(REPO)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=1500)
    assert install.returncode == 0, install.stdout[-4000:] + install.stderr[-4000:]

    version = subprocess.run([str(venv / "bin" / "curate"), "--version"], env=env, cwd=tmp_path,
                             capture_output=True, text=True, check=True)
    assert "0.1.0" in version.stdout
    # Only the standard library: this venv has neither pyarrow nor pandas.
    imported = subprocess.run(
        [str(python), "-c", "import curate, sys; from curate.pipeline import Pipeline; "
         "from curate._native import native; native(); "
         "assert 'pyarrow' not in sys.modules and 'pandas' not in sys.modules; "
         "print(curate.__file__)"],
        env=env, cwd=tmp_path, capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    assert str(venv) in imported.stdout
