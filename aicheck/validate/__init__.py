"""Live key validation: is this key working, and what does its provider say about it?

``validate_keys`` is the one entry point for other commands (``scan --verify``, the report);
``aicheck keys validate`` calls ``run_validation``. Both are synchronous; the requests inside run
concurrently. httpx is imported only when a check runs.
"""

from __future__ import annotations

import os
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from aicheck.aio import run_sync
from aicheck.errors import AicheckError

from aicheck.validate.result import FAILING, Check, KeyInput, KeyReport, KeyResult

if TYPE_CHECKING:
    from aicheck.config import Config
    from aicheck.validate.engine import Progress, Settings
    from aicheck.validate.sources import Collected

__all__ = [
    "FAILING", "Check", "KeyInput", "KeyReport", "KeyResult", "collect_keys", "plan_probes", "run_probes", "run_validation",
    "validate_keys",
]


def validate_keys(
    items: Sequence[KeyInput],
    config: Config | None = None,
    *,
    env: Mapping[str, str] | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> list[KeyResult]:
    """Check each key live (zero cost); one result per distinct key, in input order."""
    return run_validation(items, config, env=env, settings=settings, progress=progress).results


def run_validation(
    items: Sequence[KeyInput],
    config: Config | None = None,
    *,
    env: Mapping[str, str] | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> KeyReport:
    from aicheck import trust
    from aicheck.validate import engine

    if config is not None:
        trust.require(config, read=False)  # before any key is sent
    providers: Mapping[str, Mapping[str, Any]] = config.section("providers") if config else {}
    chain = config.data.get("chain", []) if config else []
    plans = engine.plan(items, providers, chain, os.environ if env is None else env)
    coroutine = engine.run(plans, settings or engine.Settings(), progress)
    return run_sync(coroutine)


def plan_probes(report: KeyReport, config: Config | None = None) -> list[Any]:
    """``--probe``: the one-token completions that would be sent, with their worst-case cost."""
    from aicheck.validate import probe
    from aicheck.validate.endpoints import known_providers

    providers = known_providers(config.section("providers") if config else {}, config.data.get("chain", []) if config else [])
    return probe.plan(report, providers)


def run_probes(
    report: KeyReport, probes: list[Any], config: Config | None = None, *, env: Mapping[str, str] | None = None,
    settings: Settings | None = None,
) -> KeyReport:
    """The report with each probed key's result replaced by what its completion showed."""
    from aicheck.validate import engine

    providers: Mapping[str, Mapping[str, Any]] = config.section("providers") if config else {}
    probed = run_sync(engine.run_probes(probes, providers, os.environ if env is None else env, settings or engine.Settings()))
    by_key = {result.key: result for result in probed}
    return dataclasses.replace(report, results=[by_key.get(result.key, result) for result in report.results])


def collect_keys(
    args: list[str],
    config: Config | None = None,
    *,
    stdin: BinaryIO | None = None,
    env_files: Sequence[Path] = (),
    from_env: bool = False,
    environ: Mapping[str, str] | None = None,
    provider: str | None = None,
    app_root: Path | None = None,
) -> Collected:
    """The keys ``keys validate`` was given. From env files and the environment, a value counts
    as a key when its variable is a provider's (OPENAI_API_KEY, a chain's key_env) or its value
    is in a provider's own key format.

    Given no keys at all and an ``app_root``: the app's keys, as smoke and report read them
    (``aicheck.env.keys``): the environment first, then the .env files env check finds."""
    from aicheck import trust
    from aicheck.validate import sources
    from aicheck.validate.detect import Detector
    from aicheck.validate.endpoints import known_providers

    if config is not None:
        trust.require(config, read=False)  # its variables decide which values are read as keys
    providers = known_providers(config.section("providers") if config else {}, config.data.get("chain", []) if config else [])
    if provider is not None and provider not in providers:
        raise AicheckError(f"--provider {provider}: unknown provider; known: {', '.join(sorted(providers))}")
    detector = Detector(providers.values())

    def wanted(name: str, value: str) -> bool:
        return detector.known_name(name) or detector.has_own_format(value)

    environ = os.environ if environ is None else environ
    if app_root is not None and not args and not env_files and not from_env:
        found = _app_keys(app_root, config, environ, wanted)
    else:
        found = sources.collect(args, stdin=stdin, env_files=list(env_files), from_env=from_env, environ=environ, wanted=wanted)
    if provider is not None:
        found.keys = [dataclasses.replace(item, provider=provider) for item in found.keys]
    # From env files, only a provider's endpoint (AZURE_OPENAI_ENDPOINT) is used: a checked-out
    # .env must not point AICHECK_<PROVIDER>_BASE_URL, and so the keys, somewhere else.
    endpoints = {p.validation.endpoint_env for p in providers.values() if p.validation.endpoint_env}
    found.variables = {name: value for name, value in found.variables.items() if name in endpoints}
    return found


def _app_keys(root: Path, config: Config | None, environ: Mapping[str, str], wanted: Callable[[str, str], bool]) -> Collected:
    """Each variable's value as the app gets it: the environment, else the last .env file that
    sets it (``aicheck.env.keys``, the order smoke and report use); its source says which."""
    from aicheck.env import keys as app_keys
    from aicheck.validate.sources import Collected, clean, unique

    configured = config.section("env").get("files", []) if config else []
    found = app_keys.find(root, configured, environ, None, outside_ok=bool(config and config.may_read_outside), strict=True)
    from_env = {name for name, source in found.sources.items() if source == app_keys.ENVIRONMENT}
    variables = {name: value for name, value in found.values.items() if name not in from_env}
    ordered = sorted(found.values.items(), key=lambda item: item[0] not in from_env)
    keys = [
        KeyInput(clean(value), name=name, source=f"{found.sources[name]}: {name}")
        for name, value in ordered if clean(value) and wanted(name, clean(value))
    ]
    if not keys:
        raise AicheckError("no keys found in the environment or a .env file here: pass keys as arguments, '-' to read them from stdin, or --env-file FILE")
    return Collected(unique(keys), variables)
