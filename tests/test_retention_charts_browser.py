"""The Retention page's gap chart drawn by Plotly in headless Chromium: every label legible."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from plotly.offline import get_plotlyjs

from ui import retention_charts as charts

pytestmark = pytest.mark.browser

# Every piece of text in the chart (title, legend entries, annotations, axis titles): the ones
# that overlap another, or the plot area, or fall outside the chart's own box.
_TEXTS = """() => {
  const svg = document.querySelector('svg.main-svg').getBoundingClientRect();
  const plot = document.querySelector('.nsewdrag').getBoundingClientRect();
  const texts = [...document.querySelectorAll(
      '.gtitle, .legendtext, .annotation-text, .g-xtitle text, .g-ytitle text')]
    .filter(t => t.textContent.trim());
  const box = t => t.getBoundingClientRect();
  const hit = (a, b) => a.left < b.right - 1 && b.left < a.right - 1
                      && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const inside = r => r.left >= svg.left - 1 && r.right <= svg.right + 1
                      && r.top >= svg.top - 1 && r.bottom <= svg.bottom + 1;
  const over = [];
  texts.forEach((a, i) => texts.slice(i + 1).forEach(b => {
    if (hit(box(a), box(b))) over.push(`${a.textContent} / ${b.textContent}`);
  }));
  return {
    texts: texts.map(t => t.textContent),
    overlap: over,
    on_plot: texts.filter(t => !t.closest('.g-xtitle, .g-ytitle') && hit(box(t), plot))
                  .map(t => t.textContent),
    clipped: texts.filter(t => !inside(box(t))).map(t => t.textContent),
  };
}"""

# Gaps like the sample's: most repeat orders 25-35 days apart, a long tail to half a year.
_GAPS = pd.Series(np.r_[np.full(300, 30), np.arange(1, 25), np.arange(36, 180, 2)])


@pytest.fixture(scope="module")
def plotly_page(browser):
    page = browser.new_page(viewport={"width": 700, "height": 400})
    page.set_content('<div id="chart"></div>')
    page.add_script_tag(content=get_plotlyjs())
    yield page
    page.close()


@pytest.mark.parametrize(
    ("suggested", "window"),
    [(31, 31), (31, 45), (45, 31), (150, 160), (2, 6)],
    ids=["one line", "chosen after", "chosen before", "both near the right edge", "both at 0"],
)
def test_gap_chart_labels_overlap_nothing_at_laptop_and_desktop_widths(
    plotly_page, suggested, window
):
    fig = charts.gap_histogram(_GAPS, suggested=suggested, window=window)
    # The chart's width in the Retention page's right-hand column at 1280x720 and 1440x900
    # (measured: 540 and 650 px), and on a phone (350 px).
    for width in (540, 650, 350):
        fig.update_layout(width=width)
        plotly_page.evaluate(
            "f => Plotly.newPlot('chart', f.data, f.layout)", json.loads(fig.to_json())
        )
        found = plotly_page.evaluate(_TEXTS)
        expected = f"Suggested: {suggested} days (90% of gaps are shorter)"
        assert expected in found["texts"], (width, found["texts"])
        assert (f"Chosen: {window} days" in found["texts"]) == (window != suggested)
        assert found["overlap"] == [], width
        assert found["on_plot"] == [], width
        assert found["clipped"] == [], width
