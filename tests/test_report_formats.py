"""The report in each format: what a reader sees, and that nothing from a result can break out of it."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from aicheck.output import envelope
from aicheck.output.report import FORMATS, render_report
from aicheck.report import ReportRequest, run_report
from aicheck.report.model import RAN, Part, Report, TrendPoint
from aicheck.report.run import assemble
from aicheck.report.score import score
from tests.fakes.chat_fixtures import chat_server  # noqa: F401 - fixture
from tests.fakes.fixtures import provider_server  # noqa: F401 - fixture
from tests.report_kit import Saved

HOSTILE = '<script>alert("x")</script> | `tick` **bold** \x1b[31mred\x1b[0m https://evil.example/pixel.png'


@pytest.fixture(scope="module")
def built(saved: Saved, tmp_path_factory: pytest.TempPathFactory) -> Report:
    state = tmp_path_factory.mktemp("state")
    request = ReportRequest(root=saved.project.root, from_files=list(saved.files.values()), environ={"AICHECK_STATE_DIR": str(state)})
    run_report(request)
    return run_report(request)  # two runs: a trend to draw


def hostile(tmp_path: Path) -> Report:
    scan = [{"rule": "x", "rule_name": HOSTILE, "provider": None, "severity": "critical", "file": f"src/{HOSTILE}.ts", "line": 3,
             "secret_redacted": HOSTILE, "verification": {"status": "valid"}}]
    smoke = [{"name": HOSTILE, "status": "failed", "path_text": HOSTILE, "latency_ms": 12.5, "cost_usd": 0.0001,
              "assertions": [{"name": HOSTILE, "passed": False}], "path": [{"provider": HOSTILE, "outcome": "answered", "latency_ms": 12.5}]}]
    parts = [
        Part("scan", RAN, document=envelope("scan", "findings", scan, {"files_scanned": 1})),
        Part("env", "skipped", HOSTILE, source=""),
        Part("keys", "error", HOSTILE, source=""),
        Part("smoke", RAN, source=HOSTILE, document=envelope("smoke", "results", smoke, {"prompts": 1, "p95_ms": 12.5,
              "providers": [{"provider": HOSTILE, "position": 1, "rate_limit": {HOSTILE: {"remaining": 1, "limit": 100, "reset": HOSTILE}}}]})),
    ]
    from aicheck import config

    report = assemble(parts, config.Config(None), ReportRequest(root=tmp_path, record=False), {"AICHECK_STATE_DIR": str(tmp_path)}, 0.0)
    report.notes.append(HOSTILE)
    report.trends = [TrendPoint(1, "2025-01-01T00:00:00Z", 80, 100.0, 0.001), TrendPoint(2, "2025-01-02T00:00:00Z", 20, None, 0.002)]
    return report


def test_every_format_renders_the_score(built: Report) -> None:
    for fmt in FORMATS:
        text = render_report(built, fmt)
        assert f"{built.score.value}/100" in text or f'"score": {built.score.value}' in text, fmt


def test_text(built: Report) -> None:
    text = render_report(built, "text", width=110)
    assert text.startswith("╭─ aicheck report") and "\x1b" not in text
    for heading in ("Deductions", "Checks", "Live keys (aicheck keys validate)", "Smoke through the chain (aicheck smoke)", "Service levels", "Trends (last 2 report runs)"):
        assert heading in text
    assert "aicheck smoke --drill groq" in text and re.search(r"score\s+▄▄\s+\d+\s+\d+", text)
    assert "\x1b[" in render_report(built, "text", color=True)


def test_json_is_the_common_envelope(built: Report) -> None:
    document = json.loads(render_report(built, "json"))
    assert {k: document[k] for k in ("tool", "schema", "command")} == {"tool": "aicheck", "schema": 1, "command": "report"}
    assert [part["name"] for part in document["results"]] == ["scan", "env", "keys", "smoke", "code"]
    summary = document["summary"]
    assert summary["score"] == built.score.value and summary["grade"] == built.score.grade
    assert {"points", "reason", "command", "check"} <= set(summary["deductions"][0])
    assert [slo["name"] for slo in summary["slo"]] == ["availability", "p95_latency_ms", "error_rate", "cost_per_request_usd"]
    assert summary["fallback"]["status"] == "not proven" and len(summary["trends"]) == 2 and summary["latency"][0]["samples"]


def test_no_format_holds_a_key(built: Report, saved: Saved) -> None:
    for fmt in FORMATS:
        text = render_report(built, fmt)
        for key in saved.project.keys.values():
            assert key not in text and key[4:20] not in text, fmt


def test_markdown_fits_a_step_summary_and_a_comment(built: Report) -> None:
    text = render_report(built, "markdown")
    assert text.startswith(f"## 🔴 aicheck report: {built.score.value}/100\n") or text.startswith("## 🟡") or text.startswith("## 🟢")
    assert "### Deductions" in text and "- **-15**: the OpenAI key" in text
    assert "<details><summary>Smoke through the chain: 8 prompts" in text and text.count("<details>") == text.count("</details>")
    assert "| p95 latency | ≤ 250 ms |" in text and len(text) < 65536


def test_markdown_stops_long_tables_and_names_the_command() -> None:
    items = [{"id": "env.placeholder", "title": "Placeholder value", "severity": "high", "file": ".env", "line": n} for n in range(1, 31)]
    parts = [Part("env", RAN, document=envelope("env check", "findings", items, {"findings": 30})), *(Part(n, "skipped", "--skip") for n in ("scan", "keys", "smoke"))]
    report = Report(parts, score(parts))
    text = render_report(report, "markdown")
    assert text.count("| high |") == 0 and text.count("| 🔴 high |") == 20 and "… and 10 more: run `aicheck env check`" in text


def test_hostile_text_stays_text_in_markdown(tmp_path: Path) -> None:
    text = render_report(hostile(tmp_path), "markdown")
    assert "<script>" not in text and "\x1b" not in text
    columns = 0
    for line in text.splitlines():
        if not line.startswith("|"):
            columns = 0
            continue
        cells = len(re.split(r"(?<!\\)\|", line))  # a pipe inside a cell is escaped: it splits nothing
        columns = columns or cells
        assert cells == columns, line
    assert "evil" in text


def test_hostile_text_stays_text_in_the_terminal(tmp_path: Path) -> None:
    text = render_report(hostile(tmp_path), "text", color=True)
    assert "\x1b[31mred" not in text and "\\x1b[31mred" in text


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.csp: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        self.urls += [value or "" for name, value in attrs if name in ("src", "href", "srcset", "action", "poster", "data", "xlink:href")]
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp = values.get("content")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def test_html_is_one_self_contained_file(built: Report) -> None:
    html = render_report(built, "html")
    page = parse(html)
    assert page.csp == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    assert "script" not in page.tags and "link" not in page.tags and "iframe" not in page.tags and "img" not in page.tags
    assert page.urls == [] and not re.search(r"url\(|@import|@font-face", html)
    assert {"score-gauge", "latency-chart", "trend-score", "trend-p95", "trend-cost"} <= set(re.findall(r'id="([^"]+)"', html))
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html and "@media print" in html


def test_hostile_text_stays_text_in_html(tmp_path: Path) -> None:
    html = render_report(hostile(tmp_path), "html")
    page = parse(html)
    assert "script" not in page.tags and page.urls == []
    assert html.count("&lt;script&gt;") >= 8 and "\x1b" not in html
    assert any(HOSTILE.replace("\x1b", "\\x1b") in chunk for chunk in page.text)
