"""Report runs in the state file's run history, and the trends they make.

Each report run is one ``runs`` row (command ``report``) whose summary holds the score, p95
latency and cost per request; the trend is the last ``TREND_RUNS`` of them, oldest first.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from aicheck.report.model import Report, TrendPoint

if TYPE_CHECKING:
    from aicheck.state import State

COMMAND = "report"
TREND_RUNS = 10
SMOKE_RUNS = 20  # earlier smoke runs searched for a passing drill


def record(state: State, report: Report, started_at: float) -> int:
    """Store the report run; returns its id."""
    run_id = state.start_run(COMMAND, started_at)
    finished = time.time()
    state.finish_run(run_id, finished_at=finished, duration_s=finished - started_at, failed=report.failed,
                     summary=entry(report), results=[d.to_dict() for d in report.score.deductions])
    return run_id


def entry(report: Report) -> dict[str, Any]:
    """What a run keeps for later trends: small, and enough to draw them."""
    summary = report.summary()
    return {
        "score": report.score.value, "grade": report.score.grade,
        "p95_ms": summary["p95_ms"], "cost_per_request_usd": summary["cost_per_request_usd"],
        "parts": {part.name: part.status for part in report.parts},
        "deductions": len(report.score.deductions),
    }


def trends(state: State, limit: int = TREND_RUNS) -> list[TrendPoint]:
    """The last ``limit`` report runs, oldest first."""
    return [point(run) for run in reversed(state.runs(COMMAND, limit))]


def smoke_runs(state: State, limit: int = SMOKE_RUNS) -> list[dict[str, Any]]:
    return state.runs("smoke", limit)


def point(run: dict[str, Any]) -> TrendPoint:
    summary = run.get("summary") or {}
    score = summary.get("score")
    return TrendPoint(
        int(run["id"]), str(run.get("started_at") or ""),
        score if isinstance(score, int) and not isinstance(score, bool) else None,
        _float(summary.get("p95_ms")), _float(summary.get("cost_per_request_usd")),
    )


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
