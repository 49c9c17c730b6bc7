"""Scan results as DESIGN.md's JSON envelope."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from aicheck.output import common, envelope

if TYPE_CHECKING:
    from aicheck.output.common import Options
    from aicheck.scan.finding import ScanResult


def render(result: ScanResult, options: Options) -> str:
    findings = [f.to_dict(options.show_secrets) for f in common.ordered(result.findings)]
    document = envelope("scan", "findings", findings, result.summary())
    # ASCII only: any file name (even undecodable bytes) can be written to any stream.
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"
