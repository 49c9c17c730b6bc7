"""Report runs kept in the state file, the trends they draw, and what earlier smoke runs prove."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from aicheck.report import ReportRequest, run_report
from aicheck.report.history import TREND_RUNS
from aicheck.state import State
from tests.fakes.chat import FakeChat

from tests.fakes.fixtures import provider_server  # noqa: F401 - fixture
from tests.report_kit import Saved, chat_env, invoke, make_project, run


def smoke_variant(saved: Saved, folder: Path, p95: float, cost: float) -> Path:
    """The saved smoke JSON as a later run with other figures would have written it."""
    document = json.loads(saved.files["smoke"].read_text())
    document["summary"].update(p95_ms=p95, cost_per_request_usd=cost)
    path = folder / f"smoke-{p95}.json"
    path.write_text(json.dumps(document))
    return path


def report(saved: Saved, state: Path, *files: Path, **kwargs: Any) -> Any:
    paths = list(files) or [saved.files["smoke"]]
    return run_report(ReportRequest(root=saved.project.root, from_files=[saved.files["scan"], *paths], environ={"AICHECK_STATE_DIR": str(state)}, **kwargs))


def test_each_run_is_kept_and_the_trend_follows_score_latency_and_cost(saved: Saved, tmp_path: Path) -> None:
    state = tmp_path / "state"
    figures = [(900.0, 0.0004), (450.0, 0.0003), (180.0, 0.0002)]
    reports = [report(saved, state, smoke_variant(saved, tmp_path, p95, cost)) for p95, cost in figures]
    last = reports[-1]
    assert [p.p95_ms for p in last.trends] == [900.0, 450.0, 180.0]
    assert [p.cost_per_request_usd for p in last.trends] == [0.0004, 0.0003, 0.0002]
    assert [p.score for p in last.trends] == [r.score.value for r in reports]
    assert reports[0].score.value < reports[-1].score.value  # the p95 SLO (250 ms) is met at last
    assert [p.run_id for p in last.trends] == [r.run_id for r in reports]
    with State(state / "state.db") as db:
        runs = db.runs("report")
    assert len(runs) == 3 and runs[0]["summary"]["score"] == last.score.value and runs[0]["results"][0]["points"] > 0


def test_the_trend_shows_the_last_runs_only(saved: Saved, tmp_path: Path) -> None:
    state = tmp_path / "state"
    for _ in range(TREND_RUNS + 2):
        last = report(saved, state)
    assert len(last.trends) == TREND_RUNS and last.trends[-1].run_id == last.run_id


def test_history_shows_in_every_format(saved: Saved, tmp_path: Path) -> None:
    state = tmp_path / "state"
    for p95, cost in ((900.0, 0.0004), (180.0, 0.0002)):
        report(saved, state, smoke_variant(saved, tmp_path, p95, cost))
    files = [str(saved.files["scan"]), str(smoke_variant(saved, tmp_path, 300.0, 0.0003))]
    text = run("--from", *files, cwd=saved.project.root, state=state).stdout
    assert "Trends (last 3 report runs)" in text and "█▁▂" in text and "900 ms" in text
    markdown = run("--from", *files, "--format", "markdown", cwd=saved.project.root, state=state).stdout
    assert "### Trends (last 4 runs)" in markdown and "| p95 latency | `█▁▂▂` | 900 ms | 300 ms |" in markdown
    html = run("--from", *files, "--format", "html", cwd=saved.project.root, state=state).stdout
    assert html.count("<polyline") == 3 and "The last 5 report runs, oldest left." in html
    document = json.loads(run("--from", *files, "--format", "json", cwd=saved.project.root, state=state).stdout)
    assert [p["p95_ms"] for p in document["summary"]["trends"]] == [900.0, 180.0, 300.0, 300.0, 300.0, 300.0]


def test_a_passing_drill_of_an_earlier_smoke_run_proves_the_fallback(chat: FakeChat, saved: Saved, tmp_path: Path) -> None:
    state = tmp_path / "state"
    project = make_project(tmp_path / "app", smoke_prompts=False)
    before = report(saved, state)
    assert before.fallback.status == "not proven" and "no smoke drill yet" in before.fallback.detail
    drill = invoke("smoke", "--drill", "groq", cwd=project.root, env=chat_env(chat, project, state))
    assert drill.returncode == 0, drill.stdout + drill.stderr
    after = report(saved, state)
    assert after.fallback.status == "proven" and "with groq/llama-3.3-70b-versatile failing on purpose, 1/1 prompts were answered by a fallback" in after.fallback.detail
    assert "the smoke run of " in after.fallback.detail
    assert not [d for d in after.score.deductions if d.check == "fallback"]


def test_a_drill_in_the_reports_own_smoke_proves_it_too(chat: FakeChat, saved: Saved, tmp_path: Path) -> None:
    project = make_project(tmp_path / "app", smoke_prompts=False)
    out = tmp_path / "drill.json"
    invoke("smoke", "--drill", "groq", "--format", "json", "--output", str(out), cwd=project.root, env=chat_env(chat, project, tmp_path / "other"))
    proven = report(saved, tmp_path / "state", out)
    assert proven.fallback.status == "proven" and "(this report's smoke)" in proven.fallback.detail
    chat.script("openrouter", *[_unavailable()] * 3)
    failed = tmp_path / "failed.json"
    invoke("smoke", "--drill", "groq", "--no-cache", "--format", "json", "--output", str(failed), cwd=project.root, env=chat_env(chat, project, tmp_path / "other"))
    unproven = report(saved, tmp_path / "fresh", failed)
    assert unproven.fallback.status == "not proven" and "did not show a fallback answering every prompt" in unproven.fallback.detail


def _unavailable() -> Any:
    from tests.fakes.chat import unavailable

    return unavailable()


def test_without_smoke_the_budget_comes_from_the_spend_ledger(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app", smoke_prompts=False)
    state = tmp_path / "state"
    with State(state / "state.db") as db:
        db.record_spend("groq", "llama-3.3-70b-versatile", 0.96, at=time.time())
    result = run_report(ReportRequest(root=project.root, offline=True, environ={"AICHECK_STATE_DIR": str(state)}))
    assert result.budget is not None and (result.budget.source, result.budget.spent_today_usd, result.budget.per_day_usd) == ("state file", 0.96, 1.0)
    assert [d.reason for d in result.score.deductions if d.check == "budget"] == ["today's spend $0.9600 is 96 % of the $1.00 daily budget"]


def test_a_state_file_that_cannot_be_opened_only_costs_the_history(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app", smoke_prompts=False)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    out = run("--offline", cwd=project.root, state=blocker)
    assert out.returncode == 0 and "History not kept:" in out.stdout and "Trends" not in out.stdout
