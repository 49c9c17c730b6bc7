"""Helpers for the ``aicheck code`` tests: write an app's files, run the checks, list what was found."""

from __future__ import annotations

import textwrap
from pathlib import Path

from aicheck.code.result import CodeResult
from aicheck.code.run import CodeRequest, run_code


def write_app(root: Path, files: dict[str, str]) -> Path:
    for rel, source in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return root


def run(root: Path, files: dict[str, str], **kwargs: object) -> CodeResult:
    write_app(root, files)
    return run_code(CodeRequest([root], **kwargs))  # type: ignore[arg-type]


def found(result: CodeResult, *, fallback: bool = False) -> set[tuple[str, str, int]]:
    """(rule, file, line) of each finding; the app-wide fallback note only when asked for."""
    return {(item.rule, item.file, item.line) for item in result.findings if fallback or item.rule != "llm-no-fallback"}


def line_of(source: str, marker: str) -> int:
    """The line (1-based) of the first line holding ``marker`` in the dedented source."""
    lines = textwrap.dedent(source).lstrip("\n").splitlines()
    return next(number for number, text in enumerate(lines, 1) if marker in text)
