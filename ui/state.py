"""Session state: the data of this session and the global filters, in plain keys.

Widgets never own this state. Each filter lives in a plain ``st.session_state`` key that
survives page switches; the frame seeds a widget from it before drawing and copies the
widget's value back in ``on_change`` (the "dummy key" strategy of Streamlit's guide "Working
with widgets in multipage apps"). The same keys are mirrored into the URL query string, and
values read back from the URL are validated against what the data holds, never evaluated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from kpi.errors import KpiError
from kpi.filters import ATTRIBUTES
from kpi.ingest import (
    Dataset,
    MappedTable,
    SourcePlan,
    apply_mapping,
    build_dataset,
    load_files,
    plan_sources,
)
from kpi.io import Limits
from kpi.periods import PERIODS
from ui.format import CURRENCIES

if TYPE_CHECKING:
    from ui.analysis_file import Analysis

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"
DATASET = "dataset"
SOURCE = "data_source"
UPLOAD_NAMES = "upload_names"
FILTER_KEYS = ("start", "end", "period", *ATTRIBUTES, "currency")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


LIMITS_FILE = Path(__file__).resolve().parents[1] / ".streamlit" / "limits.toml"
_LIMIT_KEYS = ("max_rows", "max_columns", "max_sheets")


def limits(path: Path = LIMITS_FILE) -> Limits:
    """Upload limits: bytes from ``server.maxUploadSize``, rows, columns, sheets from ``path``.

    A missing file or key keeps the default of :class:`kpi.io.Limits`; a value that is not a
    positive whole number is ignored too, so a typo cannot switch a limit off.
    """
    try:
        mb = int(st.get_option("server.maxUploadSize"))
    except Exception:  # option missing in a bare test runtime
        mb = 200
    try:
        settings = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        settings = {}
    chosen = {
        k: v
        for k, v in settings.items()
        if k in _LIMIT_KEYS and isinstance(v, int) and not isinstance(v, bool) and v > 0
    }
    return Limits(max_bytes=mb * 2**20, **chosen)


@st.cache_resource(max_entries=1, show_spinner="Loading the sample data…")
def sample_dataset() -> Dataset:
    """The built-in sample business, read through the same chain as an upload.

    One object shared by every session (public data, never changed in place): its tables keep
    their identity across reruns, so the pages' caches (ui/caching.py) find them again.
    """
    files = [(p.name, p.read_bytes()) for p in sorted(SAMPLE_DIR.glob("*.csv"))]
    return load_files(files)


# An upload's reading and mapping are cached per session (``scope="session"``), keyed by the
# file's name and a hash of its bytes that the Data page works out once per upload; the bytes
# themselves are not hashed again on every rerun (``_data``). A resource cache hands back the
# very object it holds: a ten-million-row table is neither pickled into the cache nor copied
# out of it at every widget move (st.cache_data does both), and it is released when the
# session ends. Nothing here changes a table it was given.


@st.cache_resource(
    max_entries=20, ttl=3600, show_spinner="Reading the file…", scope="session"
)  # fmt: skip
def _plans(name: str, key: str, _data: bytes, _limits: Limits) -> list[SourcePlan]:
    return plan_sources([(name, _data)], limits=_limits)


def plan_upload(
    name: str, data: bytes, limits: Limits | None = None, *, key: str | None = None
) -> list[SourcePlan]:
    """Read an uploaded file and suggest a mapping per table in it (cached by content).

    ``key``: :func:`content_key` of ``data``, when the caller has it already.
    """
    return _plans(name, key or content_key(data), data, limits or Limits())


@st.cache_resource(
    max_entries=40, ttl=3600, show_spinner="Checking the rows…", scope="session"
)  # fmt: skip
def _mapped(
    name: str,
    key: str,
    source: str,
    table: str,
    mapping_json: str,
    orders_json: str,
    _data: bytes,
    constants_json: str = "{}",
) -> MappedTable:
    plan = next(p for p in plan_upload(name, _data, limits(), key=key) if p.raw.source == source)
    return apply_mapping(
        plan.raw,
        table,
        json.loads(mapping_json),
        date_orders=json.loads(orders_json) or None,
        constants=json.loads(constants_json) or None,
    )


def mapped_table(
    name: str,
    data: bytes,
    source: str,
    table: str,
    mapping_json: str,
    orders_json: str,
    *,
    key: str | None = None,
    constants_json: str = "{}",
) -> MappedTable:
    """Apply a mapping to one source of an uploaded file (cached by content and mapping).

    ``constants_json``: canonical columns the whole source shares (the survey type the user
    chose), as JSON.
    """
    return _mapped(
        name,
        key or content_key(data),
        source,
        table,
        mapping_json,
        orders_json,
        data,
        constants_json,
    )


def dataset() -> Dataset:
    """This session's data: the confirmed uploads, or the sample business."""
    ds = st.session_state.get(DATASET)
    if ds is None:
        return sample_dataset()
    return ds


def using_sample() -> bool:
    return st.session_state.get(DATASET) is None


def session_cap_mb(path: Path = LIMITS_FILE) -> int | None:
    """The most memory one session's tables may take, in MB (``max_session_mb`` in
    limits.toml); None when not set (no cap beyond the per-file limits)."""
    try:
        value = tomllib.loads(path.read_text(encoding="utf-8")).get("max_session_mb")
    except (OSError, tomllib.TOMLDecodeError):
        return None
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    return value if ok else None


def dataset_mb(ds: Dataset) -> float:
    """Memory the tables of ``ds`` take, in MB (text counted in full)."""
    return sum(float(f.memory_usage(deep=True).sum()) for f in ds.tables.values()) / 2**20


def check_session_cap(ds: Dataset, cap: int | None = None) -> None:
    """Raise a :class:`KpiError` saying so when ``ds`` is over the per-session memory cap."""
    cap = session_cap_mb() if cap is None else cap
    if cap is None:
        return
    size = dataset_mb(ds)
    if size > cap:
        raise KpiError(
            f"These tables take {size:,.0f} MB in memory, more than the {cap:,} MB one session "
            "may hold on this server (max_session_mb in .streamlit/limits.toml). Upload fewer "
            "rows, for example a shorter period, or ask whoever runs the app to raise the cap."
        )


def use_uploads(mapped: list[MappedTable], names: list[str]) -> Dataset:
    """Make the confirmed uploads this session's data and reset the filters to fit them.

    Raises :class:`KpiError` when they are over the per-session memory cap."""
    ds = build_dataset(mapped)
    check_session_cap(ds)
    st.session_state[DATASET] = ds
    st.session_state[UPLOAD_NAMES] = names
    st.session_state[CONFIRMED_MAPPING] = confirmed_mapping(mapped)
    st.session_state.pop(DATA_SOURCE, None)  # an upload; ui.connect names a database after
    clear_filters()
    return ds


CONFIRMED_MAPPING = "confirmed_mapping"


def confirmed_mapping(mapped: list[MappedTable]) -> list[dict[str, object]]:
    """The mapping each source was read with: source, table and canonical column -> header."""
    return [{"source": m.source, "table": m.table, "columns": dict(m.mapping)} for m in mapped]


def open_analysis(analysis: Analysis) -> list[str]:
    """Make an analysis file's tables, filters, settings and scenarios this session's.

    Every value is checked again here (types, bounds, known names); one that fails is left
    out and named in the returned list, so the user is told what was not restored.
    """
    from ui.analysis_file import filters_of

    ss = st.session_state
    ss[DATASET] = analysis.dataset
    ss[UPLOAD_NAMES] = analysis.names or ["an analysis file"]
    ss[CONFIRMED_MAPPING] = analysis.mapping
    for key in ("pending_files", "pending_keys", "mappings", MISSING_UPLOAD, URL_NOTE, DATA_SOURCE):
        ss.pop(key, None)
    clear_filters()
    skipped: list[str] = []
    filters = filters_of(analysis.filters)
    if isinstance(filters.get("start"), dt.date) and isinstance(filters.get("end"), dt.date):
        ss["f_start"], ss["f_end"] = filters["start"], filters["end"]
    if filters.get("period") in PERIODS:
        ss["f_period"] = filters["period"]
    if filters.get("currency") in CURRENCIES:
        ss["f_currency"] = filters["currency"]
    for attr in ATTRIBUTES:
        if isinstance(filters.get(attr), list) and filters[attr]:
            ss[f"f_{attr}"] = filters[attr][:100]
    for s in SETTINGS:
        ss.pop(s.key, None)
    for name, value in analysis.settings.items():
        s = _BY_NAME.get(name)
        if s is not None and s.valid(value):
            ss[s.key] = value
        else:
            skipped.append(str(name)[:40])
    whatif = analysis.whatif
    ss[OVERRIDES] = valid_overrides(whatif.get("overrides"))
    saved = {}
    raw_saved = whatif.get("saved")
    for name, overrides in raw_saved.items() if isinstance(raw_saved, dict) else []:
        if isinstance(name, str) and _SCENARIO_NAME.match(name) and len(saved) < MAX_SAVED:
            saved[name] = valid_overrides(overrides)
    ss[SAVED] = saved
    compared = whatif.get("compared")
    ss[COMPARED] = [n for n in compared if n in saved][:3] if isinstance(compared, list) else []
    for key in [k for k in ss if str(k).startswith("wi_s_")]:
        del ss[key]  # the sliders are seeded again from the overrides
    ss["_seeded_from_url"] = True
    return skipped


def analysis_snapshot(ss: Any = None) -> Analysis:
    """This session's analysis, ready for :func:`ui.analysis_file.dump`.

    ``ss``: the session state to read (``st.session_state`` unless given, e.g. an AppTest's).
    """
    from ui.analysis_file import Analysis

    ss = st.session_state if ss is None else ss
    uploaded = ss.get(DATASET) is not None
    filters = {key: ss[f"f_{key}"] for key in FILTER_KEYS if ss.get(f"f_{key}") not in (None, [])}
    return Analysis(
        dataset=ss.get(DATASET) if uploaded else sample_dataset(),
        names=list(ss.get(UPLOAD_NAMES, [])) if uploaded else ["the sample business"],
        mapping=list(ss.get(CONFIRMED_MAPPING, [])),
        filters=filters,
        settings=settings_snapshot(ss),
        whatif={
            "overrides": valid_overrides(ss.get(OVERRIDES)),
            "saved": {k: valid_overrides(v) for k, v in (ss.get(SAVED) or {}).items()},
            "compared": list(ss.get(COMPARED) or []),
        },
    )


def use_sample() -> None:
    for key in (
        DATASET,
        UPLOAD_NAMES,
        CONFIRMED_MAPPING,
        "pending_files",
        "pending_keys",
        "mappings",
        MISSING_UPLOAD,
        DATA_SOURCE,
    ):
        st.session_state.pop(key, None)
    clear_filters()


def clear_filters() -> None:
    for key in FILTER_KEYS:
        st.session_state.pop(f"f_{key}", None)
        st.session_state.pop(f"_w_{key}", None)
    st.session_state.pop("_w_dates", None)


def content_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


# Page settings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """A page setting that changes a number: its plain session key, widget, link name, bounds.

    The value lives in the plain key ``key``, which no widget owns, so it survives a page
    switch; the widget ``widget`` is seeded from it and copies back (:func:`bind`). ``name`` is
    its key in the link. ``kind`` is one of ``int``, ``float``, ``bool``, ``choice``, ``days``
    (a list of weekday numbers), ``text``, ``label`` (a short name the data offers, such as a
    cohort or a channel; the page checks it against what the data holds) and ``rivals`` (the
    competitors typed on the Satisfaction page: ``[name, NPS or None, CSAT or None]`` rows);
    ``low``/``high`` bound numbers, ``choices`` a choice. ``default`` None means the page
    works it out from the data (the inactivity window suggested by the gaps between orders);
    such a setting is stored only once it is changed.
    """

    name: str
    key: str
    widget: str
    kind: str
    default: object = None
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    step: float | None = None

    def valid(self, value: object) -> bool:
        """True when ``value`` is of this setting's type and inside its bounds."""
        if self.kind == "bool":
            return isinstance(value, bool)
        if self.kind == "text":
            return isinstance(value, str) and len(value) <= 2_000
        if self.kind == "label":
            return isinstance(value, str) and bool(_LABEL.match(value))
        if self.kind == "rivals":
            return _valid_rivals(value)
        if self.kind == "days":
            return (
                isinstance(value, list)
                and len(value) <= 7
                and all(isinstance(d, int) and not isinstance(d, bool) for d in value)
                and all(0 <= d <= 6 for d in value)
                and len(set(value)) == len(value)
            )
        if self.kind == "choice":
            return value in self.choices and type(value) is type(self.choices[0])
        if self.kind in ("int", "float"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                return False
            if self.kind == "int" and value != int(value):
                return False
            if value != value:  # NaN
                return False
            if self.step is not None and (value / self.step) != int(value / self.step):
                return False
            return (self.low is None or value >= self.low) and (
                self.high is None or value <= self.high
            )
        return False

    def parse(self, text: object) -> object | None:
        """A value from the link's text, or None when the text is not one. Never evaluated."""
        if not isinstance(text, str) or len(text) > 2_000:
            return None
        text = text.strip() if self.kind != "text" else text
        value: object
        if self.kind == "bool":
            value = {"1": True, "0": False}.get(text)
        elif self.kind in ("text", "label"):
            value = text
        elif self.kind == "rivals":
            value = _parse_rivals(text)
        elif self.kind == "days":
            if text == "":
                value = []
            elif not _DAYS.match(text):
                return None
            else:
                value = [int(d) for d in text.split(".")]
        elif self.kind == "choice":
            value = next((c for c in self.choices if str(c) == text), None)
        elif self.kind == "int":
            value = int(text) if _INT.match(text) else None
        else:
            value = float(text) if _NUMBER.match(text) else None
        return value if value is not None and self.valid(value) else None

    def render(self, value: object) -> str:
        """The value as it is written in the link: ``parse(render(v)) == v``."""
        if self.kind == "bool":
            return "1" if value else "0"
        if self.kind == "days":
            return ".".join(str(d) for d in value)  # type: ignore[attr-defined]
        if self.kind == "float":
            return repr(float(value))  # type: ignore[arg-type]
        if self.kind == "rivals":
            return "|".join(
                "~".join([name, *("" if v is None else _compact(v) for v in numbers)])
                for name, *numbers in value  # type: ignore[attr-defined]
            )
        return str(value)


_LABEL = re.compile(r"^[^\x00-\x1f]{1,100}$")
MAX_RIVALS = 20


def _rival_number(value: object, low: float, high: float) -> bool:
    if value is None:
        return True
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return False
    return low <= value <= high


def _valid_rivals(value: object) -> bool:
    """Competitor rows: a name (as a scenario's) and an NPS (-100..100) and a CSAT (0..10),
    either of them None; at most :data:`MAX_RIVALS` rows."""
    if not isinstance(value, list) or len(value) > MAX_RIVALS:
        return False
    for row in value:
        if not isinstance(row, list | tuple) or len(row) != 3:
            return False
        name, nps, csat = row
        if not isinstance(name, str) or not _SCENARIO_NAME.match(name) or not name.strip():
            return False
        if not (_rival_number(nps, -100, 100) and _rival_number(csat, 0, 10)):
            return False
    return True


def _parse_rivals(text: str) -> list[list] | None:
    """``Acme~35~4.2|Bolt~~3.9`` into rows; None when any part is not a number or a name."""
    if text == "":
        return []
    rows: list[list] = []
    for part in text.split("|"):
        name, *numbers = part.split("~")
        if len(numbers) != 2:
            return None
        values: list[float | None] = []
        for n in numbers:
            if n == "":
                values.append(None)
            elif _NUMBER.match(n):
                values.append(float(n))
            else:
                return None
        rows.append([name, *values])
    return rows


_INT = re.compile(r"^-?\d{1,9}$")
_NUMBER = re.compile(r"^-?\d{1,9}(\.\d{1,12})?$")
_DAYS = re.compile(r"^[0-6](\.[0-6]){0,6}$")

# The churn definitions and LTV variants are repeated here as plain text, not imported, so the
# frame (which every page runs) does not load the KPI families; tests/test_state.py checks
# they match the pages' lists.
CHURN_KINDS = ("contractual", "inactivity")
LTV_VARIANTS = (
    "ltv_retention", "ltv_simple", "clv_visit", "clv_purchase", "ltv_profit", "clv_model_mean",
)  # fmt: skip
COHORT_METRICS = ("customers", "nrr", "grr")
COHORT_PERIODS = ("week", "month", "quarter")
SPLITS = ("channel", "segment", "region", "plan")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SURVEY_TYPES = ("", "nps", "csat", "enps")

SETTINGS: tuple[Setting, ...] = (
    Setting("churn", "s_churn", "ret_definition", "choice", None, choices=CHURN_KINDS),
    Setting("window", "s_window", "ret_window", "int", None, 1, 3650),
    Setting("rev_margin", "s_rev_margin", "rev_margin", "float", 50.0, -100, 100),
    Setting("ltv", "s_ltv", "val_variant", "choice", "ltv_retention", choices=LTV_VARIANTS),
    Setting("margin", "s_margin", "val_margin", "int", 50, 0, 100),
    Setting("discount", "s_discount", "val_discount", "int", 10, 0, 30),
    Setting("horizon", "s_horizon", "val_horizon", "choice", 12, choices=(6, 12, 24, 36)),
    Setting("nps_det", "s_nps_det", "sat_what_if_detractors", "int", 0, 0, 100),
    Setting("nps_pas", "s_nps_pas", "sat_what_if_passives", "int", 0, 0, 100),
    Setting("sla_first", "sup_first_target", "sup_w_first_target", "float", 24.0, 0.25, 2_000),
    Setting("sla_resolve", "sup_resolution_target", "sup_w_resolution_target", "float", 72.0,
            0.25, 10_000),
    Setting("bh", "sup_bh_on", "sup_w_bh_on", "bool", False),
    Setting("bh_days", "sup_bh_days", "sup_w_bh_days", "days", [0, 1, 2, 3, 4]),
    Setting("bh_start", "sup_bh_start", "sup_w_bh_start", "float", 9.0, 0, 23.5, step=0.5),
    Setting("bh_end", "sup_bh_end", "sup_w_bh_end", "float", 17.0, 0.5, 24, step=0.5),
    Setting("holidays", "sup_bh_holidays", "sup_w_bh_holidays", "text", ""),
    Setting("aht", "s_aht", "team_handling_minutes", "float", None, 0.5, 600),
    Setting("answer_s", "s_answer_s", "team_target_seconds", "int", 20, 1, 86_400),
    Setting("answer_share", "s_answer_share", "team_target_share", "int", 80, 1, 99),
    Setting("slot", "s_slot", "team_slot_mode", "choice", "busiest", choices=("busiest", "choose")),
    Setting("slot_day", "s_slot_day", "team_slot_day", "choice", "Mon", choices=WEEKDAYS),
    Setting("slot_hour", "s_slot_hour", "team_slot_hour", "int", 9, 0, 23),
    Setting("arrivals", "s_arrivals", "team_arrivals", "float", None, 0, 1_000_000),
    Setting("agents", "s_agents", "team_agents", "int", None, 1, 100_000),
    Setting("sat_type", "s_sat_type", "sat_survey_type", "choice", "", choices=SURVEY_TYPES),
    Setting("csat_scale", "s_csat_scale", "sat_csat_scale", "choice", None, choices=(5, 7, 10)),
    Setting("rivals", "s_rivals", "sat_competitors", "rivals", None),
    Setting("cohort_of", "s_ret_metric", "ret_metric", "choice", "customers",
            choices=COHORT_METRICS),
    Setting("cohort_show", "s_ret_scale", "ret_scale", "choice", "relative",
            choices=("relative", "absolute")),
    Setting("cohort_by", "s_ret_granularity", "ret_granularity", "choice", None,
            choices=COHORT_PERIODS),
    Setting("cohort_split", "s_ret_split", "ret_split", "choice", None, choices=SPLITS),
    Setting("cohort_group", "s_ret_group", "ret_group", "label", None),
    Setting("km_split", "s_ret_km_split", "ret_km_split", "choice", None, choices=SPLITS),
    Setting("sbg_cohort", "s_ret_sbg_cohort", "ret_sbg_cohort", "label", None),
    Setting("sbg_fit", "s_ret_sbg_k", "ret_sbg_k", "int", None, 2, 10_000),
)  # fmt: skip
SETTING = {s.key: s for s in SETTINGS}
_BY_NAME = {s.name: s for s in SETTINGS}


def bind(key: str, default: object = None, options: tuple | list | None = None) -> dict:
    """Widget arguments (``key``, ``on_change``) that keep the setting ``key`` in its plain key.

    Seeds the widget from the plain key, else from ``default`` (a value worked out from the
    data), else the setting's own default. ``options``: the choices the widget offers now; a
    remembered value that is not among them is not forced on the widget.
    Use it without a ``value=`` argument on the widget.
    """
    setting = SETTING[key]
    ss = st.session_state
    value = ss.get(key)
    if not setting.valid(value) or (options is not None and value not in options):
        value = setting.default if default is None else default
        if setting.default is not None and key not in ss:
            ss[key] = setting.default
    if options is not None and value not in options:
        value = options[0]
    if value is not None:
        ss[setting.widget] = float(value) if setting.kind == "float" else value  # type: ignore[arg-type]

    def copy() -> None:
        ss[key] = ss[setting.widget]

    return {"key": setting.widget, "on_change": copy}


def setting(key: str, default: object = None) -> object:
    """The value of a setting: the plain key when it holds a valid value, else ``default``."""
    value = st.session_state.get(key)
    return value if SETTING[key].valid(value) else default


def settings_snapshot(ss: Any = None) -> dict[str, object]:
    """Every setting that is set in this session, by link name (for the analysis file)."""
    ss = st.session_state if ss is None else ss
    out = {}
    for s in SETTINGS:
        value = ss.get(s.key)
        if value is not None and s.valid(value):
            out[s.name] = value
    return out


# What-if scenarios in the link ---------------------------------------------------------------
# The What-if page keeps the levers moved in ``wi_overrides`` ({lever: screen value}) and
# named scenarios in ``wi_saved``; the frame mirrors both on every page, so a link copied from
# any page carries them. The levers' link codes are those of ui/whatif_view.py (checked by a
# test). Values are plain decimals; the What-if page puts them back into its sliders' ranges.

LEVER_CODES = {
    "churn": "c", "price_change": "p", "gross_margin": "m", "cac": "k", "acquisition": "a",
    "referral_rate": "r", "discount_rate": "d",
}  # fmt: skip
_LEVER_BY_CODE = {v: k for k, v in LEVER_CODES.items()}
OVERRIDES, SAVED, COMPARED = "wi_overrides", "wi_saved", "wi_compared"
MAX_SAVED = 20
_SCENARIO_NAME = re.compile(r"^[^<>&|~\x00-\x1f]{1,40}$")
_LEVER_LIMIT = 1e9


def _lever_value(text: object) -> float | None:
    if not isinstance(text, str) or not _NUMBER.match(text.strip()):
        return None
    value = float(text)
    return value if abs(value) <= _LEVER_LIMIT else None


def encode_scenario(name: str, overrides: dict[str, float]) -> str:
    """``Churn down~c=2~k=40``: a saved scenario as one link value."""
    parts = [f"{LEVER_CODES[k]}={_compact(v)}" for k, v in overrides.items() if k in LEVER_CODES]
    return "~".join([name, *parts])


def decode_scenario(text: object) -> tuple[str, dict[str, float]] | None:
    """A saved scenario from its link value, or None when any part of it is not valid.

    >>> decode_scenario("Churn down~c=2~k=40")
    ('Churn down', {'churn': 2.0, 'cac': 40.0})
    >>> decode_scenario("x~c=__import__('os')") is None
    True
    """
    if not isinstance(text, str) or len(text) > 400:
        return None
    name, *parts = text.split("~")
    if not _SCENARIO_NAME.match(name) or not name.strip():
        return None
    overrides: dict[str, float] = {}
    for part in parts:
        code, _, number = part.partition("=")
        value = _lever_value(number)
        if code not in _LEVER_BY_CODE or value is None:
            return None
        overrides[_LEVER_BY_CODE[code]] = value
    return name.strip(), overrides


def _compact(x: float) -> str:
    text = f"{round(float(x), 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def valid_overrides(value: object) -> dict[str, float]:
    """Lever overrides kept only where the lever is known and the value a finite number."""
    if not isinstance(value, dict):
        return {}
    return {
        k: float(v)
        for k, v in value.items()
        if k in LEVER_CODES
        and isinstance(v, int | float)
        and not isinstance(v, bool)
        and abs(v) <= _LEVER_LIMIT
    }


# Query string ------------------------------------------------------------------------------

DATA_MARKER = "data"
"""``data=upload`` in a link: the view was made on uploaded data, which a link never carries;
``data=database:NAME`` (or ``data=database``): on data fetched from the connection NAME."""
URL_NOTE = "_url_note"
MISSING_UPLOAD = "_missing_upload"
"""True when a link names an upload that is not here; its ``database...`` marker when the link
names data fetched from a database connection."""
DATA_SOURCE = "data_source"
"""``database:NAME`` while the data in use was fetched from the connection NAME (set by
ui.connect); absent for an upload or an analysis file."""
_CONNECTION = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def database_marker(name: str) -> str:
    """The link's ``data=`` value for data fetched from the connection ``name``; the name is
    left out when it is not plain (a link shows it).

    >>> database_marker("shop"), database_marker("my <shop>")
    ('database:shop', 'database')
    """
    return f"database:{name}" if _CONNECTION.fullmatch(name) else "database"


def linked_connection(marker: object) -> str | None:
    """The connection a ``data=`` value names: its name, "" when unnamed, None when the value
    is not a database marker.

    >>> [linked_connection(m) for m in ("database:shop", "database", "upload", "database:<b>")]
    ['shop', '', None, None]
    """
    if marker == "database":
        return ""
    if isinstance(marker, str) and marker.startswith("database:"):
        name = marker.removeprefix("database:")
        return name if _CONNECTION.fullmatch(name) else None
    return None


def data_marker() -> str | None:
    """What ``data=`` says about the data in use: None for the sample, ``upload``, or the
    database marker of the connection it was fetched from."""
    if using_sample():
        return None
    source = st.session_state.get(DATA_SOURCE)
    return source if linked_connection(source) is not None else "upload"


def _valid_date(text: str) -> dt.date | None:
    if not isinstance(text, str) or not _DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def dates_from_link(
    start: dt.date | None, end: dt.date | None, lo: dt.date, hi: dt.date
) -> tuple[dt.date, dt.date, str | None] | None:
    """The range a link asks for, against the data's ``lo``..``hi``, and what to tell the user.

    Inside the data: kept as it is, nothing to say. Partly outside: the part with data, and a
    note saying so. Wholly outside: the full range, and a note saying so. Never clamped in
    silence. None when the link has no usable range.

    >>> d = dt.date
    >>> dates_from_link(d(2030, 1, 1), d(2030, 2, 1), d(2024, 1, 1), d(2025, 6, 30))[:2]
    (datetime.date(2024, 1, 1), datetime.date(2025, 6, 30))
    """
    if start is None or end is None or start > end:
        return None
    asked = f"{start.isoformat()} – {end.isoformat()}"
    held = f"{lo.isoformat()} – {hi.isoformat()}"
    if start >= lo and end <= hi:
        return start, end, None
    if end < lo or start > hi:
        return (
            lo,
            hi,
            (
                f"The link asked for {asked}, but this data has no orders or other dated rows in "
                f"that range (it runs {held}). Showing the full range instead."
            ),
        )
    a, b = max(start, lo), min(end, hi)
    return (
        a,
        b,
        (
            f"The link asked for {asked}; this data runs {held}, so the range shown is "
            f"{a.isoformat()} – {b.isoformat()}."
        ),
    )


def seed_from_query(
    options: dict[str, list[str]], lo: dt.date, hi: dt.date, *, uploaded: bool = False
) -> None:
    """Once per session, take the view from the URL, keeping only values that make sense.

    Filters, page settings and what-if scenarios are parsed strictly (never evaluated) and
    checked against their bounds and against what the data holds. A link marked
    ``data=upload`` opened where that upload is not (``uploaded`` False) is remembered in
    ``_missing_upload`` so the frame can say so instead of passing the sample off as the
    sender's business; ``data=database:NAME`` likewise, with the marker kept.
    """
    ss = st.session_state
    if ss.get("_seeded_from_url"):
        return
    ss["_seeded_from_url"] = True
    qp = st.query_params
    marker = qp.get(DATA_MARKER)
    if marker == "upload" and not uploaded:
        ss[MISSING_UPLOAD] = True
    elif linked_connection(marker) is not None and not uploaded:
        ss[MISSING_UPLOAD] = marker
    picked = dates_from_link(
        _valid_date(qp.get("start", "")), _valid_date(qp.get("end", "")), lo, hi
    )
    if picked:
        ss["f_start"], ss["f_end"], note = picked
        if note:
            ss[URL_NOTE] = (note, picked[0], picked[1])
    if qp.get("period") in PERIODS:
        ss["f_period"] = qp.get("period")
    if qp.get("currency") in CURRENCIES:
        ss["f_currency"] = qp.get("currency")
    for attr in ATTRIBUTES:
        wanted = [v for v in qp.get_all(attr) if v in options.get(attr, [])]
        if wanted:
            ss[f"f_{attr}"] = wanted[:100]
    for s in SETTINGS:
        value = s.parse(qp.get(s.name)) if s.name in qp else None
        if value is not None:
            ss[s.key] = value
    overrides = {
        _LEVER_BY_CODE[k[2:]]: v
        for k in qp
        if k.startswith("w_")
        and k[2:] in _LEVER_BY_CODE
        and (v := _lever_value(qp.get(k))) is not None
    }
    if overrides:
        ss[OVERRIDES] = overrides
    saved = dict(ss.get(SAVED, {}))
    for text in qp.get_all("scn")[:MAX_SAVED]:
        scenario = decode_scenario(text)
        if scenario:
            saved[scenario[0]] = scenario[1]
    if saved:
        ss[SAVED] = saved
        ss.setdefault(COMPARED, list(saved)[-3:])


def _view_keys() -> set[str]:
    return {*FILTER_KEYS, *(s.name for s in SETTINGS), DATA_MARKER, "scn", *(
        f"w_{c}" for c in LEVER_CODES.values())}  # fmt: skip


def view_query(defaults: dict[str, object]) -> dict[str, str | list[str]]:
    """The view as query keys: filters and settings that differ from their defaults, the
    what-if levers moved and the saved scenarios, and ``data=`` when the data is an upload
    (``upload``) or fetched from a database (:func:`data_marker`)."""
    ss = st.session_state
    wanted: dict[str, str | list[str]] = {}
    for key in FILTER_KEYS:
        value = ss.get(f"f_{key}")
        if value is None or value == defaults.get(key) or value == []:
            continue
        if isinstance(value, dt.date):
            wanted[key] = value.isoformat()
        elif isinstance(value, list):
            wanted[key] = [str(v) for v in value]
        else:
            wanted[key] = str(value)
    for s in SETTINGS:
        value = ss.get(s.key)
        if value is not None and s.valid(value) and value != s.default:
            wanted[s.name] = s.render(value)
    for lever, value in valid_overrides(ss.get(OVERRIDES)).items():
        wanted[f"w_{LEVER_CODES[lever]}"] = _compact(value)
    saved = ss.get(SAVED) or {}
    if isinstance(saved, dict) and saved:
        wanted["scn"] = [
            encode_scenario(name, valid_overrides(o)) for name, o in list(saved.items())[:20]
        ]
    marker = data_marker()
    if marker is not None:
        wanted[DATA_MARKER] = marker
    return wanted


def mirror_to_query(defaults: dict[str, object]) -> None:
    """Write the view (:func:`view_query`) into the URL, so a link reopens it.

    Keys that are not the view's are left as they are.
    """
    wanted = view_query(defaults)
    ours = _view_keys()
    multi = {*ATTRIBUTES, "scn"}
    current = {
        k: (st.query_params.get_all(k) if k in multi else st.query_params.get(k))
        for k in st.query_params
        if k in ours
    }
    if current != wanted:
        others = {k: st.query_params.get_all(k) for k in st.query_params if k not in ours}
        st.query_params.from_dict({**others, **wanted})


def timestamp(d: dt.date) -> pd.Timestamp:
    return pd.Timestamp(d)
