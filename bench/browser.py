"""Browser step of the benchmark (issue 17): a new visitor's first view of each page, in Chromium.

    python -m bench browser [--repeat 3] [--pages Home,Acquisition,...] [--also DIR ...]
                            [--json PATH]

Two servers run side by side on loopback ports: the app, and a minimal Streamlit page with one
metric and one Plotly chart (the floor: most of a first visit is the browser loading
Streamlit's and Plotly's code). Each is visited once untimed, so the servers are warm (imports
done, the sample read, caches filled) and each page's number of cards and charts is known.

Then, ``--repeat`` rounds of: for the minimal page and every app page, a new browser context
(a new session with an empty browser cache, as a colleague opening a link) navigates to the
page, and the clock runs from navigation until the page is drawn: the script has finished, no
placeholder is left, the page shows as many cards and charts as on the warm-up visit and every
visible chart has drawn its SVG. Targets are interleaved in each round, so machine noise hits
them alike; the report is each target's median and its ratio to the minimal page's median
measured in the same run (targets: 1.3x or less).

Beside the wall clock, each visit records the work it cost, which other load on the machine
hardly moves: the renderer's main-thread CPU time (Chrome DevTools Protocol ``Performance``
metrics in thread time: all tasks, and of those script, layout and style recalculation) and
what was loaded (HTTP requests and bytes, and the bytes the server sent over the websocket,
where Streamlit's page and its figures travel). Each is reported as a median and, for the
main-thread time, as a ratio to the minimal page. The wall-clock ratio stays the target; the
CPU ratio tells apart changes the wall clock's noise hides. On a machine loaded past its cores
(or a virtual machine whose host is busy) thread time inflates too; each round's ratio to the
minimal page measured in that round (reported as the median over rounds, "per round") cancels
load that drifts between rounds.

``--also DIR`` serves another copy of the app (another checkout, say the code before a
change) and times its pages in the same rounds, named ``<page> (DIR's name)``: before and
after, side by side under the same load. It can be given more than once, to weigh several
variants of a change in the same rounds.

It also times the server side alone: the home script's run for a new session on the sample
(Streamlit's AppTest, after one warm run; target under 0.3 s).

Chromium is Debian's (``CHROMIUM``, default /usr/bin/chromium) with the project's flags; the
servers are stopped by their own process ids.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

# URL path of each app page (the page's file name without its number).
PAGES = (
    "Home", "Acquisition", "Revenue", "Retention", "Value", "What_if", "Satisfaction",
    "Support", "Team",
)  # fmt: skip

MINIMAL = """import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="Minimal", layout="wide")
st.metric("Revenue", "€ 1,234", "+5.0 %")
st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3, 4], y=[3, 1, 4, 2])), width="stretch")
"""

# What is on screen: cards and visible charts, and whether anything is still coming.
_STATE = """() => {
  const q = s => [...document.querySelectorAll(s)];
  const charts = q('[data-testid="stPlotlyChart"]').filter(c => c.offsetParent);
  return {
    running: !!document.querySelector('[data-testid="stStatusWidget"]'),
    skeletons: q('[data-testid="stSkeleton"]').length,
    cards: q('[data-testid="stMetric"]').length,
    charts: charts.length,
    drawn: charts.filter(c => c.querySelector('.main-svg')).length,
  };
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(script: Path) -> Iterator[str]:
    """``streamlit run script`` on a free loopback port until the block ends (own pid only)."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(script),
            "--server.address", "127.0.0.1", "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ],
        cwd=script.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"{script.name} did not start within 60 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _drawn(page, expected: dict | None, timeout: float) -> dict:
    """Poll until the page is drawn (see the module doc); returns what is on screen."""
    deadline = time.monotonic() + timeout
    quiet_since = None
    last = None
    while time.monotonic() < deadline:
        now = page.evaluate(_STATE)
        done = (
            not now["running"]
            and not now["skeletons"]
            and (now["cards"] or now["charts"])
            and now["drawn"] == now["charts"]
        )
        if expected is not None:
            if done and now["cards"] >= expected["cards"] and now["charts"] >= expected["charts"]:
                return now
        elif done:
            # warm-up: wait until nothing has changed for 1.5 s, so the counts are final
            if now != last:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= 1.5:
                return now
        last = now
        time.sleep(0.02)
    raise TimeoutError(f"{page.url} was not drawn within {timeout:.0f} s: {last}")


expected_counts: dict[str, dict] = {}  # url -> what the warm-up visit showed


# Main-thread metrics of CDP's Performance domain (seconds of thread time), by report name.
CPU_METRICS = {
    "task_ms": "TaskDuration",
    "script_ms": "ScriptDuration",
    "layout_ms": "LayoutDuration",
    "style_ms": "RecalcStyleDuration",
}
MEASURES = ("seconds", *CPU_METRICS, "requests", "http_kb", "ws_kb")


class _Work:
    """What one page costs the browser: main-thread time (CDP ``Performance`` in thread ticks,
    so time spent waiting for the other processes on a busy machine is not counted) and what
    it loads (CDP ``Network``: HTTP responses and websocket frames received)."""

    def __init__(self, context, page) -> None:
        self.cdp = context.new_cdp_session(page)
        self.requests = 0
        self.http_bytes = 0
        self.ws_bytes = 0
        self.cdp.on("Network.loadingFinished", self._loaded)
        self.cdp.on("Network.webSocketFrameReceived", self._frame)
        self.cdp.send("Network.enable")
        self.cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
        self.start = self._metrics()

    def _loaded(self, event: dict) -> None:
        self.requests += 1
        self.http_bytes += int(event.get("encodedDataLength") or 0)

    def _frame(self, event: dict) -> None:
        frame = event.get("response", {})
        data = frame.get("payloadData", "")
        # opcode 2: a binary frame, which CDP hands over in base64
        self.ws_bytes += len(base64.b64decode(data)) if frame.get("opcode") == 2 else len(data)

    def _metrics(self) -> dict[str, float]:
        got = self.cdp.send("Performance.getMetrics")["metrics"]
        return {m["name"]: float(m["value"]) for m in got}

    def done(self) -> dict[str, float]:
        """The work since the page was opened: milliseconds of main-thread time, kB loaded."""
        end = self._metrics()
        out = {k: 1000 * (end.get(m, 0.0) - self.start.get(m, 0.0)) for k, m in CPU_METRICS.items()}
        return {
            **out,
            "requests": float(self.requests),
            "http_kb": self.http_bytes / 1024,
            "ws_kb": self.ws_bytes / 1024,
        }


def first_visit(browser, url: str, expected: dict | None, timeout: float = 120) -> dict:
    """One first visit in a new context (new session, empty cache): ``seconds`` from
    navigation to drawn and the work it cost (see :class:`_Work`)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        work = _Work(context, page)
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        shown = _drawn(page, expected, timeout)
        elapsed = time.perf_counter() - start
        cost = work.done()
        if expected is None:
            expected_counts.setdefault(url, shown)
        return {"seconds": elapsed, **cost}
    finally:
        context.close()


def server_side_home(repeat: int) -> float:
    """Median seconds of the home script's run for a new session (AppTest), after a warm run."""
    from streamlit.testing.v1 import AppTest

    def once() -> float:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        start = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - start
        if at.exception:
            raise RuntimeError(f"home page failed: {at.exception[0].value}")
        return elapsed

    once()  # imports, the sample read once per process
    return statistics.median(once() for _ in range(max(repeat, 3)))


def run(
    pages: Sequence[str] = PAGES, repeat: int = 3, log=print, also: Sequence[Path] = ()
) -> dict:
    """Time the minimal page and each app page; returns medians and ratios (see module doc)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        minimal = Path(tmp) / "minimal.py"
        minimal.write_text(MINIMAL, encoding="utf-8")
        floor = stack.enter_context(serve(minimal))
        app = stack.enter_context(serve(ROOT / "app.py"))
        others = {d.name: stack.enter_context(serve(d / "app.py")) for d in also}
        urls = {"minimal": floor}
        for p in pages:  # each page next to its other copy, so both see the same load
            path = "" if p == "Home" else p
            urls[p] = f"{app}/{path}"
            for name, other in others.items():
                urls[f"{p} ({name})"] = f"{other}/{path}"
        results: dict[str, dict[str, list[float]]] = {
            name: {m: [] for m in MEASURES} for name in urls
        }
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, url in urls.items():  # warm servers; learn each page's cards and charts
                first_visit(browser, url, None)
                log(f"warm {name}: {expected_counts[url]['cards']} cards, "
                    f"{expected_counts[url]['charts']} charts")  # fmt: skip
            for r in range(repeat):
                for name, url in urls.items():
                    visit = first_visit(browser, url, expected_counts[url])
                    for m in MEASURES:
                        results[name][m].append(visit[m])
                times = ", ".join(
                    f"{k} {v['seconds'][-1]:.2f} s {v['task_ms'][-1]:.0f} ms"
                    for k, v in results.items()
                )
                log(f"round {r + 1} (wall, main thread): {times}")
            browser.close()
    medians = {k: {m: statistics.median(v[m]) for m in MEASURES} for k, v in results.items()}
    floor = medians["minimal"]
    low = results["minimal"]

    def per_round(name: str, m: str) -> float:
        return statistics.median(a / b for a, b in zip(results[name][m], low[m], strict=True))

    return {
        "repeat": repeat,
        "runs": results,
        "median": medians,
        "ratio": {k: v["seconds"] / floor["seconds"] for k, v in medians.items()},
        "cpu_ratio": {k: v["task_ms"] / floor["task_ms"] for k, v in medians.items()},
        "round_ratio": {k: per_round(k, "seconds") for k in results},
        "round_cpu_ratio": {k: per_round(k, "task_ms") for k in results},
        "home_script_s": server_side_home(repeat),
    }


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages", default=",".join(PAGES), help="app pages, comma-separated")
    parser.add_argument(
        "--also",
        action="append",
        default=[],
        help="another checkout of the app, timed in the same rounds (repeatable)",
    )
    parser.add_argument("--json", help="write the results to this JSON file")
    args = parser.parse_args(argv)
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = sorted(set(pages) - set(PAGES))
    if unknown:
        parser.error(f"unknown page {', '.join(unknown)}; choose from {', '.join(PAGES)}")
    out = run(pages, args.repeat, also=[Path(d).resolve() for d in args.also])
    print(f"\nfirst visit, new session, warm server; median of {args.repeat} (machine shared)")
    print("wall: seconds to drawn; main thread: CPU ms (all tasks; script, layout, style);")
    print("loaded: HTTP requests and kB, kB received over the websocket")
    print("x min: median over the minimal page's median; per round: median of each round's ratio")
    head = ("page", "wall s", "x min", "per rnd", "main ms", "x min", "per rnd", "script",
            "layout", "style", "req", "HTTP kB", "WS kB")  # fmt: skip
    print(f"{head[0]:<26}" + "".join(f"{h:>9}" for h in head[1:]))
    for name, m in out["median"].items():
        flag = "" if name == "minimal" or out["ratio"][name] <= 1.3 else "  over 1.3x"
        cells = (
            f"{m['seconds']:.2f}", f"{out['ratio'][name]:.2f}",
            f"{out['round_ratio'][name]:.2f}", f"{m['task_ms']:.0f}",
            f"{out['cpu_ratio'][name]:.2f}", f"{out['round_cpu_ratio'][name]:.2f}",
            f"{m['script_ms']:.0f}", f"{m['layout_ms']:.0f}",
            f"{m['style_ms']:.0f}", f"{m['requests']:.0f}", f"{m['http_kb']:.0f}",
            f"{m['ws_kb']:.0f}",
        )  # fmt: skip
        print(f"{name:<26}" + "".join(f"{c:>9}" for c in cells) + flag)
    print(f"\nhome script run for a new session (AppTest): {out['home_script_s']:.3f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2), encoding="utf-8")
    return out


if __name__ == "__main__":
    main()
