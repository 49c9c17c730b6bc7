"""Every command has help text, and README.md mentions every command and every flag."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from aicheck.cli import _build_app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    for name, command in sorted(getattr(group, "commands", {}).items()):
        yield (*path, name), command
        yield from _commands(command, (*path, name))


COMMANDS = list(_commands(typer.main.get_command(_build_app())))


def test_the_contract_commands_exist() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"scan", "keys", "keys validate", "keys providers", "env", "env check", "smoke", "report", "init"} <= names


@pytest.mark.parametrize("path", [path for path, _ in COMMANDS], ids=" ".join)
def test_help_text(path: tuple[str, ...]) -> None:
    out = subprocess.run([sys.executable, "-m", "aicheck", *path, "--help"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert f"Usage: aicheck {' '.join(path)}" in out.stdout
    command = dict(COMMANDS)[path]
    assert command.help and command.help.strip(), f"aicheck {' '.join(path)} has no help text"


@pytest.mark.parametrize("path", [path for path, _ in COMMANDS], ids=" ".join)
def test_readme_mentions_command_and_flags(path: tuple[str, ...]) -> None:
    assert f"aicheck {' '.join(path)}" in README
    command = dict(COMMANDS)[path]
    flags = [opt for param in getattr(command, "params", []) for opt in param.opts if opt.startswith("--")]
    missing = [flag for flag in flags if flag not in ("--help",) and f"`{flag}" not in README and f"{flag} " not in README]
    assert not missing, f"README.md does not mention {missing} of aicheck {' '.join(path)}"
