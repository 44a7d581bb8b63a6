"""End to end: ``sim explore`` in Debian's Chromium, driven by Playwright.

Starts the explorer on a free port of 127.0.0.1, checks that the Chinese
page shows no English interface words, steps the scenario as loaded (the run
must match its own baseline), pulls two levers, resets, steps again and
checks that the numbers and chart images changed the way the levers say; then
types a bad seed and over-spends the budget shares (both refused on the page,
the server still answers), opens a second tab (its own model, played and
paused) and switches to English. No request may leave the machine or fail. A
screenshot is kept in results/test-artifacts/explorer.png.

Needs /usr/bin/chromium (scripts/install-system.sh installs it); never
downloads a browser.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "results" / "test-artifacts"
SERVER_TIMEOUT_S = 90
WAIT_MS = 30_000
HEADLINES = ("signed_projects", "cohort_fulfilment_rate_24m", "cohort_capital_arrival_rate_24m", "jobs", "mean_approval_months")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HARMLESS_JS_ERRORS = ("reading 'usermeta'",)  # vega-embed race in Solara, only with Altair plots
ENGLISH_UI = ("Controls", "Play Interval", "Render Interval", "Use Threads", "Information", "Time", "Page 0",
              "Model Parameters", "Reset", "Step", "Play", "Pause", "runs on Solara", "Scenario", "Policy levers",
              "Random seed", "Signed projects", "Changed", "Month", "Run")
"""Interface words of Mesa's SolaraViz, Solara and the English page that must not show on the Chinese page."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def explorer():
    """A running ``sim explore`` on a free port; yields its address and stops it (whole process group) after."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/setup.sh` (scripts/install-system.sh installs Debian's chromium)")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sim", "explore", "--port", str(port), "--lang", "zh"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines: list[str] = []
    err: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_TIMEOUT_S
        while not any(url in line for line in lines):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"sim explore did not print {url} (exit {proc.poll()}): {''.join(err)[-2000:]}")
            time.sleep(0.2)
        yield url, err
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C, as a user would
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _answers(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.status == 200


def _headlines(page) -> dict[str, str]:
    return {k: page.locator(f".headline-{k}").inner_text().strip() for k in HEADLINES}


def _baseline_headlines(page) -> dict[str, str]:
    return {k: page.locator(f".headline-{k}-baseline").inner_text().strip() for k in HEADLINES}


def _number(text: str) -> float:
    return float(re.sub(r"[^0-9.\-]", "", text))


def _chart_sources(page) -> list[str]:
    return page.locator(".explorer-chart img").evaluate_all("els => els.map(e => e.src)")


def _english_words(page) -> list[str]:
    """English interface words on the page: its text and the labels, titles and placeholders of its elements."""
    text = page.locator("body").inner_text() + "\n" + "\n".join(page.evaluate(
        "() => Array.from(document.querySelectorAll('[title],[aria-label],[placeholder]'))"
        ".map(e => [e.title, e.getAttribute('aria-label'), e.placeholder].filter(Boolean).join(' '))"))
    return [w for w in ENGLISH_UI if re.search(rf"\b{re.escape(w)}\b", text, re.IGNORECASE)]


def _step(page, months: int, start: int) -> None:
    step = page.get_by_role("button", name="单步")
    for m in range(start + 1, start + months + 1):
        step.click()
        page.locator(".explorer-month", has_text=f"第 {m} 月").wait_for(timeout=WAIT_MS)


def _push_slider_to_max(page, name: str) -> None:
    slider = page.get_by_role("slider", name=re.compile(name))
    slider.focus()
    slider.press("End")


@pytest.mark.timeout(240)
def test_explorer_in_a_real_browser(explorer):
    from playwright.sync_api import sync_playwright

    url, server_log = explorer
    t0 = time.monotonic()
    failed, bad_status, outside, js_errors = [], [], [], []
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        ctx = pw.chromium.launch_persistent_context(profile, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                                    headless=True, viewport={"width": 1400, "height": 1000})
        try:
            ctx.set_default_timeout(WAIT_MS)
            page = ctx.new_page()

            def watch(p):
                p.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
                p.on("response", lambda r: bad_status.append(f"{r.status} {r.url}") if r.status >= 400 else None)
                p.on("request", lambda r: outside.append(r.url)
                     if not r.url.startswith((url, "data:", "blob:", "about:")) else None)
                p.on("pageerror", lambda e: js_errors.append(str(e)))

            watch(page)
            page.goto(url, timeout=60_000)
            page.get_by_role("button", name="单步").wait_for(timeout=60_000)
            page.locator(".explorer-month", has_text="第 0 月").wait_for()
            ready_s = time.monotonic() - t0
            sources0 = _chart_sources(page)
            assert len(sources0) == 3, f"expected 3 chart images, found {len(sources0)}"
            assert _english_words(page) == [], "English interface words on the Chinese page"
            governments = page.locator(".explorer-governments").inner_text()
            assert "安定区" in governments and "岷县" in governments and "定西市本级" in governments, \
                "the governments' table takes its names from the region file"

            # 1. The scenario as loaded: the run is its own baseline (same seed, common random numbers).
            _step(page, 6, 0)
            at6 = _headlines(page)
            assert at6 == _baseline_headlines(page)
            assert _number(at6["signed_projects"]) > 0
            sources6 = _chart_sources(page)
            assert all(a != b for a, b in zip(sources0, sources6, strict=True)), "charts did not redraw after steps"

            # 2. "What if we promised more and honoured every promise?" Levers apply on Reset.
            _push_slider_to_max(page, "承诺优惠")
            _push_slider_to_max(page, "优惠承诺纪律")
            page.locator(".explorer-pending").wait_for()
            page.get_by_role("button", name="重置").click()
            page.locator(".explorer-month", has_text="第 0 月").wait_for()
            page.locator(".explorer-changed", has_text="优惠承诺纪律").wait_for()
            assert page.locator(".explorer-pending").count() == 0
            _step(page, 6, 0)
            lever6 = _headlines(page)
            base6 = _baseline_headlines(page)
            assert base6 == at6, "the baseline column must not move with the levers"
            assert lever6 != at6, "numbers did not change after pulling the levers"
            assert _number(lever6["signed_projects"]) > _number(base6["signed_projects"]), (
                "a 15 % incentive, fully honoured, should sign more projects than the baseline")
            sources_lever = _chart_sources(page)
            assert all(a != b for a, b in zip(sources6, sources_lever, strict=True))

            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "explorer.png"), full_page=True)

            # 3. A bad seed typed in is refused on the page; the server keeps answering.
            seed = page.get_by_label("随机种子")
            seed.fill("abc")
            seed.press("Enter")
            page.locator(".explorer-seed .error--text, .explorer-seed.error--text").first.wait_for()
            page.get_by_text(re.compile("请输入 0 至 4294967295 的整数")).wait_for()
            assert _answers(url)
            _step(page, 1, 6)

            # 4. Budget shares above 100 % are refused; Reset keeps the last valid model.
            _push_slider_to_max(page, "市级工业园区建设")
            error = page.locator(".explorer-error")
            error.wait_for()
            assert "budget.shares" in error.inner_text()
            page.get_by_role("button", name="重置").click()
            page.locator(".explorer-month", has_text="第 0 月").wait_for()
            changed = page.locator(".explorer-changed").inner_text()
            assert "优惠承诺纪律" in changed and "市级工业园区建设" not in changed
            assert "随机种子 0" in page.locator(".explorer-month").inner_text()
            _step(page, 1, 0)
            assert _answers(url)

            # 5. A second tab has its own model.
            other = ctx.new_page()
            watch(other)
            other.goto(url, timeout=60_000)
            other.locator(".explorer-month", has_text="第 0 月").wait_for(timeout=60_000)
            _step(other, 2, 0)
            assert "第 1 月" in page.locator(".explorer-month").inner_text()
            other.get_by_role("button", name="播放").click()
            other.locator(".explorer-month", has_text="第 4 月").wait_for()
            other.get_by_role("button", name="暂停").click()
            other.get_by_role("button", name="播放").wait_for()
            assert "第 1 月" in page.locator(".explorer-month").inner_text()
            other.close()

            # 6. English on request, every label with it.
            page.get_by_role("button", name="English").click()
            page.locator(".explorer-headlines", has_text="Signed projects").wait_for()
            page.get_by_role("slider", name=re.compile("Discipline in promising")).wait_for(state="attached")
            for name in ("Reset", "Play", "Step"):
                page.get_by_role("button", name=name, exact=True).wait_for()
            assert {"Reset", "Step", "Scenario", "Policy levers"} <= set(_english_words(page))
            total_s = time.monotonic() - t0
            print(f"explorer: page ready in {ready_s:.1f} s, whole browser session {total_s:.1f} s")
        finally:
            ctx.close()
    assert not failed, f"requests failed: {failed}"
    assert not bad_status, f"responses >= 400: {bad_status}"
    assert not outside, f"requests left the machine (CDN?): {outside[:5]}"
    real_errors = [e for e in js_errors if not any(h in e for h in HARMLESS_JS_ERRORS)]
    assert not real_errors, f"JavaScript errors: {real_errors}"
    assert "Traceback" not in "".join(server_log), "".join(server_log)[-3000:]
