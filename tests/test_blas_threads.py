"""The app's model fits run with one BLAS thread, as the command line does (kpi/__main__.py).

OpenBLAS reads OPENBLAS_NUM_THREADS once, when numpy or scipy first loads it, so each check
runs in a fresh interpreter that imports what a script of the app imports first, then asks
every OpenBLAS the process loaded (numpy's and scipy's) how many threads it runs.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

_ASK = """
import ctypes, json
{first}
import numpy, scipy.linalg
paths = sorted({{line.split()[-1] for line in open("/proc/self/maps")
                 if "openblas" in line and ".so" in line.split()[-1]}})
counts = []
for path in paths:
    lib = ctypes.CDLL(path)
    for name in ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
                 "openblas_get_num_threads64_", "openblas_get_num_threads"):
        if hasattr(lib, name):
            counts.append(getattr(lib, name)())
            break
print(json.dumps(counts))
"""
_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")


def _blas_threads(first: str) -> list[int]:
    env = {k: v for k, v in os.environ.items() if k not in _THREAD_VARIABLES}
    out = subprocess.run(
        [sys.executable, "-c", _ASK.format(first=first)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return json.loads(out.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_the_app_loads_blas_with_one_thread():
    # app.py and seven of the pages import kpi before numpy loads.
    counts = _blas_threads("from kpi import base")
    assert len(counts) == 2 and counts == [1, 1], counts  # numpy's, scipy's
    # Without the app's modules, OpenBLAS starts a thread per core.
    if (os.cpu_count() or 1) > 1:
        assert max(_blas_threads("")) > 1


def test_the_frame_asks_for_one_blas_thread_before_anything_loads_numpy():
    # Retention and Value import ui.frame first (importing it here takes seconds: Streamlit
    # and Plotly): the setting must come before its first import that can load numpy.
    tree = ast.parse((ROOT / "ui" / "frame.py").read_text(encoding="utf-8"))
    first_load = next(
        n.lineno
        for n in tree.body
        if isinstance(n, ast.Import | ast.ImportFrom)
        and not (isinstance(n, ast.ImportFrom) and n.module == "__future__")
        and (n.module if isinstance(n, ast.ImportFrom) else n.names[0].name).split(".")[0]
        not in sys.stdlib_module_names
    )
    [setting] = [
        n.lineno
        for n in tree.body
        if isinstance(n, ast.Expr)
        and "OPENBLAS_NUM_THREADS" in ast.unparse(n)
        and ast.unparse(n).startswith("os.environ.setdefault(")
    ]
    assert setting < first_load
