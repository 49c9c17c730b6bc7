"""``aicheck trust``: review this repository's config and trust its exact bytes (DESIGN.md, "Trust")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aicheck.cli.common import (
    Common, ConfigOpt, ExitZeroOpt, ListFormat, ListFormatOpt, NoColorOpt, OutputOpt, QuietOpt, VerboseOpt, emit, exit_code, guarded,
)
from aicheck.errors import EXIT_CLEAN, AicheckError

if TYPE_CHECKING:
    from aicheck.trust import Review


@guarded
def trust(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Trust without asking (after reading what it shows).")] = False,
    list_: Annotated[bool, typer.Option("--list", help="List the trusted files and whether each is unchanged.")] = False,
    revoke: Annotated[bool, typer.Option("--revoke", help="Stop trusting this repository's config.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Same as --format json: what the config would do (nothing is trusted unless --yes).")] = False,
    config: ConfigOpt = None,
    format: ListFormatOpt = ListFormat.text,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    no_color: NoColorOpt = False,
    exit_zero: ExitZeroOpt = False,
) -> int:
    """Show what this repository's aicheck.toml would do with your keys, and trust that exact file."""
    from aicheck import config as config_mod
    from aicheck import trust as trust_mod

    if list_:
        return _list()
    path = config_mod.find(Path.cwd(), config)
    if path is None:
        raise AicheckError("no aicheck.toml (or [tool.aicheck] in pyproject.toml) here to trust; pass --config FILE")
    if revoke:
        removed = trust_mod.revoke(path)
        typer.echo(f"{path}: {'no longer trusted' if removed else 'was not trusted'}")
        return EXIT_CLEAN
    common = Common(config, "json" if json_out else format.value, output, quiet, verbose, no_color, exit_zero)
    data = config_mod.read_bytes(path)
    review = trust_mod.review(config_mod.from_bytes(path, data, Path.cwd()), data)
    if common.format == "json":
        emit(common, json.dumps(review.to_dict(), indent=2))
    elif common.format == "markdown":
        emit(common, "\n".join(f"    {line}" for line in _describe(review).splitlines()))
    elif not (quiet and yes):
        emit(common, _describe(review))
    if review.trusted:
        typer.echo(f"{path}: already trusted (sha256 {review.sha256[:16]}…)", err=common.format != "text")
        return EXIT_CLEAN
    if not yes and not _confirmed(f"Trust {path} as it is now?"):
        typer.echo(f"{path}: not trusted", err=True)
        return exit_code(common, failed=True)
    trust_mod.record(path, review.sha256)
    typer.echo(f"{path}: trusted (sha256 {review.sha256[:16]}…, recorded in {trust_mod.config_dir()}); any edit un-trusts it",
               err=common.format != "text")
    return EXIT_CLEAN


def _confirmed(question: str) -> bool:
    try:
        return typer.confirm(question, default=False, err=True)
    except typer.Abort:  # end of input: no answer is no
        typer.echo("", err=True)
        return False


def _describe(review: Review) -> str:
    from aicheck.transport import Refused, parse_origin

    def shown(host: str) -> str:
        url = host.split(": ", 1)[-1]
        try:
            parse_origin(url)
        except Refused as exc:
            return f"{host}  (never used, even trusted: {str(exc).split(': ', 1)[-1]})"
        return host

    lines = [f"{review.path} (sha256 {review.sha256[:16]}…)"]
    lines += ["Keys would be sent to:", *(f"  {shown(host)}" for host in review.hosts or ["(no provider configured)"])]
    lines += ["Variables read as keys:", *(f"  {name}" for name in review.variables or ["(none beyond the catalog's)"])]
    lines += ["Env files read:", *(f"  {name}" for name in review.files or ["(the .env files in the repository)"])]
    if review.risks:
        lines.append("Needs trust, because:")
        lines += [f"  {risk.setting}: {risk.what}" for risk in review.risks]
    else:
        lines.append("Nothing here needs trust: keys go only to the providers' official hosts.")
    return "\n".join(lines)


def _list() -> int:
    from aicheck import trust as trust_mod

    entries = trust_mod.records()
    if not entries:
        typer.echo(f"No trusted files (records in {trust_mod.config_dir()}).")
    for entry in entries:
        path = Path(entry.path)
        try:
            now = trust_mod.digest(path.read_bytes())
            state = "unchanged" if now == entry.sha256 else "changed since: not trusted"
        except OSError:
            state = "missing"
        typer.echo(f"{entry.path}  sha256 {entry.sha256[:16]}…  trusted {entry.trusted_at}  ({state})")
    return EXIT_CLEAN
