"""The layers import only what they may (STYLE.md, "Boundaries")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "kpi").glob("*.py")), ids=lambda p: p.name)
def test_kpi_never_imports_streamlit_or_plotly(path):
    assert not _imports(path) & {"streamlit", "plotly", "ui", "pages"}


@pytest.mark.parametrize(
    "path",
    sorted([*(ROOT / "ui").glob("*charts.py"), ROOT / "ui" / "format.py"]),
    ids=lambda p: p.name,
)
def test_figures_and_formats_do_not_import_streamlit(path):
    assert "streamlit" not in _imports(path)


def test_nothing_imports_pages():
    for path in [*ROOT.glob("kpi/*.py"), *ROOT.glob("ui/*.py"), ROOT / "app.py"]:
        assert "pages" not in _imports(path), path


def test_no_unsafe_html_eval_or_pickle():
    for path in [
        *ROOT.glob("kpi/*.py"),
        *ROOT.glob("ui/*.py"),
        *ROOT.glob("pages/*.py"),
        ROOT / "app.py",
    ]:
        text = path.read_text(encoding="utf-8")
        assert "unsafe_allow_html=True" not in text, path
        tree = ast.parse(text)
        calls = {
            n.func.id
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        assert not calls & {"eval", "exec"}, path
        assert "pickle" not in _imports(path), path
