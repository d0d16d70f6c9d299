"""Downloads: tables as CSV or XLSX with spreadsheet formula injection neutralised.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel and LibreOffice when the file is opened. Text cells (from uploaded files:
customer names, comments) that start so get a leading apostrophe, which spreadsheets show as
text. Numbers are left alone: a negative refund stays a number.
Adapted from the OWASP guidance on CSV injection (https://owasp.org/www-community/attacks/CSV_Injection).
"""

from __future__ import annotations

import io

import pandas as pd

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) cannot start a formula.

    >>> neutralise(pd.DataFrame({"name": ["=1+1", "Ann"], "amount": [-5.0, 2.0]})).to_dict("list")
    {'name': ["'=1+1", 'Ann'], 'amount': [-5.0, 2.0]}
    """

    def safe(value: object) -> object:
        if isinstance(value, str) and value.startswith(_TRIGGERS):
            return "'" + value
        return value

    out = frame.copy()
    out.columns = [safe(str(c)) for c in out.columns]
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_datetime64_any_dtype(
            out[col]
        ):
            out[col] = out[col].map(safe, na_action="ignore")
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a BOM (so Excel reads accents right), formulas neutralised."""
    return neutralise(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, *, sheet: str = "Data") -> bytes:
    """An XLSX workbook of one sheet, formulas neutralised and strings never read as formulas."""
    buf = io.BytesIO()
    with pd.ExcelWriter(
        buf, engine="xlsxwriter", engine_kwargs={"options": {"strings_to_formulas": False}}
    ) as writer:
        neutralise(frame).to_excel(writer, index=False, sheet_name=sheet[:31])
    return buf.getvalue()
