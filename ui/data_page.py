"""The pieces of the Data page: the mapping editor, the validation report, what data unlocks.

Uploaded bytes and mapping choices live in plain session keys (``pending_files``,
``mappings``), so they survive page switches; widgets are seeded from them and write back.
"""

from __future__ import annotations

import io
import json

import pandas as pd
import streamlit as st

from kpi import export
from kpi.errors import KpiError
from kpi.ingest import MappedTable, SourcePlan, ValidationReport
from kpi.io import SHEET_SEP
from kpi.schema import (
    TABLES,
    layout_by_name,
    mapping_entry,
    mapping_from_json,
    saved_mapping_for,
    suggest_mapping,
    template,
)
from ui import format as fmt
from ui import state

PENDING = "pending_files"
PENDING_KEYS = "pending_keys"  # name -> (uploader file_id, content hash)
PENDING_BUTTONS = "pending_buttons"  # content hash -> the button that puts the file to use
MAPPINGS = "mappings"
SAVED = "saved_mappings"  # mapping files the user uploaded: source -> entry
SKIP = "skip"
NONE = "— not in this file —"
DOUBT = "⚠️ "
# The survey kinds the user can name when nothing in the file says which survey it is.
SURVEY_KINDS = {
    "nps": ("NPS: likelihood to recommend, 0–10", {"survey_type": "nps", "scale_max": 10}),
    "csat5": ("CSAT: satisfaction on a 1–5 scale", {"survey_type": "csat", "scale_max": 5}),
    "csat10": ("CSAT: satisfaction on a 1–10 scale", {"survey_type": "csat", "scale_max": 10}),
    "ces": ("CES: customer effort on a 1–7 scale", {"survey_type": "ces", "scale_max": 7}),
    "enps": ("eNPS: employees' likelihood to recommend, 0–10", {"survey_type": "enps"}),
}


def remember_uploads(files: list) -> None:
    """Copy the uploader's files into a plain key (name -> bytes), replacing the earlier set.

    A file the uploader still holds from an earlier run (same ``file_id``) keeps its bytes
    and content hash: a large upload is neither copied nor hashed again at every widget move.
    """
    held = st.session_state.get(PENDING, {})
    hashed = st.session_state.get(PENDING_KEYS, {})
    data, keys = {}, {}
    for f in files:
        seen = hashed.get(f.name)
        if seen is not None and seen[0] == f.file_id and f.name in held:
            data[f.name], keys[f.name] = held[f.name], seen
        else:
            data[f.name] = f.getvalue()
            keys[f.name] = (f.file_id, state.content_key(data[f.name]))
    st.session_state[PENDING] = data
    st.session_state[PENDING_KEYS] = keys


def pending() -> dict[str, bytes]:
    return st.session_state.get(PENDING, {})


def unapplied() -> list[str]:
    """Names of the uploaded files that are not in the data in use: all of them while the
    sample shows, else those the last "Use these tables" left out (a mapping not complete or
    not checked, a file for DuckDB) or that came after it."""
    names = list(pending())
    if state.using_sample():
        return names
    applied = set(st.session_state.get(state.UPLOAD_NAMES, []))
    return [n for n in names if n not in applied]


def waiting_buttons(names: list[str]) -> str:
    """The buttons, in bold, that put the waiting uploads ``names`` to use, as the Data page
    labels them: "Use these tables" for files read into memory, "Compute the KPIs where the
    data is" for a file over the in-memory row limit; with the files each one is for when
    the uploads need both.

    Each file's verdict is kept by its content hash, so a large file's lines are counted once.
    """
    from ui import connect  # DuckDB's side of the Data page, loaded only when files wait

    held, seen = pending(), st.session_state.setdefault(PENDING_BUTTONS, {})
    by_button: dict[str, list[str]] = {}
    for name in names:
        data = held.get(name, b"")
        key = pending_key(name, data)
        if key not in seen:
            seen[key] = connect.upload_button(name, data, state.limits())
        by_button.setdefault(seen[key], []).append(name)
    if len(by_button) == 1:
        return f"**{next(iter(by_button))}**"
    return " and ".join(
        f"**{button}** (for {', '.join(fmt.md(n) for n in files)})"
        for button, files in sorted(by_button.items(), key=lambda kv: kv[0] != connect.USE)
    )


def unapplied_notice(*, on_data_page: bool) -> None:
    """Say on every page that uploaded files are waiting for the button that puts them to use,
    naming it as the Data page does, and what the page shows meanwhile, so the sample is never
    taken for the user's own business."""
    names = unapplied()
    if not names:
        return
    applied = [n for n in st.session_state.get(state.UPLOAD_NAMES, []) if n not in names]
    if state.using_sample():
        shown = "the built-in sample business"
    elif applied:
        shown = "only " + ", ".join(fmt.md(n) for n in applied)
    else:
        shown = "the data used before"
    files = ", ".join(fmt.md(n) for n in names[:5]) + (" and more" if len(names) > 5 else "")
    where = "below" if on_data_page else "on the Data page"
    st.warning(
        f"**Your files are not in use yet** ({files}). Check what each holds and press "
        f"{waiting_buttons(names)} {where}; until then this page shows {shown}.",
        icon=":material/pending:",
    )
    if not on_data_page:
        st.page_link("pages/1_Data.py", label="Finish on the Data page",
                     icon=":material/upload_file:")  # fmt: skip


def pending_key(name: str, data: bytes) -> str:
    """The content hash of a pending upload: remembered at upload, else worked out now."""
    seen = st.session_state.get(PENDING_KEYS, {}).get(name)
    return seen[1] if seen is not None else state.content_key(data)


def _store(key: str, field: str, col: str | None = None):
    def copy() -> None:
        entry = st.session_state[MAPPINGS][key]
        value = st.session_state[f"_m_{key}_{field}_{col or ''}"]
        if field == "table":
            entry["table"] = value
            entry["columns"] = {}
        elif field == "column":
            entry["columns"][col] = None if value == NONE else value
        else:
            entry["date_orders"][col] = value

    return copy


def remember_saved_mapping(upload) -> None:
    """Read an uploaded mapping file into the plain key ``saved_mappings``; say what is wrong."""
    if upload is None:
        return
    try:
        st.session_state[SAVED] = mapping_from_json(json.loads(upload.getvalue()))
    except (KpiError, ValueError, AttributeError) as exc:
        st.error(f"That mapping file could not be used: {exc}".splitlines()[0])


def mapping_editor(name: str, data: bytes) -> list[tuple]:
    """Draw, for each table in one uploaded file, the detected table and the column mapping.

    A recognised tool's layout is named; doubtful column choices are highlighted and must be
    confirmed; a surveys table that does not say its kind asks for it. A saved mapping whose
    header signature matches maps the table without asking.

    Returns (source, table, columns, date_orders, constants, headers) for each table kept.
    """
    content = pending_key(name, data)
    try:
        plans = state.plan_upload(name, data, state.limits(), key=content)
    except KpiError as exc:
        st.error(str(exc))
        return []
    chosen = []
    for i, plan in enumerate(plans):
        picked = plan_editor(f"{content}_{i}", plan)
        if picked is not None:
            chosen.append(picked)
    return chosen


def plan_editor(
    key: str, plan: SourcePlan, *, only: str | None = None, rows: int | None = None
) -> tuple | None:
    """The table and column mapping of one source (a file's table, or a database table).

    ``only``: the one canonical table this source may hold (a database table picked for the
    orders), so the table choice is fixed; ``rows``: its row count when ``plan.raw`` holds
    only a sample. Returns (source, table, columns, date_orders, constants, headers) once the
    mapping is complete, else None.
    """
    mappings = st.session_state.setdefault(MAPPINGS, {})
    saved_all = st.session_state.get(SAVED, {})
    raw = plan.raw
    sug = plan.suggestion
    saved = saved_mapping_for(saved_all, raw.source, list(raw.frame.columns))
    entry = mappings.setdefault(
        key,
        {
            "table": sug.table if sug.complete else SKIP,
            "columns": {},
            "date_orders": {},
            "constants": dict(sug.constants),
        },
    )
    if saved is not None and entry.get("saved") != id(saved):
        entry.update(
            table=saved["table"],
            columns=dict(saved.get("columns", {})),
            date_orders=dict(saved.get("date_orders", {}) or {}),
            constants=dict(saved.get("constants", {}) or {}),
            saved=id(saved),
        )
    if only is not None:
        entry["table"] = only
    title = raw.source.split(SHEET_SEP)[-1] if SHEET_SEP in raw.source else raw.source
    label = TABLES[entry["table"]].label if entry["table"] in TABLES else "not used"
    count = fmt.number(len(raw.frame) if rows is None else rows)
    with st.expander(f"{title}: {label}, {count} rows", expanded=True):
        st.caption(" ".join(raw.notes))
        layout = layout_by_name(sug.layout)
        if layout is not None and entry["table"] == layout.table:
            st.success(f"Recognised: {layout.label}", icon=":material/verified:")
        if entry.get("saved") is not None:
            st.info("Mapped by your saved mapping.", icon=":material/bookmark:")
        options = [*TABLES, SKIP] if only is None else [only]
        st.session_state[f"_m_{key}_table_"] = entry["table"]
        table = st.selectbox(
            "This table holds",
            options,
            key=f"_m_{key}_table_",
            format_func=lambda t: TABLES[t].label if t in TABLES else "Nothing: skip it",
            on_change=_store(key, "table"),
        )
        if table == SKIP:
            st.dataframe(raw.frame.head(8), width="stretch", hide_index=True)
            return None
        suggestion = sug if table == sug.table else suggest_mapping(raw.frame, table)
        columns = {**suggestion.mapping, **entry["columns"]}
        asking = entry.get("saved") is None and table == sug.table
        doubts = {d.field: d for d in sug.doubts} if asking else {}
        headers = [NONE, *raw.frame.columns]
        cols = st.columns(4)
        for j, spec in enumerate(TABLES[table].columns):
            widget = f"_m_{key}_column_{spec.name}"
            current = columns.get(spec.name)
            st.session_state[widget] = current if current in headers else NONE
            doubt = doubts.get(spec.name)
            cols[j % 4].selectbox(
                (DOUBT if doubt else "") + spec.label + (" *" if spec.required else ""),
                headers,
                key=widget,
                on_change=_store(key, "column", spec.name),
                help=(f"Please check: {doubt.message()} " if doubt else "")
                + f"Canonical column `{spec.name}`"
                + (" (required)" if spec.required else " (optional)"),
            )
            columns[spec.name] = None if st.session_state[widget] == NONE else current
        if suggestion.notes and table == sug.table:
            st.caption(" ".join(suggestion.notes))
        missing = [
            TABLES[table].column(c).label for c in TABLES[table].required if not columns.get(c)
        ]
        if missing:
            st.warning(f"Choose the column that holds: {', '.join(missing)}.")
        constants = dict(entry.get("constants", {}))
        answered = True
        if table == "surveys" and not columns.get("survey_type"):
            answered = _survey_kind(key, entry, constants)
            constants = dict(entry.get("constants", {}))
        confirmed = True
        if doubts:
            st.warning(
                "Please check the highlighted columns before using this table:\n"
                + "\n".join(f"- {fmt.md(d.message())}" for d in doubts.values()),
                icon=":material/help:",
            )
            confirmed = st.checkbox(
                "I have checked the highlighted columns", key=f"_m_{key}_checked"
            )
        orders = dict(entry["date_orders"])
        for spec in TABLES[table].columns:
            src = columns.get(spec.name)
            if spec.kind in ("date", "datetime") and src and _ambiguous(raw.frame[src]):
                widget = f"_m_{key}_order_{spec.name}"
                st.session_state[widget] = orders.get(spec.name, "dmy")
                st.radio(
                    f"Dates in “{src}” such as 03/04/2025 are",
                    ["dmy", "mdy"],
                    key=widget,
                    horizontal=True,
                    format_func=lambda o: (
                        "day first (3 April)" if o == "dmy" else "month first (March 4)"
                    ),
                    on_change=_store(key, "order", spec.name),
                )
                orders[spec.name] = st.session_state[widget]
        st.dataframe(raw.frame.head(8), width="stretch", hide_index=True)
        if not missing and confirmed and answered:
            return (raw.source, table, columns, orders, constants, list(raw.frame.columns))
    return None


def _survey_kind(key: str, entry: dict, constants: dict) -> bool:
    """Ask which survey a surveys table holds when no column says; True once it is known."""
    known = constants.get("survey_type")
    options = list(SURVEY_KINDS)
    guess = next(
        (
            k
            for k, (_, c) in SURVEY_KINDS.items()
            if c["survey_type"] == known
            and c.get("scale_max", constants.get("scale_max")) == constants.get("scale_max")
        ),
        next((k for k, (_, c) in SURVEY_KINDS.items() if c["survey_type"] == known), None),
    )
    widget = f"_m_{key}_survey_"
    if widget not in st.session_state or st.session_state[widget] not in (*options, None):
        st.session_state[widget] = guess

    def copy() -> None:
        picked = st.session_state[widget]
        entry["constants"] = dict(SURVEY_KINDS[picked][1]) if picked else {}

    st.radio(
        "Which survey is this?" if known is None else "Survey (as the file says; change if not)",
        options,
        key=widget,
        format_func=lambda k: SURVEY_KINDS[k][0],
        on_change=copy,
    )
    picked = st.session_state[widget]
    if picked is not None and entry.get("constants", {}).get("survey_type") is None:
        entry["constants"] = dict(SURVEY_KINDS[picked][1])
    if picked is None:
        st.warning("Choose the survey's kind: the scores mean different things in each.")
    return picked is not None


def mapping_file(chosen: dict[str, list]) -> bytes:
    """The confirmed mappings as a small JSON file to keep: it maps the same layout next time
    (on this page, or with ``python -m kpi report --mapping``)."""
    out: dict = {}
    for items in chosen.values():
        for source, table, columns, orders, constants, headers in items:
            out.update(
                mapping_entry(
                    source, headers, table, columns, date_orders=orders, constants=constants
                )
            )
    return json.dumps(out, ensure_ascii=False, indent=2).encode("utf-8")


def _ambiguous(values: pd.Series) -> bool:
    from kpi.values import parse_dates

    return parse_dates(values.head(5000)).ambiguous


def apply_all(files: dict[str, bytes], chosen: dict[str, list]) -> list[MappedTable]:
    """Apply every confirmed mapping (cached by content and mapping)."""
    mapped = []
    for name, items in chosen.items():
        for source, table, columns, orders, constants, _ in items:
            mapped.append(
                state.mapped_table(
                    name,
                    files[name],
                    source,
                    table,
                    json.dumps(columns, sort_keys=True),
                    json.dumps(orders, sort_keys=True),
                    key=pending_key(name, files[name]),
                    constants_json=json.dumps(constants, sort_keys=True),
                )
            )
    return mapped


def reports_table(reports: list[ValidationReport]) -> pd.DataFrame:
    """One row per file or sheet read: its table and what happened to its rows."""
    rows = []
    for r in reports:
        known = r.table in TABLES
        rows.append(
            {
                "File or sheet": r.source,
                "Table": TABLES[r.table].label if known else "Not used",
                "Rows read": r.rows_read,
                "Rows kept": r.rows_kept if known else 0,
                "Rows rejected": r.rows_rejected if known else 0,
                "Refunds": fmt.number(r.refunds) if r.table == "orders" else fmt.DASH,
                "Repeated orders": fmt.number(r.duplicates) if r.table == "orders" else fmt.DASH,
                "Notes": " ".join(r.notes),
            }
        )
    return pd.DataFrame(rows)


REPORT_COLUMNS = {
    "Refunds": st.column_config.TextColumn(
        alignment="right", help="Negative amounts: kept, and netted from revenue."
    ),
    "Repeated orders": st.column_config.TextColumn(
        alignment="right",
        help="The same order number, or the same customer, date and amount, on an earlier row.",
    ),
}


def _problem_lines(report: ValidationReport) -> list[str]:
    lines = [f"- :material/help: Please check: {fmt.md(d)}" for d in report.doubts]
    for p in report.rejected:
        lines.append(
            f"- :material/block: {fmt.number(p.count)} rejected: {fmt.md(p.reason)}"
            + (f" ({fmt.md('; '.join(p.examples))})" if p.examples else "")
        )
    for p in report.warnings:
        lines.append(
            f"- :material/warning: {fmt.number(p.count)} cells left blank: {fmt.md(p.reason)}"
            + (f" ({fmt.md('; '.join(p.examples))})" if p.examples else "")
        )
    if report.future_dates:
        lines.append(
            f"- :material/warning: {fmt.number(report.future_dates)} rows are dated in the "
            "future (kept)."
        )
    if report.duplicates:
        lines.append(
            f"- :material/content_copy: {fmt.number(report.duplicates)} repeated orders (the "
            "same order number, or the same customer, date and amount, on an earlier row). "
            "Kept: check your export if there are many."
        )
    if report.empty_rows:
        lines.append(f"- {fmt.number(report.empty_rows)} empty rows skipped.")
    if report.unused_columns:
        lines.append("- Columns not used: " + fmt.md(", ".join(report.unused_columns)) + ".")
    return lines


def report_view(report: ValidationReport, index: int) -> None:
    """The problems found in one source, with examples and the rejected rows to download.

    Nothing is drawn for a source read without any remark.
    """
    lines = _problem_lines(report)
    if not lines:
        return
    title = f"{report.source}: " + (
        f"{fmt.number(report.rows_rejected)} rows rejected"
        if report.rows_rejected
        else "notes on the rows"
    )
    with st.expander(title, expanded=bool(report.rows_rejected), icon=":material/fact_check:"):
        st.markdown("\n".join(lines))
        if report.rejected_rows is not None and len(report.rejected_rows):
            st.download_button(
                "Download the rejected rows (CSV)",
                export.csv_bytes(report.rejected_rows),
                file_name=f"rejected-{index + 1}.csv",
                mime="text/csv",
                key=f"rejected_{index}",
                icon=":material/download:",
            )


def unlocks(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Which canonical tables the data has, how many rows, and what each unlocks."""
    rows = []
    for name, spec in TABLES.items():
        frame = tables.get(name)
        rows.append(
            {
                "Table": spec.label,
                "In your data": "yes" if frame is not None and len(frame) else "no",
                "Rows": len(frame) if frame is not None else 0,
                "Unlocks": spec.unlocks,
            }
        )
    return pd.DataFrame(rows)


def template_csv(table: str) -> bytes:
    buf = io.StringIO()
    template(table).to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")
