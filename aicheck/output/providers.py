"""``aicheck keys providers``: the catalog as a table, JSON or markdown."""

from __future__ import annotations

import io
import json
from typing import Any

from aicheck.catalog import Catalog, Provider
from aicheck.catalog.models import ModelFacts, lifecycle
from aicheck.errors import AicheckError


def _row(provider: Provider, models: ModelFacts) -> dict[str, Any]:
    default = provider.default_model
    standing = lifecycle(provider.id, default, data=models) if default else None
    return {
        "id": provider.id,
        "name": provider.name,
        "api_style": provider.api_style,
        "base_url": provider.base_url,
        "env_vars": list(provider.env_vars),
        "key_formats": [{"rule": r.id, "name": r.name, "description": r.description} for r in provider.rules],
        "default_model": default,
        "default_model_status": standing.state if standing else None,
        "source": provider.source,
        "checked": provider.checked,
    }


def render_providers(cat: Catalog, fmt: str, color: bool = False, models: ModelFacts | None = None) -> str:
    from aicheck.catalog.models import facts

    models = models or facts()
    rows = [_row(p, models) for p in cat.providers]
    data = {"source": models.source, "date": models.date}
    if fmt == "json":
        from aicheck.output import envelope

        summary = {"providers": len(rows), "rules": len(cat.rules), "model_data": data}
        return json.dumps(envelope("keys providers", "results", rows, summary), indent=2)
    if fmt == "markdown":
        return _markdown(rows) + f"\nModel data: {data['source']}, {data['date']}.\n"
    if fmt == "text":
        return _text(rows, len(cat.rules), color, data)
    raise AicheckError(f"--format {fmt} is not available for 'keys providers' (use text, json or markdown)")


def _markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| Provider | Id | Env vars | Key formats | Default model | Checked |", "|---|---|---|---|---|---|"]
    for row in rows:
        formats = "<br>".join(f["description"] for f in row["key_formats"])
        default = f"`{row['default_model']}`" if row["default_model"] else ""
        lines.append(f"| {row['name']} | `{row['id']}` | {', '.join(row['env_vars'])} | {formats} | {default} | {row['checked']} |")
    return "\n".join(lines) + "\n"


def _text(rows: list[dict[str, Any]], rule_count: int, color: bool, data: dict[str, str]) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="AI providers in the catalog", show_lines=False)
    for header in ("Provider", "Id", "Env vars", "Key formats", "Default model", "Checked"):
        table.add_column(header, overflow="fold")
    for row in rows:
        formats = "\n".join(f["name"] for f in row["key_formats"])
        default = row["default_model"] or "-"
        if row["default_model_status"] in ("deprecated", "retired"):
            default += f" ({row['default_model_status']})"
        table.add_row(row["name"], row["id"], "\n".join(row["env_vars"]), formats, default, row["checked"] or "-")
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, color_system="standard" if color else None, highlight=False)
    console.print(table)
    console.print(f"{len(rows)} providers, {rule_count} credential rules in all.")
    console.print(f"Model data: {data['source']}, {data['date']}.", soft_wrap=True)
    return buffer.getvalue()
