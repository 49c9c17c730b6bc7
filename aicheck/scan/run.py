"""The scan as a function: config in, ``ScanResult`` out (what ``aicheck scan`` and the report call)."""

from __future__ import annotations

from pathlib import Path

from aicheck import catalog, config as config_mod, git
from aicheck.catalog import Rule
from aicheck.errors import AicheckError, ConfigError
from aicheck.scan.finding import ScanResult
from aicheck.scan.scanner import ScanSettings, scan_paths, scan_stdin


def run_scan(
    paths: list[Path],
    config_path: Path | None,
    *,
    stdin: bytes | None = None,
    exclude: list[str] | None = None,
    max_file_size: str | None = None,
) -> tuple[ScanResult, tuple[Rule, ...]]:
    root = _config_root(paths)
    cfg = config_mod.load(root, config_path)
    settings = settings_from(cfg, exclude or [], max_file_size)
    if stdin is not None:
        return scan_stdin(stdin, settings), settings.rules
    return scan_paths(paths, settings), settings.rules


def _config_root(paths: list[Path]) -> Path:
    """Config sits at the repository root (or the scanned folder outside a repository)."""
    first = paths[0] if paths and str(paths[0]) != "-" else Path(".")
    if not first.exists():
        raise AicheckError(f"{first}: no such file or directory")
    return git.toplevel(first.resolve()) or (first if first.is_dir() else first.parent)


def settings_from(cfg: config_mod.Config, exclude: list[str], max_file_size: str | None) -> ScanSettings:
    section = cfg.section("scan")
    disabled = set(section.get("disable_rules", []))
    rules = tuple(r for r in catalog.load().rules if r.id not in disabled)
    rules += tuple(_custom_rule(entry, cfg) for entry in section.get("rules", []))
    size = section.get("max_file_size", 5_000_000)
    if max_file_size is not None:
        try:
            size = config_mod.parse_size(max_file_size)
        except ValueError as exc:
            raise AicheckError(f"--max-file-size: expected {exc}") from None
    return ScanSettings(rules=rules, exclude=tuple(section.get("exclude", [])) + tuple(exclude), max_file_size=size)


def _custom_rule(entry: dict[str, object], cfg: config_mod.Config) -> Rule:
    values = dict(entry)
    values.setdefault("name", values["id"])
    values["keywords"] = tuple(str(k).lower() for k in values["keywords"])  # type: ignore[attr-defined]
    values["context"] = tuple(values.get("context", ()))  # type: ignore[arg-type]
    try:
        return Rule(**values)  # type: ignore[arg-type]
    except TypeError as exc:
        raise ConfigError(f"{cfg.path}: invalid [[scan.rules]] entry {values['id']!r}: {exc}") from None
