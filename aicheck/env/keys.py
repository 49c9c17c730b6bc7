"""Where the app's keys come from, the same way for smoke, keys validate and report: the
environment first, then the .env files env check finds (``[env] files``, else the root's .env
files in the order the app loads them, a later file over an earlier one).

Only key variables are taken from files (a chain entry's ``key_env``, a provider's variables):
a repository's .env file never sets ``AICHECK_*`` or any other setting of aicheck itself.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aicheck.env import files
from aicheck.errors import AicheckError

ENVIRONMENT = "environment"


@dataclass
class KeySources:
    values: dict[str, str] = field(default_factory=dict)  # variable -> value, environment over files
    sources: dict[str, str] = field(default_factory=dict)  # variable -> "environment" or ".env.local"
    files: list[Path] = field(default_factory=list)  # the .env files read, lowest precedence first

    def source(self, name: str) -> str | None:
        return self.sources.get(name)


def env_files(root: Path, configured: list[str], outside_ok: bool = False) -> list[Path]:
    """The .env files env check finds, in the order the app loads them (later ones win). Files
    outside ``root`` (symlinks resolved) are refused unless ``outside_ok`` (a trusted config)."""
    paths, chosen = files.select(root, [], configured, outside_ok)
    existing = [path for path in paths if path.is_file()]
    return existing if chosen else files.layered(existing, root, production=False, chosen=False) or existing


def find(
    root: Path, configured: list[str], environ: Mapping[str, str], names: Collection[str] | None,
    outside_ok: bool = False, strict: bool = False,
) -> KeySources:
    """The values of ``names`` (None: every variable): from the environment, else the last .env
    file that sets one. An unreadable file is skipped (env check says why), or an error if ``strict``."""
    from aicheck.env import load_values

    wanted = None if names is None else set(names)

    def taken(name: str) -> bool:
        return (wanted is None or name in wanted) and not name.upper().startswith("AICHECK_")

    found = KeySources(files=env_files(root, configured, outside_ok))
    for path in found.files:
        try:
            values = load_values(path)
        except AicheckError:
            if strict:
                raise
            continue
        for name, raw in values.items():
            value = (raw or "").strip()
            if value and taken(name):
                found.values[name], found.sources[name] = value, files.display(path, root)
    for name, value in environ.items():
        if taken(name) and (value or "").strip():
            found.values[name], found.sources[name] = value, ENVIRONMENT
    return found


def with_keys(environ: Mapping[str, str], found: KeySources) -> dict[str, str]:
    """The environment with the keys found in .env files added (the environment still wins)."""
    return {**found.values, **environ}
