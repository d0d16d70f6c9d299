"""Blocks of the Satisfaction page that need widgets: cards, comments, competitors, what-if.

The page stays a story of the screen; each block here reads :mod:`kpi.satisfaction`,
formats the numbers for people and hands tables to :mod:`ui.satisfaction_charts`. Text from
the user's file (comments, names) is only ever shown through ``st.dataframe`` or
``st.text``, or escaped with :func:`ui.format.md`: a comment can carry ``<script>`` or
markdown.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kpi import base, satisfaction
from kpi.errors import InsufficientDataError, KpiError
from kpi.filters import ATTRIBUTE_LABELS, STAFF_NOT_SPLIT
from kpi.periods import in_days
from kpi.reduce import Reductions
from kpi.satisfaction import GROUPS, SMALL_SAMPLE, NpsResult
from ui import caching, cards, state
from ui import format as fmt
from ui import satisfaction_charts as charts
from ui.frame import View

KINDS = ("nps", "csat", "enps")
BREAKDOWNS = {"segment": "Segment", "channel": "Channel", "region": "Region", "agent": "Agent"}
CSAT_BREAKDOWNS = {"agent": "Agent", "category": "Category"}
COMPETITORS = "sat_competitors"
_RIVALS_BASE = "_sat_competitors_base"

# The page's KPIs, cached (ui/caching.py): each is the kpi function itself, called with the
# same arguments, so a new session on the sample and a rerun find the numbers already made.
# Their inputs are the answers of one kind (:func:`answers_by_kind`), the very same frames
# while the surveys table lives, so the cache keys hit. Only small results are kept here:
# scores, per-period and per-group tables, a few comments.
nps_score = caching.kept(satisfaction.net_promoter_score)
enps_score = caching.kept(satisfaction.employee_net_promoter_score)
nps_change = caching.kept(satisfaction.nps_change)
csat_score = caching.kept(satisfaction.csat)
csat_change = caching.kept(satisfaction.csat_change)
employee_mean = caching.kept(satisfaction.employee_satisfaction_mean)
nps_series = caching.kept(satisfaction.nps_series)
csat_series = caching.kept(satisfaction.csat_series)
nps_by = caching.kept(satisfaction.nps_by)
csat_by = caching.kept(satisfaction.csat_by)
comment_themes = caching.kept(satisfaction.comment_themes)
sample_comments = caching.kept(satisfaction.sample_comments, 32)


def answers_by_kind(
    surveys: pd.DataFrame, *, survey_type: str | None = None, csat_scale: int | None = None
) -> dict[str, pd.DataFrame]:
    """The surveys table split into nps, csat and enps answers (:func:`survey_kinds`).

    ``survey_type`` is the type of the answers without one (else they are left out);
    ``csat_scale`` fills the scale of CSAT answers without a scale_max (the user's setting:
    the scale is never guessed from the scores).

    >>> parts = answers_by_kind(pd.DataFrame({"score": [9, 4], "survey_type": ["nps", "csat"]}))
    >>> {k: len(v) for k, v in parts.items()}
    {'nps': 1, 'csat': 1, 'enps': 0}
    >>> untyped = pd.DataFrame({"score": [9, 4]})
    >>> {k: len(v) for k, v in answers_by_kind(untyped, survey_type="csat").items()}
    {'nps': 0, 'csat': 2, 'enps': 0}

    The same surveys table and choices give the very same frames while the table lives
    (kept with it, :meth:`kpi.reduce.Reductions.cached`), so the cached KPIs of this page,
    keyed by a table's identity, are found again on a rerun and by every new session on the
    sample. The frames are shared: read them, never change them.
    """
    return dict(
        Reductions.of_orders(surveys).cached(
            f"satisfaction answers by kind {survey_type!r} {csat_scale!r}",
            lambda: _answers_by_kind(surveys, survey_type, csat_scale),
        )
    )


def kinds_of(surveys: pd.DataFrame, survey_type: str | None = None) -> pd.Series:
    """:func:`kpi.satisfaction.survey_kinds`, once per surveys table and type (kept with the
    table like :func:`answers_by_kind`; read it, never change it)."""
    return Reductions.of_orders(surveys).cached(
        f"satisfaction survey kinds {survey_type!r}",
        lambda: satisfaction.survey_kinds(surveys, survey_type=survey_type),
    )


def _answers_by_kind(
    surveys: pd.DataFrame, survey_type: str | None, csat_scale: int | None
) -> dict[str, pd.DataFrame]:
    kinds = kinds_of(surveys, survey_type)
    parts = {k: surveys[(kinds == k).to_numpy(dtype=bool)] for k in KINDS}
    if csat_scale is not None:
        rows = parts["csat"]
        given = rows["scale_max"] if "scale_max" in rows else pd.Series(pd.NA, index=rows.index)
        filled = pd.to_numeric(given, errors="coerce").fillna(float(csat_scale))
        parts["csat"] = rows.assign(scale_max=filled)
    return parts


def survey_settings(view: View) -> tuple[str | None, int | None]:
    """Ask for what the data does not say: the type of untyped answers and the CSAT scale.

    Shown only when needed; each choice is stated as an assumption beside the cards.
    """
    surveys = view.tables["surveys"]
    types = kinds_of(surveys)
    untyped = int((types == satisfaction.UNTYPED).sum())
    survey_type = None
    left, right = st.columns(2)
    if untyped:
        names = {"": "Leave them out", "nps": "NPS (0-10)", "csat": "CSAT", "enps": "eNPS"}
        survey_type = (
            left.selectbox(
                f"{fmt.number(untyped)} answers have no survey type: they are",
                list(names),
                format_func=names.get,
                **state.bind("s_sat_type"),
                help="The type is never guessed from the scores: low NPS answers look like "
                "a CSAT survey, and a 1-10 CSAT like an NPS one.",
            )
            or None
        )
        left.caption(
            "Assumption: survey type "
            + (f"{survey_type} (set by you)." if survey_type else "not given; left out.")
        )
    csat_rows = surveys[(kinds_of(surveys, survey_type) == "csat")]
    has_scale = "scale_max" in csat_rows and csat_rows["scale_max"].notna().all()
    scale = None
    if len(csat_rows) and not has_scale:
        scale = right.selectbox(
            "CSAT scale: answers run from 1 to",
            [5, 7, 10],
            index=None,
            placeholder="Choose the scale of your survey",
            **state.bind("s_csat_scale"),
            help="Your CSAT answers have no scale_max, and the highest score seen does not "
            "say where the scale ends.",
        )
        right.caption(
            f"Assumption: CSAT scale 1-{scale} (set by you)."
            if scale
            else "CSAT needs its scale: choose it above, or add scale_max on the Data page."
        )
    return survey_type, scale


def in_range(rows: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Rows dated from ``start`` to ``end``, both days included (undated rows left out)."""
    return rows[in_days(pd.to_datetime(rows["date"]), start, end).to_numpy(dtype=bool)]


def breakdowns(rows: pd.DataFrame, names: dict[str, str]) -> dict[str, str]:
    """The breakdown columns of ``names`` that hold at least one value in ``rows``."""
    return {c: label for c, label in names.items() if c in rows and rows[c].notna().any()}


def two_per_row(figures: Mapping[str, go.Figure]) -> None:
    """Draw titled figures two per row, in order."""
    items = list(figures.items())
    for i in range(0, len(items), 2):
        for col, (title, fig) in zip(st.columns(2), items[i : i + 2], strict=False):
            col.subheader(title)
            col.plotly_chart(fig, width="stretch")


def _versus(view: View) -> tuple[pd.Timestamp, pd.Timestamp, str]:
    prev_start, prev_end = base.previous_window(view.start, view.end)
    return prev_start, prev_end, f"{fmt.day(prev_start)} – {fmt.day(prev_end)}"


def _significance(p: float) -> str:
    verdict = "a real change" if p < 0.05 else "within chance"
    return f"p = {p:.2f}, {verdict}" if p >= 0.01 else f"p < 0.01, {verdict}"


def nps_card(view: View, rows: pd.DataFrame, *, employee: bool = False) -> NpsResult | None:
    """The NPS (or eNPS) card: score, band, margin of error, change against the range before."""
    label = "eNPS" if employee else "NPS"
    score = enps_score if employee else nps_score
    with st.container(border=True):
        try:
            now = score(rows, start=view.start, end=view.end)
        except KpiError as err:
            st.metric(label, fmt.DASH)
            st.caption(fmt.md(str(err)))
            return None
        prev_start, prev_end, versus = _versus(view)
        change = p_value = None
        try:
            if employee:
                d = satisfaction.nps_difference(now, score(rows, start=prev_start, end=prev_end))
                change, p_value = d.difference, d.p_value
            else:  # the command line's nps_change and nps_change_p_value
                c = nps_change(rows, start=view.start, end=view.end)
                change, p_value = c.change, c.p_value
        except InsufficientDataError:
            pass
        who = "employees" if employee else "customers"
        st.metric(
            label,
            fmt.points(now.score),
            delta=None if change is None else f"{change:+.1f} points",
            help=f"Share of {who} answering 9-10 minus share answering 0-6, in points "
            f"(-100 to +100). Change against {versus}, tested with a two-sample z test on "
            "the NPS variance.",
        )
        # The bands (poor, problems, good, excellent) are for customers' NPS, not eNPS.
        band = "" if employee else f"{now.band.capitalize()} · "
        st.caption(f"{band}±{now.margin_of_error:.1f} points (95 %) · {fmt.number(now.n)} answers")
        if p_value is not None:
            st.caption(f"Against {versus}: {_significance(p_value)}")
        if now.small_sample:
            st.warning(f"Only {now.n} answers (fewer than {SMALL_SAMPLE}): read with care.")
        if employee:
            _employee_mean(view, rows)
            whole = view.tables["surveys"].attrs.get(STAFF_NOT_SPLIT)
            if whole:
                words = " or ".join(ATTRIBUTE_LABELS.get(a, a).lower() for a in whole.split(","))
                st.caption(f"Employees' answers are not split by {words}: this card covers "
                           "the whole team.")  # fmt: skip
        _answers(rows, view, key=label.lower())
    return now


def _employee_mean(view: View, rows: pd.DataFrame) -> None:
    """The mean score of the same internal survey, with its scale, beside eNPS."""
    try:
        e = employee_mean(rows, start=view.start, end=view.end)
    except KpiError as err:
        st.caption(fmt.md(f"Employee satisfaction (mean): {err}"))
        return
    where = "the scale_max column" if e.scale_source != "default" else "the eNPS question"
    st.metric(
        "Employee satisfaction (mean)",
        f"{fmt.number(e.mean, 1)} of {e.scale_max}",
        help=f"Sum of the employees' scores divided by the answers: mean of "
        f"{fmt.number(e.n)} answers on a 0-{e.scale_max} scale (from {where}).",
    )


@caching.cached(show_spinner=False, max_entries=32)
def answers_in_range(rows: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> int:
    """How many of ``rows`` :func:`in_range` keeps, cached (the label of the answers)."""
    return len(in_range(rows, start, end))


def _answers(rows: pd.DataFrame, view: View, *, key: str) -> None:
    """The answers behind a card, to read and download: sent only once opened."""
    count = answers_in_range(rows, view.start, view.end)
    with cards.lazy(f"Answers behind it ({fmt.number(count)})", key=f"sat_{key}_answers") as open_:
        if open_:
            shown = in_range(rows, view.start, view.end)
            cards.drill_down(shown, name=f"{key}_answers", key=f"sat_{key}_rows")


def csat_card(view: View, rows: pd.DataFrame) -> satisfaction.CsatResult | None:
    """The CSAT card: mean on its scale, satisfied share, change against the range before."""
    with st.container(border=True):
        try:
            now = csat_score(rows, start=view.start, end=view.end)
        except KpiError as err:
            st.metric("CSAT", fmt.DASH)
            st.caption(fmt.md(str(err)))
            return None
        _, _, versus = _versus(view)
        try:
            diff = csat_change(rows, start=view.start, end=view.end)
        except InsufficientDataError:
            diff = None
        st.metric(
            "CSAT",
            f"{fmt.number(now.mean, 2)} of {now.scale_max}",
            delta=None if diff is None else f"{diff.change:+.2f} points",
            help=f"Mean satisfaction score on the survey's 1-{now.scale_max} scale. Satisfied: "
            f"answers in the top two boxes ({now.scale_max - 1}-{now.scale_max}). Change "
            f"against {versus}, tested with Welch's t-test.",
        )
        st.caption(f"{fmt.percent(now.satisfied_share)} satisfied · {fmt.number(now.n)} answers")
        if diff is not None:
            st.caption(f"Against {versus}: {_significance(diff.p_value)}")
        if now.small_sample:
            st.warning(f"Only {now.n} answers (fewer than {SMALL_SAMPLE}): read with care.")
        _answers(rows, view, key="csat")
    return now


def comments(view: View, rows: pd.DataFrame) -> None:
    """Per NPS group: its most used words and phrases, and a few comments word for word."""
    themes = comment_themes(rows, top=6, start=view.start, end=view.end)
    for col, group in zip(st.columns(3), GROUPS, strict=True):
        with col:
            if not (themes["group"] == group).any():
                st.caption(f"No comments from {charts.GROUP_NAMES[group].lower()}.")
                continue
            st.plotly_chart(charts.themes_chart(themes, group), width="stretch")
            said = sample_comments(rows, group, n=4, start=view.start, end=view.end)
            # st.dataframe shows cells as plain text: no markdown, no HTML.
            st.dataframe(
                said[[c for c in ("date", "score", "comment") if c in said]],
                hide_index=True,
                width="stretch",
                column_config={
                    "date": st.column_config.DateColumn("Date", format="D MMM YYYY"),
                    "score": st.column_config.NumberColumn("Score", format="%d"),
                    "comment": st.column_config.TextColumn("Comment", width="large"),
                },
            )


def benchmarks(table: pd.DataFrame, column: str, *, low: float, high: float) -> pd.Series:
    """The competitors' values of ``column`` typed in the editor, indexed by name.

    Rows without a name or a number are left out; values outside ``low``..``high`` too.

    >>> t = pd.DataFrame({"Competitor": ["A", None, "B", "C"], "NPS": [20, 5, None, 300]})
    >>> benchmarks(t, "NPS", low=-100, high=100).to_dict()
    {'A': 20.0}
    """
    names = table["Competitor"].astype(object).where(table["Competitor"].notna(), "")
    names = names.astype(str).str.strip()
    values = pd.to_numeric(table[column], errors="coerce").astype("float64")
    keep = (names != "") & values.between(low, high)
    return pd.Series(values[keep].to_numpy(), index=names[keep].to_numpy(), name=column)


def rivals_frame(rows: list) -> pd.DataFrame:
    """The editor's table for the stored competitor rows, with blank rows to type into.

    >>> rivals_frame([["Acme", 35.0, None]])["Competitor"].tolist()
    ['Acme', '', '']
    """
    rows = [*rows, *([["", None, None]] * max(0, 3 - len(rows)))]
    return pd.DataFrame(
        # empty names, not missing ones: the editor writes a missing text as "None"
        {"Competitor": pd.Series([r[0] for r in rows], dtype="str"),
         "NPS": pd.Series([r[1] for r in rows], dtype="float64"),
         "CSAT": pd.Series([r[2] for r in rows], dtype="float64")}
    )  # fmt: skip


def rivals_of(table: pd.DataFrame) -> list[list]:
    """The rows of the editor worth keeping: a name, and its NPS and CSAT (None when blank).

    The link separates rows with ``|`` and fields with ``~``; a name keeps neither.

    >>> t = pd.DataFrame({"Competitor": ["A|B", "", None], "NPS": [20, 5, 1],
    ...                   "CSAT": [float("nan"), 4, 4]})
    >>> rivals_of(t)
    [['A/B', 20.0, None]]
    """
    out = []
    for name, nps, csat in table[["Competitor", "NPS", "CSAT"]].itertuples(index=False):
        if not isinstance(name, str) or not name.strip():
            continue
        name = name.strip().replace("|", "/").replace("~", "-")[:40]
        numbers = [None if pd.isna(v) else float(v) for v in (nps, csat)]
        out.append([name, *numbers])
    return out[: state.MAX_RIVALS]


def apply_edits(base: pd.DataFrame, edits: Mapping) -> pd.DataFrame:
    """``base`` with a data editor's recorded edits applied, as Streamlit applies them:
    cell edits at their positions, then the deleted rows dropped, then the added rows.

    >>> b = pd.DataFrame({"Competitor": ["", ""], "NPS": [None, None], "CSAT": [None, None]})
    >>> e = {"edited_rows": {0: {"Competitor": "A", "NPS": 10}}, "deleted_rows": [1],
    ...      "added_rows": [{"Competitor": "B", "CSAT": 4.5}]}
    >>> apply_edits(b, e)["Competitor"].tolist()
    ['A', 'B']
    """
    rows = base.to_dict("records")
    for i, change in (edits.get("edited_rows") or {}).items():
        if 0 <= int(i) < len(rows):
            rows[int(i)].update(change)
    gone = {int(i) for i in edits.get("deleted_rows") or []}
    rows = [r for i, r in enumerate(rows) if i not in gone]
    rows += [dict(r) for r in edits.get("added_rows") or []]
    return pd.DataFrame(rows, columns=list(base.columns))


def _keep_rivals() -> None:
    """on_change of the editor: the typed competitors into their plain key (and the link)."""
    ss = st.session_state
    typed = apply_edits(ss[_RIVALS_BASE], ss.get(COMPETITORS) or {})
    ss["s_rivals"] = rivals_of(typed) or None


def competitors(nps: NpsResult | None, csat: satisfaction.CsatResult | None) -> None:
    """An editor for competitors' published NPS and CSAT, drawn beside your own.

    The typed rows live in the setting ``s_rivals`` (so in the link and the analysis file).
    The editor starts from them; when they change from elsewhere (a link, an analysis file),
    the editor starts again from the new rows.
    """
    scale = csat.scale_max if csat else 5
    ss = st.session_state
    stored = state.setting("s_rivals") or []
    base = ss.get(_RIVALS_BASE)
    if base is None or rivals_of(apply_edits(base, ss.get(COMPETITORS) or {})) != stored:
        ss.pop(COMPETITORS, None)
        base = ss[_RIVALS_BASE] = rivals_frame(stored)
    typed = st.data_editor(
        base,
        num_rows="dynamic",
        hide_index=True,
        key=COMPETITORS,
        on_change=_keep_rivals,
        width="stretch",
        placeholder="",  # a number not typed is an empty cell, not the word "None"
        column_config={
            "Competitor": st.column_config.TextColumn("Competitor", max_chars=60),
            "NPS": st.column_config.NumberColumn(
                "NPS (points)", min_value=-100, max_value=100, step=1,
                help="A published or benchmark NPS, -100 to +100.",
            ),
            "CSAT": st.column_config.NumberColumn(
                f"CSAT (mean of {scale})", min_value=0, max_value=scale, step=0.01,
                help=f"Mean satisfaction on the same 1-{scale} scale as your survey.",
            ),
        },
    )  # fmt: skip
    shown = False
    left, right = st.columns(2)
    if nps is not None and len(others := benchmarks(typed, "NPS", low=-100, high=100)):
        fig = charts.competitor_comparison(
            nps.score, others, metric="NPS", unit="points", decimals=0
        )
        left.plotly_chart(fig, width="stretch")
        shown = True
    if csat is not None and len(others := benchmarks(typed, "CSAT", low=0, high=scale)):
        fig = charts.competitor_comparison(
            csat.mean, others, metric="CSAT", unit=f"mean score of {scale}", decimals=2
        )
        right.plotly_chart(fig, width="stretch")
        shown = True
    if not shown:
        st.caption("Type competitors' NPS or CSAT above to see them beside yours.")


def what_if(result: NpsResult) -> None:
    """Sliders that win over shares of detractors and passives, and the NPS that follows."""
    left, right = st.columns([2, 1])
    with left:
        det = st.slider(
            "Detractors won over to passives", 0, 100, step=5, format="%d %%",
            **state.bind("s_nps_det"),
            help="Share of today's detractors (0-6) who would answer 7-8 instead.",
        )  # fmt: skip
        pas = st.slider(
            "Passives turned into promoters", 0, 100, step=5, format="%d %%",
            **state.bind("s_nps_pas"),
            help="Share of today's passives (7-8) who would answer 9-10 instead.",
        )  # fmt: skip
    after = satisfaction.nps_what_if(
        result, detractors_to_passives=det / 100, passives_to_promoters=pas / 100
    )
    with right:
        st.metric(
            "NPS after the change",
            fmt.points(after),
            delta=f"{after - result.score:+.1f} points" if det or pas else None,
            border=True,
            help=f"Today {fmt.points(result.score)} from {fmt.number(result.n)} answers.",
        )
    moved_det = round(result.detractors * det / 100)
    moved_pas = round(result.passives * pas / 100)
    st.caption(
        f"That is {fmt.number(moved_det)} of {fmt.number(result.detractors)} detractors and "
        f"{fmt.number(moved_pas)} of {fmt.number(result.passives)} passives answering "
        "differently."
    )
