"""``aicheck report`` as a function: run the checks (or read their saved JSON), score, remember.

Live, the report runs scan (the working tree), env check, key validation and smoke, each as its
own command would, and keeps each result as that command's JSON document. Keys are the ones the
app would use: the chain's ``key_env`` variables and provider variables in the environment and the
.env files; keys found in repository files are never sent anywhere. When a key from the
environment is also exposed in a file, that finding is marked live.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from aicheck import config as config_mod
from aicheck import trust
from aicheck.errors import AicheckError, ConfigError
from aicheck.report import history, slo
from aicheck.report.model import COMMANDS, ERROR, ITEMS, PARTS, RAN, SKIPPED, Part, Report
from aicheck.report.score import score

if TYPE_CHECKING:
    from aicheck.catalog import Rule
    from aicheck.scan.finding import ScanResult
    from aicheck.state import State
    from aicheck.validate.result import KeyReport

T = TypeVar("T")
Progress = Callable[[str], None]
SCHEMA = 1
FROM_HINT = "--from takes the JSON of aicheck scan, env check, keys validate or smoke (--format json)"


@dataclass
class ReportRequest:
    root: Path = field(default_factory=Path.cwd)
    config: Path | None = None
    offline: bool = False  # no network: neither key validation nor smoke
    skip: Collection[str] = ()  # part names: scan, env, keys, smoke
    from_files: Sequence[Path] = ()  # build from saved JSON results instead of running the checks
    fail_under: int | None = None
    environ: Mapping[str, str] | None = None  # default: the process environment
    record: bool = True  # store the run in the state file's history
    use_cache: bool = True  # smoke may answer from the response cache (--no-cache: every prompt is sent)
    progress: Progress | None = None  # told the name of each part as it starts


def run_report(request: ReportRequest) -> Report:
    started = time.time()
    unknown = sorted(set(request.skip) - set(PARTS))
    if unknown:
        raise AicheckError(f"--skip {unknown[0]}: not a part of the report (the parts are: {', '.join(PARTS)})")
    if not request.root.is_dir():
        raise AicheckError(f"{request.root}: not a folder")
    cfg = config_mod.load(request.root, request.config)
    environ = os.environ if request.environ is None else request.environ
    if not request.from_files:  # refused before any part runs: nothing sent, nothing read outside
        sends = not request.offline and not {"keys", "smoke"} <= set(request.skip)
        trust.require(cfg, send=sends, read="env" not in request.skip or sends)
    parts = from_files(request.from_files, request.skip) if request.from_files else live(request, cfg, environ)
    return assemble(parts, cfg, request, environ, started)


# --- building from saved results --------------------------------------------------------------


def from_files(paths: Sequence[Path], skip: Collection[str] = ()) -> list[Part]:
    """One part per file, by its ``command``; the parts without a file say so."""
    found: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path in paths:
        document = read_result(path)
        name = next(name for name, command in COMMANDS.items() if command == document["command"])
        if name in found:
            raise AicheckError(f"{path}: a second '{document['command']}' result (the first is {found[name][0]}); give one file per command")
        found[name] = (path, document)
    parts = []
    for name in PARTS:
        if name in skip:
            parts.append(Part(name, SKIPPED, f"--skip {name}", source=""))
        elif name in found:
            parts.append(Part(name, RAN, source=str(found[name][0]), document=found[name][1]))
        else:
            parts.append(Part(name, SKIPPED, f"no '{COMMANDS[name]}' result among the --from files", source=""))
    return parts


def read_result(path: Path) -> dict[str, Any]:
    """A saved JSON result, checked to be one a report is built from."""
    try:
        document = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise AicheckError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise AicheckError(f"{path}: not UTF-8 text; {FROM_HINT}") from None
    except json.JSONDecodeError as exc:
        raise AicheckError(f"{path}: not JSON ({exc.msg}, line {exc.lineno}); {FROM_HINT}") from None
    except RecursionError:
        raise AicheckError(f"{path}: JSON nested too deeply; {FROM_HINT}") from None
    if not isinstance(document, dict) or document.get("tool") != "aicheck" or "command" not in document:
        raise AicheckError(f'{path}: not an aicheck JSON result (no "tool": "aicheck" and "command"); {FROM_HINT}')
    if document.get("schema") != SCHEMA:
        raise AicheckError(f"{path}: JSON schema {document.get('schema')!r}; this aicheck reads schema {SCHEMA}")
    _check_command(path, document)
    return document


def _check_command(path: Path, document: dict[str, Any]) -> None:
    command = document["command"]
    if command == "report":
        raise AicheckError(f"{path}: an aicheck report, not a check's result; {FROM_HINT}")
    name = next((name for name, known in COMMANDS.items() if known == command), None)
    if name is None:
        raise AicheckError(f"{path}: an 'aicheck {command}' result, which a report is not built from; {FROM_HINT}")
    if not isinstance(document.get(ITEMS[name]), list) or not isinstance(document.get("summary"), dict):
        raise AicheckError(f'{path}: incomplete \'{command}\' result (no "{ITEMS[name]}" list or "summary"); save it again with --format json')


# --- running the checks -------------------------------------------------------------------------


def live(request: ReportRequest, cfg: config_mod.Config, environ: Mapping[str, str]) -> list[Part]:
    skip = set(request.skip)
    scan = _guarded("scan", skip, request, lambda: _scan(request))
    env = _guarded("env", skip, request, lambda: _env(request, environ))
    keys = _keys(request, cfg, environ, skip)
    if not isinstance(scan, Part) and not isinstance(keys, Part):
        mark_live(scan[0], keys[0])
    scan_part = scan if isinstance(scan, Part) else Part("scan", RAN, document=_scan_document(*scan))
    keys_part = keys if isinstance(keys, Part) else Part("keys", RAN, document=keys[1])
    env_part = env if isinstance(env, Part) else Part("env", RAN, document=env)
    code = _guarded("code", skip, request, lambda: _code(request))
    code_part = code if isinstance(code, Part) else Part("code", RAN, document=code)
    return [scan_part, env_part, keys_part, _smoke(request, cfg, environ, skip), code_part]


def _guarded(name: str, skip: set[str], request: ReportRequest, run: Callable[[], T]) -> T | Part:
    """The part's result; a part that cannot run says why instead of ending the report
    (a wrong config still does: exit 2)."""
    if name in skip:
        return Part(name, SKIPPED, f"--skip {name}", source="")
    if request.progress is not None:
        request.progress(name)
    try:
        return run()
    except ConfigError:
        raise
    except AicheckError as exc:
        return Part(name, ERROR, str(exc), source="")


def _scan(request: ReportRequest) -> tuple[ScanResult, tuple[Rule, ...]]:
    from aicheck.scan.run import ScanRequest, run_scan

    return run_scan(ScanRequest(paths=[request.root], config=request.config))


def _scan_document(result: ScanResult, rules: tuple[Rule, ...]) -> dict[str, Any]:
    from aicheck.output import render_scan

    document: dict[str, Any] = json.loads(render_scan(result, "json", rules=rules))
    return document


def _code(request: ReportRequest) -> dict[str, Any]:
    from aicheck.code.run import CodeRequest, run_code
    from aicheck.output.code import render_code

    document: dict[str, Any] = json.loads(render_code(run_code(CodeRequest([request.root], request.config)), "json"))
    return document


def _env(request: ReportRequest, environ: Mapping[str, str]) -> dict[str, Any]:
    from aicheck.env.run import EnvRequest, run_env
    from aicheck.output.env import render_env

    result = run_env(EnvRequest(root=request.root, config=request.config, environ=environ))
    document: dict[str, Any] = json.loads(render_env(result, "json"))
    return document


def _keys(request: ReportRequest, cfg: config_mod.Config, environ: Mapping[str, str], skip: set[str]) -> tuple[KeyReport, dict[str, Any]] | Part:
    if "keys" not in skip and request.offline:
        return Part("keys", SKIPPED, "--offline", source="")
    return _guarded("keys", skip, request, lambda: _validate(request, cfg, environ))


def _validate(request: ReportRequest, cfg: config_mod.Config, environ: Mapping[str, str]) -> tuple[KeyReport, dict[str, Any]] | Part:
    from aicheck.env import files, keys
    from aicheck.output.keys import render_keys
    from aicheck.validate import collect_keys, run_validation

    env_files = keys.env_files(request.root, cfg.section("env").get("files", []), outside_ok=cfg.may_read_outside)
    try:
        found = collect_keys([], cfg, environ=environ, app_root=request.root)
        if not cfg.may_read_outside:
            # An endpoint (AZURE_OPENAI_ENDPOINT) in the repository's own .env must not take the
            # user's key from the environment to the repository's host.
            found.variables = {}
    except AicheckError as exc:
        if not str(exc).startswith("no keys found"):  # collect_keys' word for "nothing to check"
            raise
        where = "the environment" + (f" or {', '.join(files.display(path, request.root) for path in env_files)}" if env_files else "")
        return Part("keys", SKIPPED, f"no provider keys in {where}", source="")
    report = run_validation(found.keys, cfg, env={**found.variables, **environ})
    return report, json.loads(render_keys(report, "json"))


def mark_live(result: ScanResult, keys: KeyReport) -> None:
    """A finding whose secret is a key that just worked is live: the report never sends a key
    it found in a file, but it knows when the app's own working key is also exposed."""
    working = {item.key: item for item in keys.results if item.status == "valid"}
    for finding in result.findings:
        match = working.get(finding.secret)
        if match is None:
            continue
        detail = f"the same key as {match.name or match.source}, which works (checked by this report)"
        finding.verification = {"status": "valid", "detail": detail, "http_status": match.check.http_status}
        finding.severity = "critical"
        finding.note = "; ".join(n for n in ("LIVE: the key works, rotate it now", finding.note) if n)


def _smoke(request: ReportRequest, cfg: config_mod.Config, environ: Mapping[str, str], skip: set[str]) -> Part:
    if "smoke" not in skip and request.offline:
        return Part("smoke", SKIPPED, "--offline", source="")
    if "smoke" not in skip and not cfg.data.get("chain"):
        where = f"in {cfg.path.name}" if cfg.path else "in config (no aicheck.toml)"
        return Part("smoke", SKIPPED, f"no [[chain]] {where}", source="")
    smoke = _guarded("smoke", skip, request, lambda: _run_smoke(request, cfg, environ))
    return smoke if isinstance(smoke, Part) else Part("smoke", RAN, document=smoke)


def _run_smoke(request: ReportRequest, cfg: config_mod.Config, environ: Mapping[str, str]) -> dict[str, Any]:
    from aicheck.output.smoke import render_smoke
    from aicheck.smoke import SmokeOptions, run_smoke

    options = SmokeOptions(env=environ, state_root=_state_root(request, cfg), use_cache=request.use_cache, root=request.root)
    report = run_smoke(cfg, options)
    document: dict[str, Any] = json.loads(render_smoke(report, "json"))
    return document


# --- the report ---------------------------------------------------------------------------------


def assemble(parts: list[Part], cfg: config_mod.Config, request: ReportRequest, environ: Mapping[str, str], started: float) -> Report:
    """Score the parts, compare with the SLOs, and store the run for the trends."""
    from aicheck.state import utc_day, utc_iso

    notes: list[str] = []
    state = _open_state(request, cfg, environ, notes)
    try:
        by_name = {part.name: part for part in parts}
        chain = [str(entry.get("name") or f"{entry['provider']}/{entry['model']}") for entry in cfg.data.get("chain", [])]
        smoke, keys = by_name["smoke"], by_name["keys"]
        slos = slo.slos(cfg.section("slo"), smoke)
        spent = state.spent_on(utc_day()) if state else None
        budget = slo.budget(cfg.section("budget"), smoke, spent, bool(chain))
        headroom = slo.headroom(keys, smoke)
        fallback = slo.fallback(chain, smoke, history.smoke_runs(state) if state else [])
        notes += _model_warnings(cfg, keys)
        report = Report(
            parts, score(parts, slos, budget, headroom, fallback), slos, budget, headroom, fallback, slo.latency(smoke),
            generated_at=utc_iso(started), root=str(request.root.resolve()), fail_under=request.fail_under, notes=notes,
        )
        if state is not None:
            report.notes += breaker_notes(state.breakers())
            if request.record:
                report.run_id = history.record(state, report, started)
            report.trends = history.trends(state)
        return report
    finally:
        if state is not None:
            state.close()


def _model_warnings(cfg: config_mod.Config, keys: Part) -> list[str]:
    """Chain models that are deprecated, retired or not in the provider's live model list."""
    from aicheck.catalog.models import chain_warnings, live_models

    chain = [(str(entry.get("provider")), str(entry.get("model"))) for entry in cfg.data.get("chain", []) if entry.get("model")]
    return chain_warnings(chain, live_models(keys.document if keys.ran else None))


def breaker_notes(breakers: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Open breakers in the state file: a later smoke skips their entries without a request."""
    from aicheck.resilience.breaker import opened

    return [
        f"Circuit breaker {name} is open {opened(dict(saved))}: smoke skips it until its cooldown ends "
        f"(aicheck smoke --reset clears it)."
        for name, saved in sorted(breakers.items()) if saved.get("state") == "open"
    ]


def _open_state(request: ReportRequest, cfg: config_mod.Config, environ: Mapping[str, str], notes: list[str]) -> State | None:
    from aicheck.state import State

    try:
        return State.open(_state_root(request, cfg), environ)
    except AicheckError as exc:
        notes.append(f"History not kept: {exc}")
        return None


def _state_root(request: ReportRequest, cfg: config_mod.Config) -> Path:
    from aicheck.state import project_root

    return project_root(request.root.resolve(), cfg.path)
