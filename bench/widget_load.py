"""What does the widget cost a page where nobody chats, and how fast does it open? (issue 16)

    .venv/bin/python bench/widget_load.py [--runs 3] [--subject general]

Serves `python app.py` (migrated SQLite) and a host page from another origin, and loads
that page in Debian's Chromium (Playwright) with and without the widget's tag, in a fresh
context (cold cache) per run. Before anyone opens the widget it measures:
- the main-thread time the tag adds: Chromium's TaskDuration and ScriptDuration (CDP
  Performance.getMetrics, every task and all script evaluation), and the long tasks the
  Performance API reports (PerformanceObserver 'longtask', buffered);
- the bytes transferred from the widget's server (Playwright's encoded body sizes and
  header sizes of every finished request), and again on a second visit (the cache);
then the time from a click on the launcher to a usable text field in the panel (the
pre-chat form, or the composer), measured inside the page from the click event to the
first animation frame with an enabled, visible text field in the dialog.
Prints medians and spreads of the runs, each against its target and the bare page.
"""

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from playwright.sync_api import sync_playwright  # noqa: E402

from bench.relay import AppServer  # noqa: E402
from tests.browser.conftest import ARGS, CHROMIUM  # noqa: E402
from tests.browser.hosts import HostSite, page, widget_tag  # noqa: E402

TARGET_MAIN_MS = 20
TARGET_BYTES = 4096
TARGET_OPEN_MS = 300

LONG_TASKS = """window.__longTasks = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) window.__longTasks += entry.duration;
}).observe({type: 'longtask', buffered: true});"""

# From the click (capture phase: the launcher is in a shadow root) to the first frame in
# which the dialog holds an enabled, visible text field.
USABLE = """window.__clickAt = 0; window.__usableAt = 0;
addEventListener('click', () => {
  if (window.__clickAt) return;
  window.__clickAt = performance.now();
  const fields = 'input:not([type=hidden]):not([type=file]):not([type=radio]), textarea';
  const check = () => {
    const root = document.querySelector('chat-widget')?.shadowRoot;
    const dialog = root?.querySelector('dialog[open], [role=dialog]');
    const field = dialog && [...dialog.querySelectorAll(fields)].find(
      f => !f.disabled && f.checkVisibility({visibilityProperty: true, opacityProperty: true}));
    if (field) window.__usableAt = performance.now(); else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
}, true);"""


def metrics(cdp):
    """Chromium's cumulative TaskDuration and ScriptDuration of the page, in ms."""
    values = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return values["TaskDuration"] * 1000, values["ScriptDuration"] * 1000


def visit(context, url, server_origin, with_tag):
    """Load url once; returns the page, its CDP session and the figures before opening."""
    tab = context.new_page()
    cdp = context.new_cdp_session(tab)
    cdp.send("Performance.enable")
    sizes = {"server": 0, "page": 0}

    def count(request):
        s = request.sizes()
        key = "server" if request.url.startswith(server_origin) else "page"
        sizes[key] += s["responseBodySize"] + s["responseHeadersSize"]

    tab.on("requestfinished", count)
    tab.goto(url, wait_until="load")
    if with_tag:
        tab.get_by_role("button", name="Open chat").first.wait_for()
    tab.wait_for_load_state("networkidle")  # nothing more comes before a visitor reaches
    task_ms, script_ms = metrics(cdp)
    figures = {
        "task_ms": task_ms,
        "script_ms": script_ms,
        "long_ms": tab.evaluate("window.__longTasks"),
        "server_bytes": sizes["server"],
        "page_bytes": sizes["page"],
    }
    return tab, figures


def run_once(browser, url_bare, url_tag, server_origin):
    """One cold run of each page, a warm revisit, and the click-to-usable time."""
    figures = {}
    for name, url in (("bare", url_bare), ("tag", url_tag)):
        context = browser.new_context()
        context.add_init_script(LONG_TASKS + USABLE)
        tab, figures[name] = visit(context, url, server_origin, name == "tag")
        if name == "tag":
            tab.get_by_role("button", name="Open chat").first.click()
            tab.wait_for_function("window.__usableAt > 0", timeout=10_000)
            figures["open_ms"] = tab.evaluate("window.__usableAt - window.__clickAt")
            tab.close()
            _, warm = visit(context, url, server_origin, True)
            figures["warm_server_bytes"] = warm["server_bytes"]
        context.close()
    return figures


def spread(values):
    return "median %8.1f  (min %.1f, max %.1f)" % (
        statistics.median(values),
        min(values),
        max(values),
    )


def column(runs, *keys):
    """One figure of every run: runs[i][k0][k1]…"""
    values = []
    for run in runs:
        for key in keys:
            run = run[key]
        values.append(run)
    return values


def report(runs):
    """Print every figure; True when all three targets hold (on the medians)."""
    bare_task, tag_task = column(runs, "bare", "task_ms"), column(runs, "tag", "task_ms")
    rows = [
        ("main thread of the bare page (TaskDuration), ms", bare_task),
        ("main thread added by the tag (TaskDuration), ms",
         [t - b for t, b in zip(tag_task, bare_task, strict=True)]),
        ("script evaluation added (ScriptDuration), ms",
         [t - b for t, b in zip(column(runs, "tag", "script_ms"),
                                column(runs, "bare", "script_ms"), strict=True)]),
        ("long tasks added (Performance API), ms",
         [t - b for t, b in zip(column(runs, "tag", "long_ms"),
                                column(runs, "bare", "long_ms"), strict=True)]),
        ("bytes of the bare page itself", column(runs, "bare", "page_bytes")),
        ("bytes from the widget's server before open", column(runs, "tag", "server_bytes")),
        ("bytes from the server on a second visit", column(runs, "warm_server_bytes")),
        ("click on the launcher to a usable field, ms", column(runs, "open_ms")),
    ]  # fmt: skip
    print("%d runs, each in a fresh context (cold cache)" % len(runs))
    for label, values in rows:
        print("%-48s %s" % (label, spread(values)))
    median = {label: statistics.median(values) for label, values in rows}
    added_ms = max(median[rows[1][0]], median[rows[3][0]])
    sent = median[rows[5][0]]
    verdicts = [
        ("added main-thread time, ms", added_ms, TARGET_MAIN_MS,
         ", %.2fx the bare page's" % (added_ms / max(median[rows[0][0]], 0.001))),
        ("bytes before opening", sent, TARGET_BYTES,
         ", %.2fx the bare page's" % (sent / max(median[rows[4][0]], 1))),
        ("click to usable composer, ms", median[rows[7][0]], TARGET_OPEN_MS, ""),
    ]  # fmt: skip
    for label, value, target, ratio in verdicts:
        verdict = "pass" if value <= target else "FAIL"
        print("%-30s %8.1f (target <= %d%s): %s" % (label, value, target, ratio, verdict))
    return all(value <= target for _, value, target, _ in verdicts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--subject", default="general")
    args = parser.parse_args()
    server = AppServer("widget", "gevent-websocket")
    host = HostSite()
    try:
        server.run("-m", "flask", "--app", "app", "db", "upgrade")
        server.start()
        url_bare = host.add("/bare.html", page("A bare page"))
        url_tag = host.add(
            "/tag.html", page("A page with the widget", widget_tag(server.url, args.subject))
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            runs = [run_once(browser, url_bare, url_tag, server.url) for _ in range(args.runs)]
            browser.close()
        return 0 if report(runs) else 1
    finally:
        host.close()
        server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
