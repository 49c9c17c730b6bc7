"""``env check`` as a function: a request in, an ``EnvResult`` out (the CLI and the report call this)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aicheck import catalog, config, git, severity, trust
from aicheck.env import apps, checks, drift, dotenvx, files, frameworks, production, syntax, tracking
from aicheck.env.classify import Classifier
from aicheck.env.context import Context, Settings
from aicheck.env.finding import CHECKS, PRODUCTION_CHECKS, EnvFinding, EnvResult, finding
from aicheck.env.parse import EnvFile, expand, parse
from aicheck.errors import AicheckError

_SOURCE_CHECKS = {
    "vite": ("env.vite-process-env", "env.vite-define-env", "env.vite-import-meta-secret"),
    "next": ("env.next-client-secret", "env.next-client-server-env"),
}
_GIT_CHECKS = ("env.tracked-secret", "env.not-ignored", "env.keys-file-committed")
_ALLOW = re.compile(r"aicheck:allow\b(?!-)((?:[ \t,]+env\.[a-z0-9-]+)*)")


@dataclass
class EnvRequest:
    root: Path = field(default_factory=Path.cwd)
    config: Path | None = None
    files: list[Path] = field(default_factory=list)  # --file; empty: [env] files, then discovery
    example: Path | None = None
    production: bool = False
    environ: Mapping[str, str] | None = None  # None: os.environ


@dataclass
class _Loaded:
    envs: list[EnvFile]
    keys: list[EnvFile]
    example: EnvFile | None
    findings: list[EnvFinding]


def run_env(request: EnvRequest) -> EnvResult:
    """The checked folder's app, then every app folder below it with its own example or .env file
    (a monorepo's apps), each checked on its own; findings name their app."""
    started = time.monotonic()
    root = request.root
    if not root.is_dir():
        raise AicheckError(f"{root}: not a folder")
    cfg = config.load(root, request.config)
    trust.require(cfg, send=False)  # before any file outside the repository is read
    result = _run_app(request, _context(request, cfg), cfg.may_read_outside)
    result.apps = [_app_summary(".", result)]
    if not request.files and not Settings.from_config(cfg).files:
        for folder in apps.nested(root):
            _merge(result, folder, _run_app(request, _context(request, cfg, folder), cfg.may_read_outside))
    # The root app's source checks walk into nested apps too: the nested app's finding wins.
    unique = {(f.check, f.file, f.line, f.key): f for f in result.findings}
    result.findings = sorted(unique.values(), key=lambda f: f.sort_key)
    for app in result.apps:
        app["findings"] = sum(1 for item in result.findings if item.app == app["path"])
    if len(result.apps) > 1:
        shown = ", ".join(f"{app['path']} ({app['loader']})" for app in result.apps[1:6])
        more = f" and {len(result.apps) - 6} more" if len(result.apps) > 6 else ""
        result.notes.append(f"Checked {len(result.apps) - 1} app folder{'s' if len(result.apps) > 2 else ''} below this one on its own: {shown}{more}.")
    result.duration_s = time.monotonic() - started
    return result


def _merge(result: EnvResult, folder: str, app: EnvResult) -> None:
    for item in app.findings:
        item.app = folder
        item.file = f"{folder}/{item.file}"
    severity.adjust_nested(app.findings)
    result.findings += app.findings
    result.files += [f"{folder}/{name}" for name in app.files]
    result.allowed += app.allowed
    result.apps.append(_app_summary(folder, app))


def _app_summary(folder: str, app: EnvResult) -> dict[str, object]:
    return {"path": folder, "framework": app.framework, "loader": app.loader, "files": app.files,
            "example": app.example, "findings": len(app.findings)}


def _run_app(request: EnvRequest, ctx: Context, outside_ok: bool) -> EnvResult:
    started = time.monotonic()
    root = ctx.root
    paths, chosen = files.select(root, request.files if ctx.root == request.root else [], ctx.settings.files, outside_ok)
    named_example = request.example if ctx.root == request.root else None
    loaded = _load(paths, files.example(root, named_example, ctx.settings.example, ctx.config_path, outside_ok), ctx)
    result = EnvResult(root=str(root.resolve()), findings=[], production=request.production, framework=ctx.framework)
    result.loader = ctx.loader
    active = _prepare(loaded, paths, chosen, ctx, result)
    found = loaded.findings + list(_all_checks(loaded, active, ctx))
    result.findings = _filtered(found, loaded.envs, ctx, result)
    severity.adjust_env(result.findings)
    in_terms(result.findings, ctx.loader)
    result.files = [files.display(path, root) for path in paths]
    result.example = loaded.example.name if loaded.example else None
    result.checks = _ran(ctx, loaded)
    result.notes += _notes(loaded, ctx, paths, chosen)
    result.duration_s = time.monotonic() - started
    return result


def _context(request: EnvRequest, cfg: config.Config, folder: str | None = None) -> Context:
    """The root app's context; a nested app keeps only the settings that are not about the root
    app's own files (disabled checks, patterns, size limit)."""
    settings = Settings.from_config(cfg)
    root = request.root if folder is None else request.root / folder
    if folder is not None:
        settings = Settings(patterns=settings.patterns, disable=settings.disable, max_size=settings.max_size, providers=settings.providers)
    framework, origin = frameworks.detect(root, settings.framework, cfg.path)
    environ = os.environ if request.environ is None else request.environ
    classifier = Classifier(catalog.load())
    top = git.toplevel(root.resolve())
    loader = apps.loader(root, framework)
    return Context(root, settings, classifier, environ, request.production, cfg.path, framework, origin, top, loader)


def in_terms(findings: list[EnvFinding], loader: str) -> None:
    """Messages name what loads the files in this app (Next.js, Vite, dotenv), not python-dotenv."""
    if loader and loader != "python-dotenv":
        for item in findings:
            item.message = item.message.replace("python-dotenv", loader)
            item.fix = item.fix.replace("python-dotenv", loader)


def _load(paths: list[Path], example_path: Path | None, ctx: Context) -> _Loaded:
    loaded = _Loaded([], [], None, [])
    for path in paths:
        env = _read(path, ctx, loaded.findings)
        if env is not None:
            loaded.envs.append(env)
    if example_path is not None:
        loaded.example = _read(example_path, ctx, loaded.findings)
    for path in dotenvx.keys_files(ctx.root, loaded.envs):
        keys = _read(path, ctx, loaded.findings)
        if keys is not None:
            loaded.keys.append(keys)
    return loaded


def _read(path: Path, ctx: Context, problems: list[EnvFinding]) -> EnvFile | None:
    source = files.read(path, ctx.root, ctx.settings.max_size)
    if source.text is None:
        problems.append(finding("env.unreadable", source.name, source.line, None, f"{source.name} is not checked: {source.problem}"))
        return None
    return parse(source)


def _prepare(loaded: _Loaded, paths: list[Path], chosen: bool, ctx: Context, result: EnvResult) -> list[EnvFile]:
    """Decrypt what can be decrypted, then expand ${VAR} as the app would load the files."""
    ring = dotenvx.keyring(ctx.environ, loaded.keys)
    for env in loaded.envs:
        outcome = dotenvx.decrypt_file(env, ring)
        result.encrypted += outcome.encrypted
        result.decrypted += outcome.decrypted
        loaded.findings += outcome.findings
    by_path = {env.path: env for env in loaded.envs}
    active = [by_path[p] for p in files.layered(paths, ctx.root, ctx.production, chosen) if p in by_path]
    expand((entry for env in active for entry in env.entries), ctx.environ)
    for env in loaded.envs:
        if env not in active:
            expand(env.entries, ctx.environ)
    if loaded.example is not None:
        expand(loaded.example.entries, {})
    return active


def _all_checks(loaded: _Loaded, active: list[EnvFile], ctx: Context) -> Iterable[EnvFinding]:
    for env in loaded.envs:
        yield from syntax.check(env)
        yield from checks.check(env, ctx)
    yield from drift.check(active, loaded.example, ctx)
    if ctx.production:
        yield from production.check(active, ctx)
    yield from tracking.check(loaded.envs, loaded.keys, ctx)
    yield from frameworks.check(ctx, _secret_keys(loaded.envs, ctx))


def _secret_keys(envs: list[EnvFile], ctx: Context) -> set[str]:
    return {entry.key for env in envs for entry in env.entries if ctx.classifier.secret(entry.key, entry.plain)}


def _filtered(found: list[EnvFinding], envs: list[EnvFile], ctx: Context, result: EnvResult) -> list[EnvFinding]:
    by_name = {env.name: env for env in envs}
    kept: list[EnvFinding] = []
    lines: dict[str, list[str]] = {}
    for item in found:
        if item.check in ctx.settings.disable:
            continue
        if _allowed(item, by_name, lines, ctx.root):
            result.allowed += 1
            continue
        kept.append(item)
    unique = {(f.check, f.file, f.line, f.key, f.message): f for f in kept}
    return sorted(unique.values(), key=lambda f: f.sort_key)


def _allowed(item: EnvFinding, envs: dict[str, EnvFile], lines: dict[str, list[str]], root: Path) -> bool:
    """An ``aicheck:allow`` comment (optionally naming check ids) on the finding's line."""
    if item.line <= 0:
        return False
    if item.file in envs:
        return envs[item.file].allowed(item.line, item.check)
    if item.file not in lines:
        try:
            lines[item.file] = (root / item.file).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            lines[item.file] = []
    text = lines[item.file][item.line - 1] if item.line <= len(lines[item.file]) else ""
    match = _ALLOW.search(text)
    ids = re.findall(r"env\.[a-z0-9-]+", match.group(1)) if match else []
    return bool(match) and (not ids or item.check in ids)


def _ran(ctx: Context, loaded: _Loaded) -> list[str]:
    skipped = set(ctx.settings.disable)
    if not ctx.production:
        skipped.update(PRODUCTION_CHECKS)
    for framework, ids in _SOURCE_CHECKS.items():
        if ctx.framework != framework:
            skipped.update(ids)
    if ctx.top is None:
        skipped.update(_GIT_CHECKS)
    if loaded.example is None:
        skipped.add("env.extra-key")
    return [check for check in CHECKS if check not in skipped]


def _notes(loaded: _Loaded, ctx: Context, paths: list[Path], chosen: bool) -> list[str]:
    notes = []
    if not loaded.envs and not chosen:
        notes.append(f"No .env files in {ctx.root}.")
    if ctx.framework:
        notes.append(f"Framework: {frameworks.FRAMEWORKS[ctx.framework].name} (from {ctx.framework_origin}).")
    sealed = sum(1 for env in loaded.envs for e in env.entries if e.encrypted and e.cleartext is None)
    if sealed:
        notes.append(f"{sealed} dotenvx value{'s' if sealed != 1 else ''} stayed encrypted: set DOTENV_PRIVATE_KEY "
                     f"(or keep .env.keys beside the files) to check {'them' if sealed != 1 else 'it'} too.")
    if loaded.example is None and loaded.envs:
        notes.append("No .env.example: drift not checked.")
    if chosen and not paths:
        notes.append("None of the files in [env] files exists.")
    if ctx.top is None:
        notes.append("Not a git repository: tracking checks skipped.")
    return notes
