"""The analysis file: one download that carries a whole analysis to a colleague.

**Format: a zip holding one Parquet file per table and a JSON manifest**, chosen over an XLSX
workbook with a hidden state sheet because

- Parquet keeps every column exactly as the app holds it (timestamps to the microsecond,
  amounts as the same 64-bit floats, text, yes/no with gaps), so the receiver's numbers are
  the sender's to the last digit; a workbook rounds times to the millisecond, stores a
  missing yes/no as text and would need its own reading and checking again;
- a sheet holds at most 1,048,576 rows, and the app takes ten-million-row orders tables;
- the parts stay open to a person: ``manifest.json`` is plain text (what was read, the
  mapping, filters, settings, scenarios) and each ``tables/<name>.parquet`` opens in DuckDB,
  pandas, Power BI or any Parquet viewer. ``README.txt`` inside says so.

The zip is user input when it comes back. :func:`load` never unpickles or evaluates
anything: it checks the archive's member names, count and sizes (and the compression ratio)
against :class:`kpi.io.Limits` before reading a byte, parses the manifest as JSON with a size
cap, reads each table with Arrow after checking that every column is a plain type (no
extension types), and checks each table's name, columns, types and row count against the
canonical schema. Filters, settings and scenarios are validated again when they are applied
(ui/state.py). Nothing here imports Streamlit.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from kpi.errors import KpiError
from kpi.ingest import Dataset, Problem, ValidationReport
from kpi.io import Limits
from kpi.schema import TABLES

FORMAT = "customer-kpi-explorer/analysis"
VERSION = 1
MANIFEST = "manifest.json"
README = "README.txt"
MAX_MANIFEST_BYTES = 2 * 2**20
_TABLE_FILE = re.compile(r"^tables/([a-z_]{1,20})\.parquet$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_README_TEXT = """Customer KPI Explorer: an analysis file

Open it on the Data page of Customer KPI Explorer (or drop it on the "Open an analysis file"
box of any page) to see this analysis exactly as it was made: the same tables, filters, page
settings and what-if scenarios.

Inside:
- manifest.json: what was read from which file, the confirmed column mapping, the filters,
  every page's settings and the saved what-if scenarios, as plain JSON;
- tables/<name>.parquet: each table as the app read it (orders, customers, ...), openable in
  DuckDB, pandas, Power BI or any Parquet viewer.

It holds your business data: share it as you would the spreadsheets it came from.
"""


class AnalysisFileError(KpiError):
    """The file is not an analysis file this app can open, with the reason in plain words."""


@dataclass
class Analysis:
    """What an analysis file holds, checked."""

    dataset: Dataset
    names: list[str]
    mapping: list[dict[str, Any]] = field(default_factory=list)
    filters: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    whatif: dict[str, Any] = field(default_factory=dict)
    made: str = ""


def looks_like_one(data: bytes) -> bool:
    """True when ``data`` is a zip whose manifest names this format (cheap: no table is read)."""
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo(MANIFEST)
            if info.file_size > MAX_MANIFEST_BYTES:
                return False
            return FORMAT.encode() in zf.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return False


# --- writing ---------------------------------------------------------------------------------


def _report_dict(report: ValidationReport) -> dict[str, Any]:
    out = asdict(report)
    out.pop("rejected_rows", None)
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def dump(analysis: Analysis, *, made_at: dt.datetime | None = None, compression: int = 6) -> bytes:
    """The analysis as a zip of ``manifest.json``, ``README.txt`` and one Parquet per table.

    The rejected-row samples of the reading reports stay behind (their counts and examples
    travel in the manifest).
    """
    ds = analysis.dataset
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "made": (made_at or dt.datetime.now()).isoformat(timespec="seconds"),
        "files": list(analysis.names),
        "currency": ds.currency,
        "tables": {name: {"rows": len(frame)} for name, frame in ds.tables.items()},
        "reports": [_report_dict(r) for r in ds.reports],
        "mapping": analysis.mapping,
        "filters": _jsonable(analysis.filters),
        "settings": _jsonable(analysis.settings),
        "whatif": _jsonable(analysis.whatif),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=compression) as zf:
        zf.writestr(README, _README_TEXT)
        zf.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
        for name, frame in ds.tables.items():
            part = io.BytesIO()
            frame.to_parquet(part, index=False, compression="zstd")
            # Parquet is compressed already: stored, not deflated again.
            zf.writestr(
                zipfile.ZipInfo(f"tables/{name}.parquet", date_time=(2020, 1, 1, 0, 0, 0)),
                part.getvalue(),
                compress_type=zipfile.ZIP_STORED,
            )
    return buf.getvalue()


# --- reading ---------------------------------------------------------------------------------


def _fail(message: str) -> AnalysisFileError:
    return AnalysisFileError(f"This analysis file cannot be opened: {message}")


def _check_archive(zf: zipfile.ZipFile, limits: Limits) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > len(TABLES) + 2:
        raise _fail(f"it holds {len(infos)} parts, more than an analysis file has.")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > limits.max_unzipped_bytes:
        raise _fail(
            f"its parts unpack to {total / 2**20:,.0f} MB, more than the "
            f"{limits.max_unzipped_bytes / 2**20:,.0f} MB allowed."
        )
    if packed and total / packed > limits.max_zip_ratio:
        raise _fail("its parts unpack to far more than the file's size.")
    parts = {}
    for info in infos:
        if info.filename in (MANIFEST, README) or _TABLE_FILE.match(info.filename):
            parts[info.filename] = info
        else:
            raise _fail(f"it holds a part this app does not know ({info.filename[:60]!r}).")
    if MANIFEST not in parts:
        raise _fail("it has no manifest.json.")
    return parts


def _allowed(arrow_type: Any) -> bool:
    import pyarrow as pa

    t = pa.types
    return (
        t.is_timestamp(arrow_type)
        or t.is_floating(arrow_type)
        or t.is_integer(arrow_type)
        or t.is_boolean(arrow_type)
        or t.is_string(arrow_type)
        or t.is_large_string(arrow_type)
        or t.is_null(arrow_type)
        or (t.is_dictionary(arrow_type) and _allowed(arrow_type.value_type))
    )


def _read_table(name: str, data: bytes, expected_rows: Any, limits: Limits) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(io.BytesIO(data))
        schema = pf.schema_arrow
        rows = pf.metadata.num_rows
    except Exception as err:  # any Arrow error on foreign bytes is a bad file
        raise _fail(f"its {name} table is not a readable Parquet file.") from err
    if rows > limits.max_rows:
        raise _fail(f"its {name} table has {rows:,} rows, more than {limits.max_rows:,}.")
    if len(schema) > limits.max_columns:
        raise _fail(f"its {name} table has more than {limits.max_columns:,} columns.")
    if rows != expected_rows:
        raise _fail(f"its {name} table does not have the rows its manifest lists.")
    spec = TABLES[name]
    known = {c.name: c for c in spec.columns}
    for f in schema:
        if not isinstance(f.name, str) or not 0 < len(f.name) <= 200:
            raise _fail(f"a column name of its {name} table is not plain text.")
        if not _allowed(f.type):
            raise _fail(f"column {f.name[:60]!r} of its {name} table has a type it cannot hold.")
        col = known.get(f.name)
        if col is None:
            continue
        if col.kind in ("date", "datetime"):
            ok = str(f.type).startswith("timestamp") or str(f.type) == "null"
        elif col.kind in ("money", "number", "score"):
            ok = str(f.type).startswith(("double", "float", "int", "uint")) or str(f.type) == "null"
        else:
            ok = True
        if not ok:
            raise _fail(f"column {f.name!r} of its {name} table should hold {col.kind}s.")
    missing = [c for c in spec.required if c not in schema.names]
    if missing:
        raise _fail(f"its {name} table lacks the column(s) {', '.join(missing)}.")
    try:
        frame = pf.read().to_pandas()
    except Exception as err:
        raise _fail(f"its {name} table could not be read.") from err
    return frame.reset_index(drop=True)


def _problems(items: Any) -> list[Problem]:
    out = []
    for p in items if isinstance(items, list) else []:
        if isinstance(p, dict) and isinstance(p.get("reason"), str):
            examples = [str(e)[:200] for e in p.get("examples", [])[:20] if isinstance(e, str)]
            count = p.get("count")
            out.append(Problem(p["reason"][:500], count if _count(count) else 0, examples))
    return out


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10**12


def _text_list(items: Any, cap: int = 200) -> list[str]:
    return [str(x)[:500] for x in items[:cap]] if isinstance(items, list) else []


def _report(raw: Any) -> ValidationReport:
    if not isinstance(raw, dict):
        raise _fail("a reading report in its manifest is not a record.")
    source, table = raw.get("source"), raw.get("table")
    if not isinstance(source, str) or table not in TABLES:
        raise _fail("a reading report in its manifest names no known table.")
    numbers = {
        k: raw.get(k, 0)
        for k in ("rows_read", "rows_kept", "empty_rows", "duplicates", "refunds", "future_dates")
    }
    if not all(_count(v) for v in numbers.values()):
        raise _fail("a reading report in its manifest has counts that are not whole numbers.")
    refund_total = raw.get("refund_total", 0.0)
    if isinstance(refund_total, bool) or not isinstance(refund_total, int | float):
        raise _fail("a reading report in its manifest has a refund total that is not a number.")
    currency = raw.get("currency")
    return ValidationReport(
        source=source[:300],
        table=table,
        rejected=_problems(raw.get("rejected")),
        warnings=_problems(raw.get("warnings")),
        refund_total=float(refund_total),
        notes=_text_list(raw.get("notes")),
        unused_columns=_text_list(raw.get("unused_columns")),
        ambiguous_dates=_text_list(raw.get("ambiguous_dates")),
        currency=currency[:10] if isinstance(currency, str) else None,
        **numbers,
    )


def load(data: bytes, limits: Limits | None = None) -> Analysis:
    """Read and check an analysis file; raises :class:`AnalysisFileError` with the reason."""
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        raise _fail(f"it is larger than {limits.max_bytes // 2**20:,} MB.")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise _fail("it is not a zip archive.") from err
    with zf:
        parts = _check_archive(zf, limits)
        if parts[MANIFEST].file_size > MAX_MANIFEST_BYTES:
            raise _fail("its manifest is too large.")
        try:
            manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
            raise _fail("its manifest is not valid JSON.") from err
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise _fail("it was not made by Customer KPI Explorer.")
        if manifest.get("version") != VERSION:
            raise _fail(f"it is of version {manifest.get('version')!r}; this app reads {VERSION}.")
        listed = manifest.get("tables")
        if not isinstance(listed, dict) or not listed:
            raise _fail("its manifest lists no tables.")
        tables = {}
        for name, meta in listed.items():
            if name not in TABLES:
                raise _fail(f"its manifest lists a table this app does not know ({name[:40]!r}).")
            if f"tables/{name}.parquet" not in parts:
                raise _fail(f"its manifest lists a table it does not hold ({name!r}).")
            rows = meta.get("rows") if isinstance(meta, dict) else None
            raw = zf.read(f"tables/{name}.parquet")
            tables[name] = _read_table(name, raw, rows, limits)
    reports = [_report(r) for r in (manifest.get("reports") or [])[:500]]
    currency = manifest.get("currency")
    dataset = Dataset(tables, reports, currency if isinstance(currency, str) else None)

    def record(key: str) -> dict[str, Any]:
        value = manifest.get(key)
        return value if isinstance(value, dict) else {}

    mapping = manifest.get("mapping")
    return Analysis(
        dataset=dataset,
        names=_text_list(manifest.get("files"), 100),
        mapping=[m for m in mapping[:500] if isinstance(m, dict)]
        if isinstance(mapping, list)
        else [],
        filters=record("filters"),
        settings=record("settings"),
        whatif=record("whatif"),
        made=str(manifest.get("made", ""))[:40],
    )


def filters_of(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The filters from a manifest, dates as dates; values are checked again on use."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("start", "end"):
            if isinstance(value, str) and _DATE.match(value):
                try:
                    out[key] = dt.date.fromisoformat(value)
                except ValueError:
                    continue
        elif isinstance(value, str) and len(value) <= 100:
            out[key] = value
        elif isinstance(value, list):
            out[key] = [v for v in value[:1000] if isinstance(v, str) and len(v) <= 500]
    return out
