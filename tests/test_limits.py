"""Upload limits come from .streamlit/limits.toml; a bad value never switches a limit off."""

from __future__ import annotations

from kpi.io import Limits
from ui import state


def test_the_committed_limits_file_sets_rows_columns_and_sheets():
    result = state.limits()
    assert (result.max_rows, result.max_columns, result.max_sheets) == (12_000_000, 1_000, 50)


def test_values_read_from_the_file_and_bad_ones_keep_the_default(tmp_path):
    path = tmp_path / "limits.toml"
    path.write_text('max_rows = 5\nmax_columns = -1\nmax_sheets = "9"\nunknown = 3\n')
    result = state.limits(path)
    assert result.max_rows == 5
    assert result.max_columns == Limits().max_columns
    assert result.max_sheets == Limits().max_sheets


def test_a_missing_or_broken_file_keeps_the_defaults(tmp_path):
    broken = tmp_path / "limits.toml"
    broken.write_text("max_rows = = 3")
    for path in (tmp_path / "absent.toml", broken):
        assert state.limits(path).max_rows == Limits().max_rows
