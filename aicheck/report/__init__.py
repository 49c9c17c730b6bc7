"""``aicheck report``: the checks in one report, with a score, SLOs and trends.

``run_report`` is the entry point (``run``); ``score`` is the documented formula, ``slo`` compares
what smoke measured with ``[slo]``, ``history`` keeps each run in the state file for the trends.
Renderers live in ``aicheck.output.report*``.
"""

from __future__ import annotations

from aicheck.report.model import Deduction, Part, Report, Score
from aicheck.report.run import ReportRequest, run_report

__all__ = ["Deduction", "Part", "Report", "ReportRequest", "Score", "run_report"]
