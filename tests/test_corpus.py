"""Real export layouts read right: table, columns, rows, dates, KPIs and the layout's name.

Each file of ``tests/corpus/files`` imitates one tool's export (see tests/corpus/README.md);
``tests/corpus/expected.json`` holds what reading it must give, computed by
``tests/corpus/generate.py`` from the rows it wrote, without ``kpi``. Files are read the way
``python -m kpi report`` reads them: ``kpi.ingest.load_files`` then ``kpi.analysis.analysis``.

Every check of a file is made and the differences are listed together, so one failure says
everything that is wrong with that layout. ``python tests/corpus/score.py`` prints the table.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kpi.analysis import analysis
from kpi.errors import KpiError
from kpi.ingest import load_files, plan_sources
from kpi.report import Settings

CORPUS = Path(__file__).resolve().parent / "corpus"
FILES = CORPUS / "files"
EXPECTED: dict[str, dict[str, Any]] = json.loads(
    (CORPUS / "expected.json").read_text(encoding="utf-8")
)
MAIN_DATE = {
    "orders": "order_date",
    "leads": "created_date",
    "surveys": "date",
    "tickets": "created_at",
    "spend": "date",
}
COUNTS = {"orders", "active_customers"}
REL = 1e-9  # money sums and rates: the same arithmetic on the same cents
TODAY = pd.Timestamp("2026-01-01")  # after every date of the corpus


def case_ids() -> list[str]:
    """Test ids: the layout name, or the case name where the layout is unknown or shared."""
    layouts = [e["layout"] for e in EXPECTED.values()]
    return [
        e["layout"] if e["layout"] and layouts.count(e["layout"]) == 1 else name
        for name, e in EXPECTED.items()
    ]


def _resolve(accepted: str | list[str], columns: list[str]) -> list[str]:
    """Expected source columns; ``column N`` (headerless files) is the file's Nth column."""
    out = []
    for a in [accepted] if isinstance(accepted, str) else accepted:
        if a.startswith("column ") and a[7:].isdigit():
            n = int(a[7:])
            out.append(columns[n - 1] if n <= len(columns) else a)
        else:
            out.append(a)
    return out


def _close(got: Any, want: float, *, exact: bool) -> bool:
    if got is None or isinstance(got, str):
        return False
    if exact:
        return got == want
    return math.isclose(float(got), want, rel_tol=REL, abs_tol=1e-12)


def problems(name: str) -> list[str]:
    """Everything that differs between reading the case's file and its expectations."""
    exp = EXPECTED[name]
    data = (FILES / exp["file"]).read_bytes()
    files = [(exp["file"], data)]
    try:
        ds = load_files(files, today=TODAY)
    except KpiError as exc:
        return [f"not read: {type(exc).__name__}: {str(exc)[:200]}"]
    out: list[str] = []
    reports = [r for r in ds.reports if r.table != "unknown"]
    tables = sorted({r.table for r in reports})
    if tables != [exp["table"]]:
        out.append(f"table: read as {tables or 'nothing'}, expected {exp['table']!r}")
        return out
    report = reports[0]

    # the layout's name, where the tool is known
    if exp["layout"]:
        if not hasattr(report, "layout"):
            out.append("layout: ValidationReport has no 'layout' field yet")
        elif report.layout != exp["layout"]:
            out.append(f"layout: reported {report.layout!r}, expected {exp['layout']!r}")

    # the chosen columns: the report's mapping, else the suggestion load_files applied
    plans = plan_sources(files)
    columns = [str(c) for c in plans[0].raw.frame.columns] if plans else []
    mapping = getattr(report, "mapping", None)
    if mapping is None and plans:
        mapping = plans[0].suggestion.mapping
    for canonical, accepted in exp["columns"].items():
        ok = _resolve(accepted, columns)
        got = (mapping or {}).get(canonical)
        if got not in ok:
            want = ok[0] if len(ok) == 1 else f"one of {ok}"
            out.append(f"column {canonical}: from {got!r}, expected {want!r}")

    # rows kept and rejected (summary rows may be set aside or rejected, never kept)
    if report.rows_kept != exp["rows_kept"]:
        out.append(f"rows kept: {report.rows_kept}, expected {exp['rows_kept']}")
    allowed = {exp["rows_rejected"], exp["rows_rejected"] + exp["summary_rows"]}
    if report.rows_rejected not in allowed:
        reasons = "; ".join(f"{p.count} {p.reason}" for p in report.rejected)[:200]
        out.append(
            f"rows rejected: {report.rows_rejected} ({reasons}), expected "
            f"{' or '.join(map(str, sorted(allowed)))}"
        )

    # the span of the table's main date
    frame = ds.tables.get(exp["table"])
    date_col = MAIN_DATE[exp["table"]]
    if frame is None or date_col not in frame or frame[date_col].dropna().empty:
        out.append(f"dates: no {date_col} read")
    else:
        dates = pd.to_datetime(frame[date_col].dropna())
        span = [dates.min().strftime("%Y-%m-%d"), dates.max().strftime("%Y-%m-%d")]
        if span != exp["dates"]:
            out.append(
                f"dates: {span[0]}..{span[1]}, expected {exp['dates'][0]}..{exp['dates'][1]}"
            )

    # the key KPIs, from the same call the command line makes
    if exp["kpis"]:
        answers = exp.get("answers")
        if answers:
            # The export cannot say it: without the user's answer the KPIs stay unknown.
            unasked = analysis(ds.tables).kpis
            out.extend(
                f"kpi {key}: {unasked.get(key)!r} before the user answered {answers}"
                for key in exp["kpis"]
                if unasked.get(key) is not None
            )
        kpis = analysis(ds.tables, settings=Settings(**(answers or {}))).kpis
        for key, want in exp["kpis"].items():
            got = kpis.get(key)
            if not _close(got, want, exact=key in COUNTS):
                out.append(f"kpi {key}: {got!r}, expected {want!r}")
    if "spend_total" in exp:
        got = float(frame["amount"].sum()) if frame is not None and "amount" in frame else None
        if not _close(got, exp["spend_total"], exact=False):
            out.append(f"spend total: {got!r}, expected {exp['spend_total']!r}")
    return out


@pytest.mark.parametrize("name", list(EXPECTED), ids=case_ids())
def test_layout_reads_right(name: str) -> None:
    found = problems(name)
    assert not found, f"{EXPECTED[name]['file']}:\n  " + "\n  ".join(found)


def _generator():
    spec = importlib.util.spec_from_file_location("corpus_generate", CORPUS / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_corpus_regenerates_byte_identical(tmp_path: Path) -> None:
    _generator().write(tmp_path)
    result = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    files = sorted(f"files/{p.name}" for p in FILES.iterdir() if p.is_file())
    committed = ["README.md", "expected.json", *files]
    assert result == sorted(committed)
    changed = [f for f in result if (tmp_path / f).read_bytes() != (CORPUS / f).read_bytes()]
    assert changed == []


def test_corpus_is_large_varied_and_small() -> None:
    layouts = {e["layout"] for e in EXPECTED.values() if e["layout"]}
    tables = {e["table"] for e in EXPECTED.values()}
    size = sum(p.stat().st_size for p in FILES.iterdir())
    assert len(EXPECTED) >= 30 and len(layouts) >= 30
    assert tables == {"orders", "leads", "tickets", "surveys", "spend"}
    assert size < 2 * 2**20


def test_generator_never_imports_kpi() -> None:
    tree = ast.parse((CORPUS / "generate.py").read_text(encoding="utf-8"))
    imported = [
        n.module if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in (n.names if isinstance(n, ast.Import) else [n])
    ]
    assert not [m for m in imported if m and m.split(".")[0] == "kpi"]
