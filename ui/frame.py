"""The page frame every page starts with: config, data, navigation, global filters.

A page calls ``view = page("Title", icon)`` once, first thing, and then lays out its screen
from ``view``: the attribute-filtered canonical tables, the date range, the period and the
currency. A deep link straight to any page works because the frame does everything a page
needs; nothing depends on the home page having run first.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

# One BLAS thread for the app's model fits (see kpi/__init__.py): set here too, before pandas
# loads numpy, for the pages that import this module before any of kpi.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pandas as pd
import streamlit as st

from kpi.errors import KpiError
from kpi.filters import ATTRIBUTE_LABELS, apply_filters, attribute_values, data_range
from kpi.ingest import Dataset
from kpi.periods import PERIOD_LABELS, PERIODS
from ui import format as fmt
from ui import meeting, reconnect, serverlog, sessions, state

APP_NAME = "Customer KPI Explorer"
FAVICON = "📊"
"""The tab's icon. Not a ``:material/...:`` icon: Streamlit fetches those favicons from a
public font host, and the app makes no call outside its own server. The icons drawn in the
page come from the Material Symbols font Streamlit serves itself."""

ROOT = Path(__file__).resolve().parents[1]

# (script, label, icon, section), in the sidebar's order.
PAGES: tuple[tuple[str, str, str, str], ...] = (
    ("app.py", "Home", ":material/home:", "Overview"),
    ("pages/1_Data.py", "Data", ":material/upload_file:", "Overview"),
    ("pages/2_Acquisition.py", "Acquisition", ":material/campaign:", "Growth"),
    ("pages/3_Revenue.py", "Revenue", ":material/payments:", "Growth"),
    ("pages/4_Retention.py", "Retention", ":material/group:", "Customers"),
    ("pages/5_Value.py", "Value", ":material/diamond:", "Customers"),
    ("pages/6_What_if.py", "What-if", ":material/tune:", "Customers"),
    ("pages/7_Satisfaction.py", "Satisfaction", ":material/sentiment_satisfied:", "Service"),
    ("pages/8_Support.py", "Support", ":material/support_agent:", "Service"),
    ("pages/9_Team.py", "Team", ":material/badge:", "Service"),
)


@dataclass(frozen=True)
class View:
    """What a page works from: filtered tables, date range, period and currency."""

    dataset: Dataset
    tables: dict[str, pd.DataFrame]
    start: pd.Timestamp
    end: pd.Timestamp
    period: str
    currency: str
    data_start: pd.Timestamp
    data_end: pd.Timestamp

    def money(self, x: float | None, **kw: object) -> str:
        return fmt.money(x, self.currency, **kw)  # type: ignore[arg-type]

    def has(self, table: str, *columns: str) -> bool:
        frame = self.tables.get(table)
        return (
            frame is not None
            and not frame.empty
            and all(c in frame.columns and frame[c].notna().any() for c in columns)
        )


def _navigation() -> None:
    # On an upload every page link carries ``data=upload`` (``data=database:NAME`` on data
    # fetched from a connection): a tab that outlives a server restart then says its data is
    # gone on whichever page it opens next (state.py).
    data = state.data_marker()
    marker = None if data is None else {state.DATA_MARKER: data}
    section = None
    for script, label, icon, group in PAGES:
        if not (ROOT / script).exists():
            continue
        if group != section:
            st.sidebar.caption(group)
            section = group
        st.sidebar.page_link(script, label=label, icon=icon, query_params=marker)


def _keep(key: str) -> Callable[[], None]:
    """on_change callback: copy a widget's value into its plain session key."""

    def copy() -> None:
        st.session_state[f"f_{key}"] = st.session_state[f"_w_{key}"]

    return copy


def _keep_dates() -> None:
    value = st.session_state.get("_w_dates")
    if isinstance(value, tuple | list) and len(value) == 2 and value[0] and value[1]:
        st.session_state["f_start"], st.session_state["f_end"] = value[0], value[1]


def _filters(ds: Dataset, lo: dt.date, hi: dt.date) -> dict[str, object]:
    options = attribute_values(ds.tables)
    state.seed_from_query(options, lo, hi, uploaded=not state.using_sample())
    ss = st.session_state
    detected = ds.currency or "EUR"
    defaults: dict[str, object] = {
        "start": lo, "end": hi, "period": "month", "currency": detected,
        **{a: [] for a in options},
    }  # fmt: skip
    for key, value in defaults.items():
        ss.setdefault(f"f_{key}", value)
    # Stale values (from other data) are put back into range.
    start = min(max(ss["f_start"], lo), hi)
    end = min(max(ss["f_end"], lo), hi)
    if start > end:
        start, end = lo, hi
    ss["f_start"], ss["f_end"] = start, end
    if ss["f_period"] not in PERIODS:
        ss["f_period"] = "month"
    if ss["f_currency"] not in fmt.CURRENCIES:
        ss["f_currency"] = detected if detected in fmt.CURRENCIES else "EUR"
    panel = st.sidebar.expander(
        _summary(options),
        expanded=bool(ss.get(FILTERS_OPEN)),
        icon=":material/filter_list:",
        key="_w_filters",
        on_change=_keep_panel,
    )
    if panel.open:
        _filter_widgets(panel, options, lo, hi)
    state.mirror_to_query(defaults)
    return {a: ss.get(f"f_{a}", []) for a in options}


FILTERS_OPEN = "filters_open"
"""Plain session key: whether the filter panel is open, so it stays as the user left it from
page to page (the panel itself, like every widget, belongs to its page)."""


# The panel's own side padding (16 px) would cut the date range's last digit in a 300 px
# sidebar ("2026 - 10 - 3"): the date field needs 228 px and gets 230 with 4 px a side.
PANEL_STYLE = """<style>
[data-testid="stSidebar"] [data-testid="stExpander"]:has([data-testid="stDateInput"])
  [data-testid="stExpanderDetails"] { padding-left: 0.25rem; padding-right: 0.25rem; }
</style>"""


def _keep_panel() -> None:
    st.session_state[FILTERS_OPEN] = bool(st.session_state.get("_w_filters"))


def _summary(options: dict[str, list[str]]) -> str:
    """The filter panel's label: the filters in force, read without opening it.

    The panel's widgets are drawn only once it is open: a first visit then loads none of the
    date and select widgets' code (24 scripts, 365 kB), which cost a first view of any page
    about a tenth of a minimal Streamlit page's time (``python -m bench browser``).
    """
    ss = st.session_state
    parts = [
        f"{fmt.day(ss['f_start'])} – {fmt.day(ss['f_end'])}",
        f"by {PERIOD_LABELS[ss['f_period']].lower()}",
        ss["f_currency"],
    ]
    for attr in options:
        chosen = ss.get(f"f_{attr}") or []
        if chosen:
            names = ", ".join(fmt.category(v) for v in chosen[:2])
            more = f" and {len(chosen) - 2} more" if len(chosen) > 2 else ""
            parts.append(f"{ATTRIBUTE_LABELS[attr]}: {names}{more}")
    if not any(ss.get(f"f_{a}") for a in options):
        parts.append("all customers")
    return "Filters: " + fmt.md(" · ".join(str(x) for x in parts))


def _filter_widgets(sb: Any, options: dict[str, list[str]], lo: dt.date, hi: dt.date) -> None:
    """The filter widgets, in the open panel ``sb``, each seeded from its plain key."""
    sb.html(PANEL_STYLE)
    ss = st.session_state
    ss["_w_dates"] = (ss["f_start"], ss["f_end"])
    sb.date_input(
        "Date range",
        min_value=lo,
        max_value=hi,
        key="_w_dates",
        on_change=_keep_dates,
        format="YYYY-MM-DD",
        help="KPIs cover this range; changes are compared with the range of the same length "
        "just before it.",
    )
    ss["_w_period"] = ss["f_period"]
    sb.selectbox(
        "Period",
        PERIODS,
        key="_w_period",
        format_func=lambda p: PERIOD_LABELS[p],
        on_change=_keep("period"),
        help="Granularity of charts over time and of cohorts.",
    )
    for attr, values in options.items():
        ss[f"_w_{attr}"] = [v for v in ss.get(f"f_{attr}", []) if v in values]
        sb.multiselect(
            ATTRIBUTE_LABELS[attr],
            values,
            key=f"_w_{attr}",
            on_change=_keep(attr),
            placeholder="All",
            format_func=fmt.category,
        )
    ss["_w_currency"] = ss["f_currency"]
    sb.selectbox(
        "Currency",
        list(fmt.CURRENCIES),
        key="_w_currency",
        on_change=_keep("currency"),
        help="Detected from the symbols and codes in your amounts; change it if it is wrong. "
        "Amounts are not converted.",
    )


def page(title: str, icon: str, *, caption: str | None = None) -> View:
    """Draw the frame of a page and return what the page works from."""
    serverlog.install()
    sessions.install()
    st.set_page_config(
        page_title=f"{title} · {APP_NAME}", page_icon=FAVICON, layout="wide",
        # "auto": open on a wide screen, closed on a phone; the meeting view hides it
        initial_sidebar_state="collapsed" if meeting.active() else "auto",
    )  # fmt: skip
    ds = state.dataset()
    _navigation()
    span = data_range(ds.tables)
    today = pd.Timestamp.today().normalize()
    lo_ts, hi_ts = span if span else (today, today)
    lo, hi = lo_ts.date(), hi_ts.date()
    selected = _filters(ds, lo, hi)
    st.sidebar.divider()
    if state.using_sample():
        st.sidebar.caption(
            "Showing the built-in sample business. Upload your own files on the Data page."
        )
    else:
        names = st.session_state.get(state.UPLOAD_NAMES, [])
        st.sidebar.caption(f"Showing your data: {', '.join(names)}")
    st.title(f"{icon} {title}")
    meeting.controls(title)
    if caption and not meeting.active():
        st.caption(caption)
    if st.session_state.get("pending_files"):  # uploads waiting on the Data page
        from ui import data_page

        data_page.unapplied_notice(on_data_page=title == "Data")
    if st.session_state.get(state.MISSING_UPLOAD):
        missing_upload(stop=title != "Data")
    _link_note()
    ss = st.session_state
    view = View(
        dataset=ds,
        tables=apply_filters(ds.tables, selected),
        start=pd.Timestamp(ss["f_start"]),
        end=pd.Timestamp(ss["f_end"]),
        period=ss["f_period"],
        currency=ss["f_currency"],
        data_start=lo_ts,
        data_end=hi_ts,
    )
    _share(view, selected, title)
    reconnect.install()
    return view


def missing_upload(*, stop: bool) -> None:
    """Say that the uploaded data a link (or a reconnecting page) names is not here.

    The sample business is a different business: its numbers are not shown as if they were
    the sender's. ``stop``: end the page after the notice (every page but the Data page,
    where the files can be uploaded again).
    """
    conn = state.linked_connection(st.session_state.get(state.MISSING_UPLOAD))
    here = False
    if conn is not None:
        here = missing_database(conn)
    else:
        st.warning(
            "**The uploaded data this view was made on is not here.** A link carries the view "
            "(dates, filters, page settings, what-if scenarios) but never the data, and "
            "uploaded files are not kept when the app restarts or wakes from sleep. So this "
            "page shows no numbers: the built-in sample is a different business.\n\n"
            "To see the numbers, open the **analysis file** saved from that view (Share and "
            "download → Analysis file), or upload the files again on the Data page.",
            icon=":material/cloud_off:",
        )
    if stop:  # the Data page's own uploader opens analysis files too
        open_analysis_box("missing")
    left, right = st.columns(2)
    again = (
        "Upload the files again" if conn is None
        else "Fetch it on the Data page" if here else "Go to the Data page"
    )  # fmt: skip
    left.page_link("pages/1_Data.py", label=again, icon=":material/upload_file:")
    if right.button("Explore the sample business instead", key="missing_use_sample"):
        st.session_state.pop(state.MISSING_UPLOAD, None)
        st.rerun()
    if stop:
        st.stop()


def missing_database(conn: str) -> bool:
    """The warning for a link made on data fetched from the connection ``conn`` ("" unnamed),
    saying whether this app has that connection; True when it has."""
    from ui import connect

    named = f" **{fmt.md(conn)}**" if conn else ""
    here = bool(conn) and conn in connect.connection_names()
    if here:
        then = (
            f"This app has the connection{named}: fetch the same tables on the Data page "
            f"(Connect a database → {fmt.md(conn)}), or open the **analysis file** saved from "
            "that view."
        )
    else:
        then = (
            f"This app has no connection{named or ' of that name'}, so the data cannot be "
            "fetched here: open the **analysis file** saved from that view instead."
        )
    st.warning(
        f"**This view was made on data fetched from the database connection{named}, which "
        "is not loaded here.** A link carries the view (dates, filters, page settings, "
        "what-if scenarios) but never the data. So this page shows no numbers: the built-in "
        f"sample is a different business.\n\n{then}",
        icon=":material/cloud_off:",
    )
    return here


def _link_note() -> None:
    """A link's date range that did not fit the data: say what is shown instead. And, once,
    that an analysis file was opened."""
    opened = st.session_state.pop("_opened_note", None)
    if opened:
        st.success(opened, icon=":material/folder_open:")
    note = st.session_state.get(state.URL_NOTE)
    if not note:
        return
    text, start, end = note
    if st.session_state.get("f_start") == start and st.session_state.get("f_end") == end:
        st.info(text, icon=":material/date_range:")
    else:
        st.session_state.pop(state.URL_NOTE, None)


def open_analysis_box(where: str) -> None:
    """An uploader that opens an analysis file (see ui/analysis_file.py) on any page."""
    key = f"open_analysis_{where}"
    upload = st.file_uploader(
        "Open an analysis file",
        type=["zip"],
        key=key,
        help="The .zip saved with “Analysis file” in the Share and download panel: it restores "
        "the tables, filters, page settings and scenarios exactly as they were.",
    )
    if upload is not None and not open_analysis_upload(upload):
        st.error(
            f"{fmt.md(upload.name)} is not an analysis file of this app: it has no manifest "
            "made by Customer KPI Explorer. Spreadsheets are uploaded on the Data page."
        )


def open_analysis_upload(upload: object) -> bool:
    """Open an uploaded analysis file (once per upload); False when it is not one.

    A file that is one but cannot be opened gets its reason on screen.
    """
    from ui import analysis_file

    if st.session_state.get("_opened_analysis") == upload.file_id:  # type: ignore[attr-defined]
        return True
    if not analysis_file.looks_like_one(upload.getvalue()):  # type: ignore[attr-defined]
        return False
    try:
        analysis = analysis_file.load(upload.getvalue(), state.limits())  # type: ignore[attr-defined]
        state.check_session_cap(analysis.dataset)
    except KpiError as err:
        st.error(str(err))
        return True
    skipped = state.open_analysis(analysis)
    st.session_state["_opened_analysis"] = upload.file_id
    st.session_state["_opened_note"] = (
        f"Opened the analysis file {upload.name} (made {analysis.made})."
        + (f" Not restored, as not valid: {', '.join(skipped)}." if skipped else "")
    )
    st.rerun()


def share_link() -> str:
    """This page's address with the filters and scenario of the query string."""
    base = st.context.url or ""
    pairs = [(k, v) for k in st.query_params for v in st.query_params.get_all(k)]
    return base + (f"?{urlencode(pairs)}" if pairs else "")


def _settings(view: View, selected: dict[str, object], title: str) -> dict[str, str]:
    """What produced a shared file: the data, the filters, the scenario."""
    names = st.session_state.get(state.UPLOAD_NAMES, [])
    out = {
        "Data": "the built-in sample business" if state.using_sample() else ", ".join(names),
        "Dates": f"{fmt.day(view.start)} – {fmt.day(view.end)}",
        "Period": PERIOD_LABELS[view.period],
        "Currency": view.currency,
    }
    for attr, values in selected.items():
        if values:
            out[ATTRIBUTE_LABELS[attr]] = ", ".join(map(str, values))  # type: ignore[call-overload]
    scenario = {k: st.query_params.get(k) for k in st.query_params if k.startswith("w_")}
    if scenario:
        out["What-if scenario"] = ", ".join(f"{k[2:]} = {v}" for k, v in scenario.items())
    out["Made on page"] = title
    return out


SHARE_PANEL = "share_panel"
"""Session key of the sidebar's Share and download panel: True while it is open."""


def _share(view: View, selected: dict[str, object], title: str) -> None:
    """Sidebar: the link to this view, and the whole analysis as XLSX and HTML."""
    from ui import report, share  # plotly and the KPI families load only when a page draws

    uploaded = not state.using_sample()
    # Lazy: the panel's elements are sent only once it is opened (each page starts with it
    # closed). Drawn hidden on every first view, its link box alone made the browser load and
    # run Streamlit's code highlighter, 1.5 MB of script costing as much CPU as Plotly's.
    panel = st.sidebar.expander(
        "Share and download", icon=":material/share:", expanded=False, key=SHARE_PANEL,
        on_change="rerun",
    )  # fmt: skip
    if not panel.open:
        return
    with panel:
        conn = state.linked_connection(state.data_marker())
        if conn is not None:
            named = f" **{fmt.md(conn)}**" if conn else ""
            st.caption(
                "**The link carries the view, not the data.** It holds the dates, filters, "
                "page settings and what-if scenarios, and names the database connection"
                f"{named} the data was fetched from: whoever opens it fetches the tables "
                "there on the Data page, if their app has that connection. To send the "
                "numbers, send the analysis file (opens in this app with everything) or the "
                "offline report (HTML, read-only)."
            )
        elif uploaded:
            st.caption(
                "**The link carries the view, not the data.** It holds the dates, filters, "
                "page settings and what-if scenarios; whoever opens it needs your data too. "
                "To send the numbers, send the analysis file (opens in this app with "
                "everything) or the offline report (HTML, read-only)."
            )
        else:
            st.caption("Link to this view: dates, filters, page settings and what-if scenarios.")
        st.code(share_link() or "(open the app in a browser to get its link)", language=None)
        st.download_button(
            "Analysis file (zip)",
            data=partial(_analysis_bytes, state.analysis_snapshot()),
            file_name=f"customer-kpis-{view.start:%Y%m%d}-{view.end:%Y%m%d}-analysis.zip",
            mime="application/zip",
            on_click="ignore", icon=":material/download:", width="stretch",
            help="The tables as read, the column mapping, the filters, every page's settings "
            "and the saved scenarios: opened in this app (Data page, or Open an analysis file "
            "below) it shows these numbers on every page. Parquet tables and a JSON manifest.",
        )  # fmt: skip
        args = {
            "start": view.start, "end": view.end, "period": view.period,
            "currency": view.currency, "settings": _settings(view, selected, title),
        }  # fmt: skip
        stem = f"customer-kpis-{view.start:%Y%m%d}-{view.end:%Y%m%d}"
        st.download_button(
            "Whole analysis (XLSX)",
            data=partial(share.workbook_bytes, view.tables, **args),
            file_name=f"{stem}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            on_click="ignore", icon=":material/download:", width="stretch",
            help="Every KPI, series and cohort table, and the filtered tables, one sheet each.",
        )  # fmt: skip
        st.download_button(
            "Report (HTML)",
            data=partial(report.report_html, view.tables, **args),
            file_name=f"{stem}.html",
            mime="text/html",
            on_click="ignore", icon=":material/download:", width="stretch",
            help="The KPIs and every chart over time in one file that opens offline in any "
            "browser; each chart keeps its PNG export.",
        )  # fmt: skip
        if title != "Data":  # the Data page's uploader takes it there
            open_analysis_box("sidebar")


def _analysis_bytes(snapshot: object) -> bytes:
    from ui import analysis_file

    return analysis_file.dump(snapshot)  # type: ignore[arg-type]


def needs(view: View, table: str, *columns: str, what: str) -> bool:
    """True when the data has ``table`` (and ``columns``); otherwise say what would unlock it."""
    if view.has(table, *columns):
        return True
    cols = f" with the column(s) {', '.join(columns)}" if columns else ""
    st.info(
        f"{what} needs a **{table}** table{cols}. Add it on the Data page, where a "
        "template shows the columns."
    )
    st.page_link("pages/1_Data.py", label="Go to the Data page", icon=":material/upload_file:")
    return False


@contextmanager
def explained() -> Iterator[None]:
    """Show a KpiError raised inside the block as a note (what was needed, what to do)."""
    try:
        yield
    except KpiError as err:
        st.info(fmt.md(str(err)), icon=":material/info:")
