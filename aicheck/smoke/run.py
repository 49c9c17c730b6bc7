"""``aicheck smoke``'s work: the prompts through the chain, concurrently with a bound, into a report
that is also written to the run history."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aicheck import chain as chain_mod
from aicheck import trust
from aicheck.aio import run_sync
from aicheck.env import keys
from aicheck.errors import AicheckError
from aicheck.smoke import expect
from aicheck.smoke.prompts import Prompt, prompts_from
from aicheck.smoke.report import PromptResult, ProviderStats, SmokeReport
from aicheck.state import State, project_root

if TYPE_CHECKING:

    from aicheck.chain import Link
    from aicheck.chain.run import Chain
    from aicheck.config import Config

Progress = Callable[[int, int], None]
DEFAULT_CONCURRENCY = 4


@dataclass
class SmokeOptions:
    prompts: Sequence[str] = ()  # names; empty: all
    drills: Sequence[str] = ()
    use_cache: bool = True
    progress: Progress | None = None
    env: Mapping[str, str] | None = None  # default: the process environment
    state_root: Path | None = None  # default: the project root of the config
    record: bool = True  # write the run history
    reset: bool = False  # clear the breakers and the cache first
    root: Path | None = None  # where the app's .env files are (default: the project root)


def run_smoke(config: Config, options: SmokeOptions | None = None) -> SmokeReport:
    options = options or SmokeOptions()
    environ = os.environ if options.env is None else options.env
    links = chain_mod.resolve(config.data, config.path, environ)
    if not links:
        where = f"{config.path}: no [[chain]] entries" if config.path else "no config file (aicheck.toml, or [tool.aicheck] in pyproject.toml)"
        raise AicheckError(f"{where}: add a [[chain]] entry per provider, in fallback order (provider, model, key_env)")
    prompts = prompts_from(config.data, config.path, options.prompts)
    trust.require(config, read=False)  # a wrong config is told first; then, before any prompt is sent with a key
    drilled = drill_links(options.drills, links)
    root = options.state_root or project_root(Path.cwd(), config.path)
    found = keys.find(options.root or root, config.section("env").get("files", []), environ, [link.key_env for link in links],
                      outside_ok=config.may_read_outside)
    env = keys.with_keys(environ, found)
    with State.open(root, environ) as state:
        if options.reset:
            state.breakers_clear()
            state.cache_clear()
        report = run_sync(_run(config, links, prompts, options, env, state, drilled))
    report.key_sources = {link.key_env: found.source(link.key_env) or "not set" for link in links}
    return report


def drill_links(drills: Sequence[str], links: list[Link]) -> frozenset[int]:
    """The chain entries ``--drill`` names: an entry's ``name``, its ``provider/model``, or a
    provider id (every entry of that provider)."""
    chosen: set[int] = set()
    for drill in drills:
        matched = [link.index for link in links if drill in (link.entry_name, link.breaker_key)]
        matched = matched or [link.index for link in links if drill == link.name]
        if not matched:
            entries = ", ".join(link.label for link in links)
            raise AicheckError(f"--drill {drill}: no chain entry has this name, provider/model or provider (the chain is: {entries})")
        chosen.update(matched)
    return frozenset(chosen)


async def _run(
    config: Config, links: list[Link], prompts: list[Prompt], options: SmokeOptions, env: Mapping[str, str], state: State, drilled: frozenset[int],
) -> SmokeReport:
    started = time.time()
    run_id = state.start_run("smoke", started) if options.record else None
    chain = chain_mod.build(config, links, env, state=state, drills=drilled, use_cache=options.use_cache, run_id=run_id)
    concurrency = int(config.section("resilience").get("concurrency") or DEFAULT_CONCURRENCY)
    async with chain:
        results = await _prompts(chain, prompts, concurrency, options.progress)
    report = SmokeReport(results, _providers(links, results, chain), time.time() - started, chain.budget.summary(),
                         [links[index].label for index in sorted(drilled)], run_id, str(state.path), _model_warnings(links))
    if run_id is not None:
        state.finish_run(run_id, finished_at=time.time(), duration_s=report.duration_s, failed=report.failed,
                         summary=report.summary(), results=[r.to_dict() for r in results])
    return report


def _model_warnings(links: list[Link]) -> list[str]:
    from aicheck.catalog.models import chain_warnings

    return chain_warnings([(link.provider.id, link.model) for link in links])


async def _prompts(chain: Chain, prompts: list[Prompt], concurrency: int, progress: Progress | None) -> list[PromptResult]:
    limiter = asyncio.Semaphore(max(1, concurrency))
    done = 0

    async def one(prompt: Prompt) -> PromptResult:
        nonlocal done
        async with limiter:
            result = await chain.complete(prompt.request)
        done += 1
        if progress is not None:
            progress(done, len(prompts))
        checks = expect.check(prompt.expect, result.answer, result.latency_ms) if result.answer else []
        return PromptResult(prompt.name, result, checks)

    return list(await asyncio.gather(*(one(prompt) for prompt in prompts)))


def host(url: str | None) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc if url else "-"


def _providers(links: list[Link], results: list[PromptResult], chain: Chain) -> list[ProviderStats]:
    stats = [ProviderStats(link.name, link.model, link.index + 1, host=host(link.base_url)) for link in links]
    for result in results:
        for step, link_stats in zip(result.chain.path, stats):
            link_stats.steps.append(step)
    for link, link_stats in zip(links, stats):
        link_stats.breaker = chain.breakers.get(link.breaker_key).snapshot()
    return stats


