"""Command line: ``python -m kpi report FILE [FILE ...]``.

Reads the files exactly as the app does (same detection, mapping and validation) and prints
every KPI the data supports, as JSON (a stable contract, see DESIGN.md) or as a table.
``--only KEY,...`` computes only the KPI families that hold those keys (the model fits run
only when a value key is asked for) and prints only those keys.

Exit status: 0 with the report; 2 with one line on stderr when a file cannot be read (or an
argument is wrong); 1 with one line when computing the KPIs fails unexpectedly. Never a
traceback. pandas and the KPI modules are imported after the arguments are parsed, so
``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
import threading

# One BLAS thread: kpi/__init__.py, which runs before this module, sets it for the app and
# the command line alike.
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from kpi.ingest import Dataset
    from kpi.report import Settings

# kpi.periods.PERIODS, written out so that parsing the arguments needs no pandas (a test
# checks that both agree).
PERIODS = ("week", "month", "quarter", "year")
# The names under which each KPI family module lists the keys its section() fills.
_KEY_TUPLES = ("KEYS", "HEADLINE_KEYS", "SECTION_KEYS", "_KEYS")


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
        # The known export layout the table was read as (kpi/layouts.json), when one matched.
        entry["layout"] = entry.get("layout") or getattr(r, "layout", None)
        entry["rows"] += r.rows_kept
        entry["rejected"] += r.rows_rejected
        entry["read"] += r.rows_read
        entry["refunds"] += r.refunds
        entry["duplicates"] += r.duplicates
        entry["sources"].append(r.source)
    return out


def family_keys() -> dict[str, tuple[str, ...]]:
    """Each KPI family's module name and the keys its ``section()`` fills."""
    from kpi.analysis import FAMILIES

    out: dict[str, tuple[str, ...]] = {}
    for module in FAMILIES:
        name = next(n for n in _KEY_TUPLES if hasattr(module, n))
        out[module.__name__] = tuple(getattr(module, name))
    return out


def _only_section(
    ds: Dataset,
    only: Sequence[str],
    *,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    period: str,
    settings: Settings | None = None,
    workers: int = 1,
) -> Any:
    """The sections of the families that hold the ``only`` keys, merged by analysis()."""
    from kpi.analysis import FAMILIES, analysis

    keys = family_keys()
    wanted = tuple(m for m in FAMILIES if set(keys[m.__name__]) & set(only))
    result = analysis(
        ds.tables,
        start=start,
        end=end,
        period=period,
        settings=settings,
        families=wanted,
        workers=workers,
    )
    result.kpis = {k: v for k, v in result.kpis.items() if k in only}
    result.series = {k: v for k, v in result.series.items() if k in only}
    return result


def build_output(
    ds: Dataset,
    *,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    period: str,
    only: Sequence[str] | None = None,
    settings: Settings | None = None,
    workers: int = 1,
) -> dict[str, Any]:
    """The report as JSON types; ``workers`` as :func:`kpi.analysis.analysis` takes it."""
    from kpi.analysis import analysis
    from kpi.report import plain

    if only:
        section = _only_section(
            ds, only, start=start, end=end, period=period, settings=settings, workers=workers
        )
    else:
        section = analysis(
            ds.tables, start=start, end=end, period=period, settings=settings, workers=workers
        )
    warnings = list(section.warnings)
    for r in ds.reports:
        warnings.extend(f"{r.source}: {n}" for n in r.notes if r.table == "unknown")
        warnings.extend(f"{r.source}: {p.count} row(s) rejected: {p.reason}" for p in r.rejected)
        warnings.extend(f"{r.source}: check the mapping: {d}" for d in getattr(r, "doubts", ()))
    return plain(
        {
            "tables": table_summary(ds),
            "currency": ds.currency,
            "kpis": section.kpis,
            "series": section.series,
            "cohorts": section.cohorts,
            "assumptions": dict(sorted(section.assumptions.items())),
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
    if out.get("assumptions"):
        lines.append("Assumptions")
        for key, entry in out["assumptions"].items():
            lines.append(f"  {key:<{width}}  {_short(entry['value'])} ({entry['source']})")
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


_MODEL_FAMILIES = ("kpi.retention", "kpi.value")
"""The families whose sections fit models (kpi.models: scipy's optimisers)."""


def _import_beside(only: Sequence[str] | None) -> threading.Thread:
    """A started thread that imports the KPI families, and the model code when the report
    fits models, while this one reads the files.

    Much of the reading runs outside the interpreter lock (Arrow's reader); the imports
    (scipy's special functions and optimisers, some 0.6 s of CPU, and the families' modules)
    fill the gaps. The caller joins it before computing anything. An import that fails here
    fails again, with its reason, where the module is used.
    """
    names = ["kpi.analysis"]
    if not only or any(set(family_keys()[m]) & set(only) for m in _MODEL_FAMILIES):
        names.append("kpi.models")

    def load() -> None:
        for name in names:
            with contextlib.suppress(Exception):
                importlib.import_module(name)

    thread = threading.Thread(target=load, name="kpi-imports", daemon=True)
    thread.start()
    return thread


def _cores() -> int:
    """The CPUs this process may run on: two or more computes the report in two threads."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every system
        return os.cpu_count() or 1


def _date(text: str) -> pd.Timestamp:
    import pandas as pd

    try:
        return pd.Timestamp(pd.to_datetime(text, format="ISO8601"))
    except (ValueError, TypeError) as exc:
        raise argparse.ArgumentTypeError(f"not a date (use YYYY-MM-DD): {text!r}") from exc


def _one_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0]


def _positive(kind: type) -> Any:
    def parse(text: str) -> Any:
        try:
            number = kind(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
        if not number > 0:
            raise argparse.ArgumentTypeError(f"must be above 0; got {text}")
        return number

    return parse


def _fraction(text: str) -> float:
    try:
        number = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if not 0 <= number < 1:
        raise argparse.ArgumentTypeError(f"a yearly rate from 0 to 1 (0.10 for 10 %); got {text}")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kpi", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report", help="print every KPI the files support")
    rep.add_argument("files", nargs="*", type=Path, metavar="FILE")
    rep.add_argument("--mapping", type=Path, help="JSON: per file, its table and columns")
    rep.add_argument(
        "--period", choices=PERIODS, help="series granularity and churn period (default month)"
    )
    rep.add_argument("--start", type=_date, help="first day of the range (YYYY-MM-DD)")
    rep.add_argument("--end", type=_date, help="last day of the range (YYYY-MM-DD)")
    rep.add_argument("--format", choices=("json", "table"), default="json")
    rep.add_argument(
        "--only",
        metavar="KEY,...",
        help="compute and print only these KPI keys (e.g. revenue,nps); others are skipped",
    )
    given = rep.add_argument_group("assumptions (each reported under assumptions in the JSON)")
    given.add_argument("--sla-hours", type=_positive(float), help="SLA target in hours (24)")
    given.add_argument(
        "--discount-rate", type=_fraction, help="yearly discount rate of LTV and CLV (0.10)"
    )
    given.add_argument(
        "--clv-horizon-months", type=_positive(int), help="horizon of the model CLV (12)"
    )
    given.add_argument(
        "--inactivity-window-days",
        type=_positive(int),
        help="days without an order after which a customer counts as lost (default: from "
        "the gaps between orders)",
    )
    given.add_argument(
        "--csat-scale-max", type=_positive(float), help="top of the CSAT scale (5, 10, ...)"
    )
    given.add_argument(
        "--turnover-window-months",
        type=_positive(int),
        help="months of employee turnover without --start (12)",
    )
    given.add_argument(
        "--service-contact-days",
        type=_positive(int),
        help="days after a service contact in which an order counts as a conversion (30)",
    )
    given.add_argument(
        "--survey-type",
        choices=("nps", "csat", "ces", "enps"),
        help="type of the survey answers that carry none",
    )
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
    only = [k.strip() for k in args.only.split(",") if k.strip()] if args.only else None
    if args.start and args.end and args.start > args.end:
        print("error: --start is after --end", file=sys.stderr)
        return 2
    from kpi.report import Settings

    settings = Settings(
        sla_hours=args.sla_hours,
        discount_rate=args.discount_rate,
        clv_horizon_months=args.clv_horizon_months,
        inactivity_window_days=args.inactivity_window_days,
        csat_scale_max=args.csat_scale_max,
        turnover_window_months=args.turnover_window_months,
        service_contact_days=args.service_contact_days,
        survey_type=args.survey_type,
        churn_period=args.period,
    )
    try:
        from kpi.errors import KpiError
        from kpi.ingest import load_files
        from kpi.schema import mapping_from_json

        if only:
            known = {k for keys in family_keys().values() for k in keys}
            unknown = [k for k in only if k not in known]
            if unknown:
                print(
                    f"error: unknown KPI key(s) for --only: {', '.join(unknown)}; known keys "
                    f"are {', '.join(sorted(known))}",
                    file=sys.stderr,
                )
                return 2
        files = [(p.name, p.read_bytes()) for p in args.files]
        mapping = None
        if args.mapping:
            mapping = mapping_from_json(json.loads(args.mapping.read_text(encoding="utf-8")))
        imports = _import_beside(only)
        try:
            ds = load_files(files, mapping=mapping)
        finally:
            imports.join()
    except (OSError, KpiError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        print(_one_line(f"error: {exc}"), file=sys.stderr)
        return 2
    except Exception as exc:  # a defect, but the reader of a file still gets one line
        print(
            _one_line(
                f"error: unexpected failure while reading ({type(exc).__name__}: {exc}); "
                "please report it with the file"
            ),
            file=sys.stderr,
        )
        return 2
    try:
        out = build_output(
            ds,
            start=args.start,
            end=args.end,
            period=args.period or "month",
            only=only,
            settings=settings,
            workers=_cores(),
        )
    except Exception as exc:
        print(
            _one_line(
                f"error: unexpected failure while computing the KPIs "
                f"({type(exc).__name__}: {exc}); please report it with the file"
            ),
            file=sys.stderr,
        )
        return 1
    if args.format == "json":
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(_format_table(out))
    return 0


# Options the --source path does not take: each shapes a KPI it leaves null, or the reading.
_FILE_ONLY = (
    "mapping",
    "only",
    "sla_hours",
    "discount_rate",
    "clv_horizon_months",
    "inactivity_window_days",
    "csat_scale_max",
    "turnover_window_months",
    "service_contact_days",
    "survey_type",
)


def _report_source(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """The report computed where the data lives (kpi.engines), or a usage error."""
    if args.source is None or args.files:
        parser.error("give FILE(s), or --source URL with --table orders=SCHEMA.TABLE")
    # The engines compute the reductions' KPIs only; a flag they would not use must not be
    # taken silently.
    unused = [f"--{name.replace('_', '-')}" for name in _FILE_ONLY if getattr(args, name)]
    if unused:
        parser.error(f"{', '.join(unused)} work with FILE(s) only, not with --source")
    if args.start and args.end and args.start > args.end:
        print("error: --start is after --end", file=sys.stderr)
        return 2
    from kpi.engines.cli import source_output
    from kpi.errors import KpiError

    try:
        out = source_output(
            args.source, args.table, start=args.start, end=args.end, period=args.period or "month"
        )
    except KpiError as exc:
        print(_one_line(f"error: {exc}"), file=sys.stderr)
        return 2
    print(
        json.dumps(out, ensure_ascii=False, indent=2)
        if args.format == "json"
        else _format_table(out)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
