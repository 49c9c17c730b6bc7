"""Helpers for the env check tests: real files in a temporary folder, one run, findings by id."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from aicheck.env.finding import EnvFinding, EnvResult
from aicheck.env.run import EnvRequest, run_env


def write(root: Path, files: Mapping[str, str | bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


def check(
    root: Path,
    *,
    files: list[str] | None = None,
    example: str | None = None,
    production: bool = False,
    environ: Mapping[str, str] | None = None,
    config: str | None = None,
) -> EnvResult:
    """One run with an empty environment unless given: results must not depend on the machine."""
    request = EnvRequest(
        root=root, files=[root / f for f in files or []], example=root / example if example else None,
        production=production, environ={} if environ is None else environ,
        config=root / config if config else None,
    )
    return run_env(request)


def found(result: EnvResult, check_id: str) -> list[EnvFinding]:
    return [item for item in result.findings if item.check == check_id]


def lines(result: EnvResult, check_id: str) -> list[int]:
    return [item.line for item in found(result, check_id)]


def keys(result: EnvResult, check_id: str) -> list[str | None]:
    return [item.key for item in found(result, check_id)]


def aicheck(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aicheck", *args], cwd=cwd, capture_output=True, text=True, timeout=60,
        env=None if env is None else dict(env),
    )


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str


def invoke(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> Outcome:
    """The CLI in this process (typer's runner): the same code path as a real run, without the
    half-second start of a new interpreter. ``subprocess`` tests keep the real process honest."""
    from typer.testing import CliRunner

    from aicheck.cli import _build_app

    environment = {"NO_COLOR": "1", "FORCE_COLOR": None} | {k: v for k, v in (env or {}).items()}
    cleared = {name: None for name in os.environ if name.startswith("DOTENV_PRIVATE_KEY")}
    with _chdir(cwd):
        result = CliRunner().invoke(_build_app(), list(args), env=cleared | environment)
    return Outcome(result.exit_code, result.stdout, result.stderr)


@contextmanager
def _chdir(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)
