"""How many charts Plotly draws twice on a first visit, at several screen widths.

    python -m bench margins [--widths 390,1280,1440,1920] [--pages Home,...] [--also DIR]

A chart whose margins are too narrow for its tick labels, titles, legend or colour bar is
drawn, measured and drawn again with wider margins (Plotly's automatic margins): about 120 ms
of the browser's main thread each time. :mod:`ui.margins` works the margins out beforehand
for a desktop page; this counts, per width and page, the charts on screen and those Plotly
still had to widen, with the sides it widened. ``--also DIR`` counts another checkout too.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from bench import browser

# Each chart whose margins Plotly widened after drawing it: the sides where its automatic
# margins exceed what the figure set. (Also the check of tests/test_screens_browser.py.)
WIDENED = """() => [...document.querySelectorAll('.js-plotly-plot')].filter(g => g.offsetParent)
  .map(g => {
    const size = g._fullLayout._size, set = g.layout.margin || {};
    const sides = ['l', 'r', 't', 'b'].filter(s => size[s] > (set[s] || 0) + 0.5);
    const title = (g._fullLayout.yaxis.title || {}).text || '';
    const grown = sides.map(s => `${s} ${set[s]} -> ${Math.round(size[s])}`);
    return sides.length ? `${title}: ${grown}` : '';
  }).filter(Boolean)"""

CHARTS = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(g => g.offsetParent).length"""


def count(app: Path, widths: Sequence[int], pages: Sequence[str], log=print) -> dict:
    """``{width: {page: (charts, [widened ...])}}`` for the app at ``app``."""
    from playwright.sync_api import sync_playwright

    out: dict[int, dict[str, tuple[int, list[str]]]] = {}
    with browser.serve(app / "app.py") as url, sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=browser.CHROMIUM, args=browser.CHROMIUM_ARGS)
        try:
            for width in widths:
                context = chromium.new_context(viewport={"width": width, "height": 900})
                page = context.new_page()
                out[width] = {}
                for name in pages:
                    page.goto(f"{url}/{'' if name == 'Home' else name}")
                    browser._drawn(page, None, 180)
                    page.wait_for_timeout(500)  # the second drawing, if any, has happened
                    out[width][name] = (page.evaluate(CHARTS), page.evaluate(WIDENED))
                context.close()
        finally:
            chromium.close()
    for width, per_page in out.items():
        charts = sum(n for n, _ in per_page.values())
        widened = sum(len(w) for _, w in per_page.values())
        log(f"{app.name or app}: {width} px wide, {charts} charts, {widened} drawn twice")
        for name, (_, found) in per_page.items():
            for chart in found:
                log(f"    {name}: {chart}")
    return out


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench margins", description=__doc__)
    parser.add_argument("--widths", default="390,1280,1440,1920", help="viewport widths, px")
    parser.add_argument("--pages", default=",".join(browser.PAGES), help="app pages")
    parser.add_argument("--also", type=Path, help="another checkout of the app")
    args = parser.parse_args(argv)
    widths = [int(w) for w in args.widths.split(",")]
    pages = args.pages.split(",")
    results = {"app": count(browser.ROOT, widths, pages)}
    if args.also:
        results[str(args.also)] = count(args.also.resolve(), widths, pages)
    return results
