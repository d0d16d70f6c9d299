"""Data: upload files, confirm what each holds, see what was kept and rejected."""

import streamlit as st

from kpi.errors import KpiError
from kpi.schema import TABLES
from ui import connect, data_page, frame, meeting, state
from ui import format as fmt

view = frame.page(
    "Data",
    ":material/upload_file:",
    caption="Upload the spreadsheets your tools export. Each file "
    "or sheet is recognised, its columns matched, and every row checked.",
)

if meeting.active():
    st.info(
        "The Data page is where files are read and checked, not a page for a meeting: the "
        "meeting view is made for the analysis pages. Leave it (top right) to work here.",
        icon=":material/info:",
    )
if not state.using_sample():
    st.success(connect.loaded_note() or "Showing your uploaded data.")
    if st.button("Back to the sample data", icon=":material/undo:"):
        state.use_sample()
        st.rerun()

limits = state.limits()
files = st.file_uploader(
    "Upload CSV, TSV, TXT, XLSX, XLSM, XLS, ODS or Parquet files, or an analysis file (zip)",
    type=["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "ods", "parquet", "zip"],
    accept_multiple_files=True,
    key="uploader",
    help=f"Up to {limits.max_bytes // 2**20} MB per file. Up to {limits.max_rows:,} rows are "
    f"read into memory (workbooks: {limits.max_sheets} sheets); larger CSV and Parquet files, "
    f"and Parquet files over {connect.parquet_threshold_mb():,} MB, are computed by DuckDB "
    "inside the app from a temporary copy deleted with your session. Nothing else is stored "
    "on the server.",
)
# An analysis file (ui/analysis_file.py) restores a whole analysis; other files are read.
files = [f for f in files or [] if not frame.open_analysis_upload(f)]
if files:
    data_page.remember_uploads(files)

pending = data_page.pending()
if pending:
    data_page.remember_saved_mapping(
        st.file_uploader(
            "A mapping you saved before (JSON), to map files of the same layout without asking",
            type=["json"],
            key="mapping_upload",
        )
    )
    st.subheader("Check what each file holds")
    chosen = {}
    for name, data in pending.items():
        too_large = connect.too_large(name, data, limits)  # the embedded default: DuckDB
        if too_large:
            connect.large_upload(name, data, too_large)
        else:
            chosen[name] = data_page.mapping_editor(name, data)
    left, right = st.columns([1, 2])
    if left.button("Use these tables", type="primary", disabled=not any(chosen.values())):
        try:
            mapped = data_page.apply_all(pending, chosen)
            # Only the files whose mapping is complete and checked are put to use; the others
            # stay waiting, and every page names them (data_page.unapplied_notice).
            state.use_uploads(mapped, [name for name, entry in chosen.items() if entry])
            st.rerun()
        except KpiError as exc:
            st.error(str(exc))
    right.download_button(
        "Download this mapping (JSON)",
        data_page.mapping_file(chosen),
        file_name="mapping.json",
        mime="application/json",
        disabled=not any(chosen.values()),
        icon=":material/download:",
        help="Keep it: it maps the next export of the same layout here, or with "
        "python -m kpi report --mapping mapping.json.",
    )

connect.engine_view(view.currency)
connect.section()

if state.using_sample() and pending:
    # The sample's nine files are not what the user just uploaded: they are not listed here.
    st.subheader("What was read")
    st.caption(
        f"Your files are read once you press {data_page.waiting_buttons(list(pending))} above."
    )
else:
    st.subheader("What was read" + (" (the built-in sample)" if state.using_sample() else ""))
    st.dataframe(
        fmt.counts(data_page.reports_table(view.dataset.reports)),
        hide_index=True,
        width="stretch",
        column_config=data_page.REPORT_COLUMNS,
    )
    for i, report in enumerate(view.dataset.reports):
        data_page.report_view(report, i)

st.subheader("What your data unlocks")
st.dataframe(fmt.counts(data_page.unlocks(view.dataset.tables)), hide_index=True, width="stretch")

st.subheader("Templates")
st.caption(
    "Empty files with the column names the app understands at once. Other names work "
    "too: the matching above recognises them in eight languages."
)
cols = st.columns(5)
for i, (name, spec) in enumerate(TABLES.items()):
    cols[i % 5].download_button(
        f"{spec.label}",
        data_page.template_csv(name),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"template_{name}",
        icon=":material/download:",
        help=spec.description,
    )
st.caption(
    f"Currency detected: {view.dataset.currency or 'none'}; "
    f"showing amounts in {fmt.md(view.currency)}."
)
