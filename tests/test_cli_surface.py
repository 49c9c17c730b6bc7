"""One CLI surface: every command takes the common flags, offers only the formats it can write,
and every command line README.md shows (and every version it pins) exists."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from aicheck.cli import _build_app
from aicheck.output import FORMATS as SCAN_FORMATS
from aicheck.output.env import FORMATS as ENV_FORMATS
from aicheck.output.keys import FORMATS as KEYS_FORMATS
from aicheck.output.report import FORMATS as REPORT_FORMATS
from aicheck.output.smoke import FORMATS as SMOKE_FORMATS
from aicheck.init import templates

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
COMMON = ("--config", "--format", "--output", "--quiet", "--verbose", "--no-color", "--exit-zero")
FORMATS = {
    "scan": SCAN_FORMATS, "env check": ENV_FORMATS, "keys validate": KEYS_FORMATS, "smoke": SMOKE_FORMATS,
    "report": REPORT_FORMATS, "keys providers": ("text", "json", "markdown"), "init": ("text", "json", "markdown"),
    "code": SCAN_FORMATS, "trust": ("text", "json", "markdown"), "catalog update": ("text", "json", "markdown"), "sweep": ("text", "json", "sarif", "html"),
}


def _leaves(group: Any, path: tuple[str, ...] = ()) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, command in getattr(group, "commands", {}).items():
        if getattr(command, "commands", None):
            found |= _leaves(command, (*path, name))
        else:
            found[" ".join((*path, name))] = command
    return found


COMMANDS = _leaves(typer.main.get_command(_build_app()))


def options(command: Any) -> dict[str, Any]:
    return {opt: param for param in command.params for opt in (*param.opts, *param.secondary_opts)}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_takes_the_common_flags(name: str) -> None:
    assert set(COMMON) <= set(options(COMMANDS[name])), f"aicheck {name} lacks {set(COMMON) - set(options(COMMANDS[name]))}"


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_format_offers_exactly_what_the_command_writes(name: str) -> None:
    choices = options(COMMANDS[name])["--format"].type.choices
    assert tuple(choices) == tuple(FORMATS[name])
    help_text = subprocess.run([sys.executable, "-m", "aicheck", *name.split(), "--help"], capture_output=True, text=True).stdout
    assert ("sarif" in help_text) == ("sarif" in FORMATS[name])


def test_write_baseline_exits_0_after_writing(tmp_path: Path) -> None:
    from tests.keygen import KEYGEN

    (tmp_path / "app.py").write_text(f'KEY = "{KEYGEN["groq-api-key"]()}"\n')
    out = subprocess.run([sys.executable, "-m", "aicheck", "scan", "--write-baseline", "base.json"], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0 and (tmp_path / "base.json").is_file(), out.stderr
    again = subprocess.run([sys.executable, "-m", "aicheck", "scan", "--baseline", "base.json"], cwd=tmp_path, capture_output=True, text=True)
    assert again.returncode == 0


def test_init_takes_json_output_and_a_config_name(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "aicheck", "init", "--config", "ci/aicheck.toml", "-f", "json", "-o", "init.json"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "ci/aicheck.toml").is_file() and '"command": "init"' in (tmp_path / "init.json").read_text()


def readme_command_lines() -> list[tuple[str, list[str]]]:
    """Each ``aicheck <command> --flag ...`` README.md shows (code blocks and inline code)."""
    found = []
    spans = re.findall(r"```[a-z]*\n(.*?)```", README, re.DOTALL) + re.findall(r"`([^`\n]*aicheck [^`\n]*)`", README)
    names = sorted(COMMANDS, key=len, reverse=True)
    for span in spans:
        for line in span.splitlines():
            for match in re.finditer(r"\baicheck ((?:[a-z]+ ?){1,2})(.*)", line.split(" # ")[0]):
                name = next((n for n in names if f"{match.group(1)} ".startswith(f"{n} ")), None)
                if name is None:
                    continue
                rest = match.group(2).split("|")[0].split("&&")[0].split("||")[0]
                try:
                    tokens = shlex.split(f"{match.group(1)[len(name):]} {rest}")
                except ValueError:
                    tokens = rest.split()
                found.append((name, [t.split("=")[0].rstrip("`.,;:)") for t in tokens if t.startswith("--")]))
    return found


def test_every_readme_command_and_flag_exists() -> None:
    lines = readme_command_lines()
    assert len(lines) > 40  # the test reads README.md's commands, not nothing
    wrong = [(name, flag) for name, flags in lines for flag in flags if flag not in options(COMMANDS[name]) and flag != "--help"]
    assert not wrong, f"README.md shows flags these commands do not have: {wrong}"


def pinned_versions() -> list[str]:
    texts = [README, templates.PRE_COMMIT, templates.workflow(templates_discovery())]
    refs = []
    for text in texts:
        refs += re.findall(r"^\s*rev:\s*([^\s#]+)", text, re.MULTILINE)
        refs += re.findall(r"uses:\s*aicheck/aicheck@([^\s#]+)", text)
    return refs


def templates_discovery() -> Any:
    from aicheck.init.discover import Discovery

    return Discovery(ROOT)


def test_readme_and_init_pin_versions_that_exist() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to resolve the pinned versions in")
    refs = pinned_versions()
    assert refs, "no pinned version found: the test reads nothing"
    for ref in refs:
        known = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=ROOT, capture_output=True)
        assert known.returncode == 0, f"{ref}: neither a tag nor a commit of this repository"
    assert not re.search(r"pip install aicheck\b(?!\[)", README), "the PyPI name 'aicheck' belongs to another project"
