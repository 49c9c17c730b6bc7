"""The scan as a function: config in, ``ScanResult`` out (what ``aicheck scan`` and the report call)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aicheck import catalog, config as config_mod, git, severity
from aicheck.catalog import Rule
from aicheck.errors import AicheckError, ConfigError
from aicheck.scan import baseline
from aicheck.scan.finding import ScanResult
from aicheck.scan.scanner import ScanSettings, scan_paths, scan_stdin


@dataclass
class ScanRequest:
    paths: list[Path]
    config: Path | None = None
    stdin: bytes | None = None
    exclude: list[str] = field(default_factory=list)
    max_file_size: str | None = None
    history: bool = False
    since: str | None = None
    staged: bool = False
    baseline: Path | None = None
    write_baseline: Path | None = None
    verify: bool = False
    progress: Callable[[int, int, int], None] | None = None


def run_scan(request: ScanRequest) -> tuple[ScanResult, tuple[Rule, ...]]:
    if request.staged and (request.history or request.since):
        raise AicheckError("--staged and --history/--since cannot be combined")
    root = _config_root(request.paths)
    cfg = config_mod.load(root, request.config)
    if request.verify:
        from aicheck import trust

        trust.require(cfg, read=False)  # said before the scan, not after it
    settings = settings_from(cfg, request.exclude, request.max_file_size)
    hidden = baseline.load(request.baseline) if request.baseline else None
    result = _dispatch(request, settings)
    severity.adjust_scan(result.findings, settings.rules, None if request.stdin is not None else Path(result.root))
    if request.write_baseline:
        baseline.write(request.write_baseline, result.findings)
    baseline.apply(result, hidden)
    if request.verify:
        verify(result, cfg)
    return result, settings.rules


def verify(result: ScanResult, cfg: config_mod.Config) -> None:
    """Check each found key live with the ``keys validate`` engine (zero cost).

    A key that works is the most severe finding there is: it becomes critical whatever its
    rule says. Keys of non-AI rules are sent nowhere (``unsupported``).
    """
    from aicheck.validate import validate_keys
    from aicheck.validate.result import KeyInput

    items = [KeyInput(f.secret, provider=f.provider, rule=f.rule, source=f.file) for f in result.findings]
    if not items:
        return
    answers = {answer.key: answer for answer in validate_keys(items, cfg)}
    for finding in result.findings:
        answer = answers.get(finding.secret)
        if answer is None:
            continue
        check = answer.check
        finding.verification = {"status": check.status, "detail": check.detail, "http_status": check.http_status}
        if check.status == "valid":
            finding.severity = "critical"
            finding.note = "; ".join(n for n in ("LIVE: the key works, rotate it now", finding.note) if n)


def _dispatch(request: ScanRequest, settings: ScanSettings) -> ScanResult:
    if request.stdin is not None:
        return scan_stdin(request.stdin, settings)
    if request.history or request.since:
        from aicheck.scan.history import scan_history

        top = git.require_repo(request.paths[0], "--history")
        return scan_history(top, settings, request.since, _pathspecs(request.paths, top), request.progress)
    if request.staged:
        from aicheck.scan.staged import scan_staged

        return scan_staged(git.require_repo(request.paths[0], "--staged"), settings)
    return scan_paths(request.paths, settings, request.progress)


def _pathspecs(paths: list[Path], top: Path) -> list[str]:
    specs = []
    for path in paths:
        resolved = path.resolve()
        if resolved != top:
            specs.append(resolved.relative_to(top).as_posix() if top in resolved.parents else str(path))
    return specs


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
