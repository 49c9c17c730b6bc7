"""``aicheck keys providers``: the catalog as a table, JSON or markdown."""

from __future__ import annotations

import io
import json
from typing import Any

from aicheck.catalog import Catalog, Provider
from aicheck.errors import AicheckError


def _row(provider: Provider) -> dict[str, Any]:
    return {
        "id": provider.id,
        "name": provider.name,
        "api_style": provider.api_style,
        "base_url": provider.base_url,
        "env_vars": list(provider.env_vars),
        "key_formats": [{"rule": r.id, "name": r.name, "description": r.description} for r in provider.rules],
    }


def render_providers(cat: Catalog, fmt: str, color: bool = False) -> str:
    rows = [_row(p) for p in cat.providers]
    if fmt == "json":
        from aicheck.output import envelope

        summary = {"providers": len(rows), "rules": len(cat.rules)}
        return json.dumps(envelope("keys providers", "results", rows, summary), indent=2)
    if fmt == "markdown":
        return _markdown(rows)
    if fmt == "text":
        return _text(rows, len(cat.rules), color)
    raise AicheckError(f"--format {fmt} is not available for 'keys providers' (use text, json or markdown)")


def _markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| Provider | Id | Env vars | Key formats |", "|---|---|---|---|"]
    for row in rows:
        formats = "<br>".join(f["description"] for f in row["key_formats"])
        lines.append(f"| {row['name']} | `{row['id']}` | {', '.join(row['env_vars'])} | {formats} |")
    return "\n".join(lines) + "\n"


def _text(rows: list[dict[str, Any]], rule_count: int, color: bool) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="AI providers in the catalog", show_lines=False)
    for header in ("Provider", "Id", "Env vars", "Key formats"):
        table.add_column(header, overflow="fold")
    for row in rows:
        formats = "\n".join(f["name"] for f in row["key_formats"])
        table.add_row(row["name"], row["id"], "\n".join(row["env_vars"]), formats)
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, color_system="standard" if color else None, highlight=False)
    console.print(table)
    console.print(f"{len(rows)} providers, {rule_count} credential rules in all.")
    return buffer.getvalue()
