"""The HTML report in headless Chromium, offline: every chart drawn with readable axes."""

from __future__ import annotations

import pandas as pd
import pytest

from kpi.filters import data_range
from kpi.ingest import load_files
from ui import report
from ui.state import SAMPLE_DIR

pytestmark = pytest.mark.browser

# Per chart: tick labels of each axis that carry text, and whether any of them (or the axis
# titles) fall outside the chart's own box or overlap the other axis's title.
_AXES = """() => [...document.querySelectorAll('.chart')].map(c => {
  const svg = c.querySelector('svg.main-svg').getBoundingClientRect();
  const inside = r => r.width > 0 && r.left >= svg.left - 1 && r.right <= svg.right + 1
                      && r.top >= svg.top - 1 && r.bottom <= svg.bottom + 1;
  const ticks = sel => [...c.querySelectorAll(sel)].filter(t => t.textContent.trim());
  const xs = ticks('.xtick text'), ys = ticks('.ytick text');
  const titles = [...c.querySelectorAll('.g-xtitle text, .g-ytitle text')];
  const hit = (a, b) => a.left < b.right && b.left < a.right
                      && a.top < b.bottom && b.top < a.bottom;
  const boxes = [...xs, ...ys].map(t => t.getBoundingClientRect());
  return {
    title: c.querySelector('h3').textContent,
    x: xs.map(t => t.textContent), y: ys.map(t => t.textContent),
    clipped: [...xs, ...ys, ...titles].filter(t => !inside(t.getBoundingClientRect()))
               .map(t => t.textContent),
    overlap: titles.filter(t => boxes.some(b => hit(b, t.getBoundingClientRect())))
               .map(t => t.textContent),
  };
})"""


@pytest.fixture(scope="module")
def report_file(tmp_path_factory):
    files = [(p.name, p.read_bytes()) for p in sorted(SAMPLE_DIR.glob("*.csv"))]
    tables = load_files(files).tables
    start, end = data_range(tables)
    # The range ends mid-month, so the last month is partial and must be drawn as such.
    end = pd.Timestamp(end) - pd.Timedelta(days=10)
    page = report.report_html(
        tables, start=start, end=end, period="month", currency="EUR",
        settings={"Dates": f"{start:%Y-%m-%d} – {end:%Y-%m-%d}", "Period": "Month"},
    )  # fmt: skip
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


@pytest.mark.parametrize(("width", "media"), [(1280, "screen"), (700, "print")])
def test_report_opens_offline_and_every_chart_has_readable_axes(
    browser, report_file, tmp_path, width, media
):
    context = browser.new_context(viewport={"width": width, "height": 1000})
    fetched: list[str] = []

    def block(route):  # nothing but the file itself may load: no CDN, no font host
        fetched.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith("file:"), block)
    page = context.new_page()
    try:
        page.emulate_media(media=media)
        page.goto(report_file.as_uri())
        page.wait_for_function("() => window.Plotly && document.querySelector('.main-svg')")
        page.wait_for_timeout(300)
        headings = page.locator("section h2").all_inner_texts()
        assert headings[:5] == ["Overview", "Acquisition", "Revenue", "Retention", "Value"]
        assert headings[-1] == "Appendix: model parameters"
        for i, section in enumerate(page.locator("section").all()):
            section.screenshot(path=str(tmp_path / f"{media}-{i}.png"))
        charts = page.evaluate(_AXES)
        assert len(charts) >= 20
        for chart in charts:
            assert len(chart["x"]) >= 2 and len(chart["y"]) >= 2, chart
            # "0", "k" or a dash alone would mean a label cut down to a stub
            assert all(len(t) > 1 or t.isdigit() for t in chart["x"] + chart["y"]), chart
            assert len(set(chart["y"])) == len(chart["y"]), chart
            assert chart["clipped"] == [] and chart["overlap"] == [], chart
        assert fetched == []
        # The model's parameters sit in the appendix, never among the cards.
        cards = page.locator(".card .name").all_inner_texts()
        assert not any("sBG" in c for c in cards)
        assert "sBG alpha" in page.locator("#appendix").inner_text()
        nps = page.locator(".card").filter(has_text="Net Promoter Score").inner_text()
        assert "±" in nps
        assert "is partial" in page.locator("body").inner_text()
    finally:
        context.close()
