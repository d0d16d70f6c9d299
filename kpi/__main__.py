"""Command line: ``python -m kpi report FILE [FILE ...]``.

Reads the files exactly as the app does (same detection, mapping and validation) and prints
every KPI the data supports, as JSON (a stable contract, see DESIGN.md) or as a table.
A file that cannot be read exits with status 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from kpi.analysis import analysis
from kpi.errors import KpiError
from kpi.ingest import Dataset, load_files
from kpi.periods import PERIODS
from kpi.report import plain
from kpi.schema import mapping_from_json


def table_summary(ds: Dataset) -> dict[str, dict[str, Any]]:
    """Rows kept and rejected per canonical table, summed over its sources."""
    out: dict[str, dict[str, Any]] = {}
    for r in ds.reports:
        if r.table == "unknown":
            continue
        entry = out.setdefault(
            r.table,
            {"rows": 0, "rejected": 0, "read": 0, "refunds": 0, "duplicates": 0, "sources": []},
        )
        entry["rows"] += r.rows_kept
        entry["rejected"] += r.rows_rejected
        entry["read"] += r.rows_read
        entry["refunds"] += r.refunds
        entry["duplicates"] += r.duplicates
        entry["sources"].append(r.source)
    return out


def build_output(
    ds: Dataset, *, start: pd.Timestamp | None, end: pd.Timestamp | None, period: str
) -> dict[str, Any]:
    section = analysis(ds.tables, start=start, end=end, period=period)
    warnings = list(section.warnings)
    for r in ds.reports:
        warnings.extend(f"{r.source}: {n}" for n in r.notes if r.table == "unknown")
        warnings.extend(f"{r.source}: {p.count} row(s) rejected: {p.reason}" for p in r.rejected)
    return plain(
        {
            "tables": table_summary(ds),
            "currency": ds.currency,
            "kpis": section.kpis,
            "series": section.series,
            "cohorts": section.cohorts,
            "warnings": warnings,
        }
    )


def _format_table(out: dict[str, Any]) -> str:
    lines = ["Tables"]
    for name, t in out["tables"].items():
        lines.append(f"  {name:<12} {t['rows']:>10,} rows  {t['rejected']:>8,} rejected")
    lines.append("KPIs")
    width = max((len(k) for k in out["kpis"]), default=10)
    for key, value in out["kpis"].items():
        if isinstance(value, dict):
            shown = ", ".join(f"{k}: {_short(v)}" for k, v in value.items())
        else:
            shown = _short(value)
        lines.append(f"  {key:<{width}}  {shown}")
    if out["warnings"]:
        lines.append("Warnings")
        lines.extend(f"  - {w}" for w in out["warnings"])
    return "\n".join(lines)


def _short(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _date(text: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(pd.to_datetime(text, format="ISO8601"))
    except (ValueError, TypeError) as exc:
        raise argparse.ArgumentTypeError(f"not a date (use YYYY-MM-DD): {text!r}") from exc


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kpi", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report", help="print every KPI the files support")
    rep.add_argument("files", nargs="*", type=Path, metavar="FILE")
    rep.add_argument("--mapping", type=Path, help="JSON: per file, its table and columns")
    rep.add_argument("--period", choices=PERIODS, default="month")
    rep.add_argument("--start", type=_date, help="first day of the range (YYYY-MM-DD)")
    rep.add_argument("--end", type=_date, help="last day of the range (YYYY-MM-DD)")
    rep.add_argument("--format", choices=("json", "table"), default="json")
    rep.add_argument(
        "--source",
        metavar="URL",
        help="duckdb:///f.duckdb, a Parquet/CSV path, "
        "postgresql://user@host:port/db, spark://host:7077, sc://host or local[N]",
    )
    rep.add_argument(
        "--table",
        action="append",
        default=[],
        metavar="NAME=SCHEMA.TABLE",
        help="with --source: orders=... (and customers=...)",
    )
    args = parser.parse_args(argv)
    if args.source is not None or not args.files:
        return _report_source(parser, args)
    try:
        files = [(p.name, p.read_bytes()) for p in args.files]
        mapping = None
        if args.mapping:
            mapping = mapping_from_json(json.loads(args.mapping.read_text(encoding="utf-8")))
        ds = load_files(files, mapping=mapping)
    except (OSError, KpiError, json.JSONDecodeError) as exc:
        print(f"error: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    if args.start and args.end and args.start > args.end:
        print("error: --start is after --end", file=sys.stderr)
        return 2
    out = build_output(ds, start=args.start, end=args.end, period=args.period)
    if args.format == "json":
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(_format_table(out))
    return 0


def _report_source(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """The report computed where the data lives (kpi.engines), or a usage error."""
    if args.source is None or args.files:
        parser.error("give FILE(s), or --source URL with --table orders=SCHEMA.TABLE")
    if args.start and args.end and args.start > args.end:
        print("error: --start is after --end", file=sys.stderr)
        return 2
    from kpi.engines.cli import source_output

    try:
        out = source_output(
            args.source, args.table, start=args.start, end=args.end, period=args.period
        )
    except KpiError as exc:
        print(f"error: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    print(
        json.dumps(out, ensure_ascii=False, indent=2)
        if args.format == "json"
        else _format_table(out)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
