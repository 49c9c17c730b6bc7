"""The html report in a real headless Chromium: it renders with no console error and no network
request, fits a phone without sideways scrolling, and prints. Screenshots at phone and desktop
widths and the printed PDF are saved in test-artifacts/ to look at.

Chromium comes from Debian's ``chromium`` package (.ci/chromium.sh installs it in CI); set
``AICHECK_CHROMIUM`` to use another build. Without one the test skips, saying so.
``AICHECK_UPDATE_SCREENSHOT=1`` also writes the desktop screenshot to docs/report-screenshot.png.

No DevTools client is needed: ``--dump-dom``, ``--screenshot`` and ``--print-to-pdf`` do the work,
``--enable-logging=stderr`` shows console messages and ``--log-net-log`` every request. Headless
Chromium will not make a window narrower than 500 px, so the phone view is the report in a
390 px wide iframe of a page made by the test.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from aicheck.output.report import render_report
from aicheck.report import Report, ReportRequest, run_report
from aicheck.state import State
from tests.fakes.chat import FakeChat

from tests.fakes.fixtures import provider_server  # noqa: F401 - fixture
from tests.report_kit import Saved, chat_env, invoke

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("AICHECK_CHROMIUM") or next(
    (found for name in ("chromium", "chromium-browser", "google-chrome", "chrome") if (found := shutil.which(name))), None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (Debian: apt-get install chromium; CI: .ci/chromium.sh)"
)
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-default-apps", "--hide-scrollbars",
    "--enable-logging=stderr", "--v=0",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # Chromium's own update and sign-in checks resolve nothing, reach no one
)
PHONE, DESKTOP = (390, 844), (1280, 900)
# Earlier report runs, as history.record keeps them: a team fixing its app over a week.
EARLIER = [(34, 1450.0, 0.0009), (41, 980.0, 0.0007), (47, 760.0, 0.0006), (55, 610.0, 0.0004), (61, 420.0, 0.0003)]


@dataclass
class Visit:
    stdout: str
    console: list[str]  # console messages, CSP violations included: the page has no script to log anything
    requests: list[str]  # URLs the page asked for (Chromium's own requests are not the page's)
    returncode: int


def chromium(page: Path, work: Path, *args: str) -> Visit:
    work.mkdir(parents=True, exist_ok=True)
    netlog = work / "netlog.json"
    command = [str(CHROMIUM), *FLAGS, f"--user-data-dir={work / 'profile'}", f"--log-net-log={netlog}", *args, page.as_uri()]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # hung: end the browser we started, and its helpers, by its group id
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    console = [line for line in stderr.splitlines() if ":CONSOLE" in line]
    return Visit(stdout, console, page_requests(netlog), process.returncode)


def page_requests(netlog: Path) -> list[str]:
    """Requests made for a file:// page: their network isolation key is the page's."""
    log = json.loads(netlog.read_text()) if netlog.is_file() else {"constants": {"logEventTypes": {}}, "events": []}
    start = log["constants"]["logEventTypes"].get("URL_REQUEST_START_JOB")
    return [
        str(event["params"].get("url"))
        for event in log["events"]
        if event.get("type") == start and "file://" in str(event.get("params", {}).get("network_isolation_key", ""))
    ]


def in_parallel(*jobs: tuple[Path, Path, Sequence[str]]) -> list[Visit]:
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(lambda job: chromium(job[0], job[1], *job[2]), jobs))


def frame_page(path: Path, report: Path, width: int, height: int, anchor: str = "") -> Path:
    """A page showing the report in an iframe of a phone's width (the test's, not the report's)."""
    path.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><style>html,body{margin:0;padding:0}'
        f'iframe{{border:0;display:block;width:{width}px;height:{height}px}}</style></head>'
        f'<body><iframe src="{html.escape(report.name + anchor)}"></iframe></body></html>'
    )
    return path


def probe_page(path: Path, report_html: str) -> Path:
    """The report at phone and desktop widths (srcdoc: same origin), and a script that writes
    down whether either scrolls sideways and what the gauge says."""
    doc = html.escape(report_html, quote=True)
    path.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        f'<iframe id="phone" width="{PHONE[0]}" height="{PHONE[1]}" srcdoc="{doc}"></iframe>'
        f'<iframe id="desktop" width="{DESKTOP[0]}" height="{DESKTOP[1]}" srcdoc="{doc}"></iframe>'
        "<script>addEventListener('load', () => { for (const id of ['phone', 'desktop']) {"
        " const d = document.getElementById(id).contentDocument;"
        " document.body.setAttribute('data-' + id, d.documentElement.scrollWidth + '/' + d.documentElement.clientWidth);"
        " document.body.setAttribute('data-height-' + id, d.documentElement.scrollHeight);"
        " document.body.setAttribute('data-gauge-' + id, d.querySelector('#score-gauge .number').textContent); } });"
        "</script></body></html>"
    )
    return path


def attribute(dom: str, name: str) -> str:
    found = re.search(rf'{name}="([^"]*)"', dom)
    assert found, f"{name} not in the dumped DOM"
    return found.group(1)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def demo(saved: Saved, chat_server: FakeChat, tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The saved results of report_kit, a passing drill and a week of earlier runs in the history."""
    state = tmp_path_factory.mktemp("browser-state")
    chat_server.reset()
    drill = invoke("smoke", "--drill", "groq", cwd=saved.project.root, env=chat_env(chat_server, saved.project, state))
    assert drill.returncode in (0, 1), drill.stdout + drill.stderr  # 1: the 'title' prompt's expectation fails
    with State(state / "state.db") as db:
        for day, (score, p95, cost) in enumerate(EARLIER):
            run_id = db.start_run("report", time.time() - (len(EARLIER) - day) * 86400)
            db.finish_run(run_id, finished_at=time.time(), duration_s=1.0, failed=False,
                          summary={"score": score, "p95_ms": p95, "cost_per_request_usd": cost}, results=[])
    report = run_report(ReportRequest(root=saved.project.root, from_files=list(saved.files.values()), environ={"AICHECK_STATE_DIR": str(state)}))
    report.root = "~/src/chat-app"  # the screenshot shows where a user's project would be, not pytest's folder
    return report


def test_the_html_report_renders_in_chromium_fits_a_phone_and_prints(demo: Report, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    text = render_report(demo, "html")
    assert "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">" in text
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text, re.IGNORECASE)
    report = tmp_path / "report.html"
    report.write_text(text)
    shutil.copy(report, ARTIFACTS / "report.html")
    phone, desktop, pdf = ARTIFACTS / "report-phone.png", ARTIFACTS / "report-desktop.png", ARTIFACTS / "report.pdf"
    whole, charts = ARTIFACTS / "report-phone-full.png", ARTIFACTS / "report-phone-charts.png"
    for old in (phone, whole, charts, desktop, pdf):
        old.unlink(missing_ok=True)
    probe = chromium(probe_page(tmp_path / "probe.html", text), tmp_path / "probe", "--dump-dom")
    length = int(attribute(probe.stdout, "data-height-phone"))
    dom, shot_phone, shot_whole, shot_charts, shot_desktop, printed = in_parallel(
        (report, tmp_path / "dom", ["--dump-dom"]),
        (frame_page(tmp_path / "phone.html", report, *PHONE), tmp_path / "phone", [f"--window-size={PHONE[0]},{PHONE[1]}", f"--screenshot={phone}"]),
        (frame_page(tmp_path / "whole.html", report, PHONE[0], length), tmp_path / "whole", [f"--window-size={PHONE[0]},{length}", f"--screenshot={whole}"]),
        (frame_page(tmp_path / "charts.html", report, *PHONE, anchor="#latency"), tmp_path / "charts", [f"--window-size={PHONE[0]},{PHONE[1]}", f"--screenshot={charts}"]),
        (report, tmp_path / "desktop", [f"--window-size={DESKTOP[0]},{DESKTOP[1]}", f"--screenshot={desktop}"]),
        (report, tmp_path / "pdf", ["--no-pdf-header-footer", f"--print-to-pdf={pdf}"]),
    )
    for visit in (dom, shot_phone, shot_whole, shot_charts, shot_desktop, printed):
        assert visit.returncode == 0
        assert visit.console == [], visit.console
        assert visit.requests == [], visit.requests
    assert f'<text class="number" x="80" y="88" text-anchor="middle">{demo.score.value}</text>' in dom.stdout
    assert 'id="latency-chart"' in dom.stdout and 'id="trend-score"' in dom.stdout
    assert attribute(probe.stdout, "data-gauge-phone") == str(demo.score.value)
    widths = {name: attribute(probe.stdout, f"data-{name}").split("/") for name in ("phone", "desktop")}
    assert all(scroll == client for scroll, client in widths.values()), f"the report scrolls sideways: {widths}"
    assert png_size(phone) == PHONE == png_size(charts) and png_size(desktop) == DESKTOP and png_size(whole) == (PHONE[0], length)
    assert phone.stat().st_size > 20_000 and desktop.stat().st_size > 40_000  # drawn, not blank
    printed_pdf = pdf.read_bytes()
    assert printed_pdf.startswith(b"%PDF") and re.findall(rb"/Type\s*/Page(?!s)", printed_pdf)
    if os.environ.get("AICHECK_UPDATE_SCREENSHOT"):
        shutil.copy(desktop, ROOT / "docs" / "report-screenshot.png")


def test_the_checks_catch_a_page_that_loads_and_logs(tmp_path: Path) -> None:
    """The checks above can fail: a page with an outside image and a script is caught twice over."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/pixel.png"><script>console.error("boom")</script></body></html>')
    strict = tmp_path / "strict.html"
    strict.write_text(bad.read_text().replace("<body>", '<head><meta http-equiv="Content-Security-Policy" content="default-src \'none\'"></head><body>'))
    visit, blocked = in_parallel((bad, tmp_path / "bad", ["--dump-dom"]), (strict, tmp_path / "strict", ["--dump-dom"]))
    assert any('"boom"' in line for line in visit.console)
    assert visit.requests == ["http://127.0.0.1:9/pixel.png"]
    assert blocked.requests == [] and any("Content Security Policy" in line for line in blocked.console)
