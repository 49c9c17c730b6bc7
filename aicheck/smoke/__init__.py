"""``aicheck smoke``: the smoke prompts of ``[[smoke]]`` through the fallback chain.

``run_smoke`` is the entry point (the report calls it too); ``prompts`` reads the prompts and
their expectations, ``expect`` checks an answer, ``report`` holds the results.
"""

from __future__ import annotations

from aicheck.smoke.report import PromptResult, ProviderStats, SmokeReport
from aicheck.smoke.run import SmokeOptions, run_smoke

__all__ = ["PromptResult", "ProviderStats", "SmokeOptions", "SmokeReport", "run_smoke"]
