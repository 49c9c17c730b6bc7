"""``aicheck init``: look at the repository, write a starter aicheck.toml, show the CI snippets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aicheck.cli.common import guarded


@guarded
def init(
    path: Annotated[Path, typer.Argument(help="The project root (default: .).", file_okay=False)] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist already.")] = False,
    write_precommit: Annotated[bool, typer.Option("--write-precommit", help="Write .pre-commit-config.yaml instead of printing its lines.")] = False,
    write_workflow: Annotated[bool, typer.Option("--write-workflow", help="Write .github/workflows/aicheck.yml instead of printing it.")] = False,
) -> int:
    """Write a starter aicheck.toml (chain, smoke prompts, SLOs) and show pre-commit and CI snippets."""
    from aicheck.init import run_init

    result = run_init(path, force=force, write_precommit=write_precommit, write_workflow=write_workflow)
    found = result.discovery
    typer.echo(f"Found: frameworks {', '.join(found.frameworks) or 'none'}; "
               f"providers {', '.join(found.providers) or 'none'}; env files {', '.join(found.env_files) or 'none'}.")
    for name in result.written:
        typer.echo(f"wrote {name}")
    for name in result.kept:
        typer.echo(f"kept {name} (exists; --force overwrites it)")
    for name, text in result.snippets.items():
        typer.echo(f"\n# {name}\n{text.rstrip()}")
    return 0
