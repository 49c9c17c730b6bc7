"""``aicheck init``: look at the repository, write a starter aicheck.toml, show the CI snippets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aicheck.cli.common import (
    Common, ConfigOpt, ExitZeroOpt, ListFormat, ListFormatOpt, NoColorOpt, OutputOpt, QuietOpt, VerboseOpt, emit, guarded,
)

if TYPE_CHECKING:
    from aicheck.init import InitResult


@guarded
def init(
    path: Annotated[Path, typer.Argument(help="The project root (default: .).", file_okay=False)] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist already.")] = False,
    write_precommit: Annotated[bool, typer.Option("--write-precommit", help="Write .pre-commit-config.yaml instead of printing its lines.")] = False,
    write_workflow: Annotated[bool, typer.Option("--write-workflow", help="Write .github/workflows/aicheck.yml instead of printing it.")] = False,
    config: ConfigOpt = None,
    format: ListFormatOpt = ListFormat.text,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    no_color: NoColorOpt = False,
    exit_zero: ExitZeroOpt = False,
) -> int:
    """Write a starter aicheck.toml (chain, smoke prompts, SLOs) and show pre-commit and CI snippets.

    --config names the file to write instead of aicheck.toml (inside the project root)."""
    from aicheck.errors import AicheckError
    from aicheck.init import run_init

    common = Common(config, format.value, output, quiet, verbose, no_color, exit_zero)
    name = "aicheck.toml"
    if config is not None:
        try:
            name = (config if config.is_absolute() else path / config).resolve().relative_to(path.resolve()).as_posix()
        except ValueError:
            raise AicheckError(f"--config {config}: init writes the config inside the project root ({path})") from None
    result = run_init(path, force=force, write_precommit=write_precommit, write_workflow=write_workflow, config_name=name)
    if not quiet:
        emit(common, _render(result, common.format))
    return 0


def _render(result: InitResult, fmt: str) -> str:
    found = result.discovery
    if fmt == "json":
        from aicheck.output import envelope

        summary = {"frameworks": found.frameworks, "providers": found.providers, "env_files": found.env_files}
        items = [{"file": name, "action": "written"} for name in result.written] + [{"file": name, "action": "kept"} for name in result.kept]
        document = envelope("init", "results", items, summary)
        document["snippets"] = result.snippets
        return json.dumps(document, indent=2)
    lines = [f"Found: frameworks {', '.join(found.frameworks) or 'none'}; "
             f"providers {', '.join(found.providers) or 'none'}; env files {', '.join(found.env_files) or 'none'}."]
    lines += [f"wrote {name}" for name in result.written]
    lines += [f"kept {name} (exists; --force overwrites it)" for name in result.kept]
    for name, text in result.snippets.items():
        lines += ["", f"### {name}", "", "```yaml", text.rstrip(), "```"] if fmt == "markdown" else ["", f"# {name}", text.rstrip()]
    return "\n".join(lines)
