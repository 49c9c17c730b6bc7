"""Live key checks: one zero-cost request per key and provider, concurrently with a bound.

A key goes only to the base URL of a provider it can belong to (see ``detect``), in the header
that provider documents, never in a URL, through ``aicheck.transport`` (https or loopback only).
Redirects are never followed: the key would travel with them. Timeouts, connection errors, 5xx and 529 are retried a little, with
backoff, before the key is called ``unreachable``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import random
import ssl
import time
from fnmatch import fnmatchcase
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

import aicheck
from aicheck import catalog, transport
from aicheck.aio import read_capped
from aicheck.catalog import FollowUp, Provider, Rule, Validation
from aicheck.validate import classify
from aicheck.validate.classify import Verdict
from aicheck.validate.detect import Detection, Detector
from aicheck.validate.endpoints import Target, env_name, known_providers, origin, target
from aicheck.validate.result import Check, KeyInput, KeyReport, KeyResult, best, redact_key, scrub
from aicheck.validate.sources import unique

MAX_KEY_LENGTH = transport.MAX_KEY_LENGTH
MAX_BODY = 4_000_000
BACKOFF_CAP = 4.0
REDIRECTS = frozenset({301, 302, 303, 307, 308})

Progress = Callable[[int, int], None]
# Statuses that show a provider knows the key (what it answered about it is then the result).
RECOGNISED = frozenset({"valid", "no_credit", "restricted", "rate_limited"})


@dataclass(frozen=True)
class Settings:
    concurrency: int = 8
    timeout: float = 10.0  # seconds per request
    retries: int = 2  # further attempts after a timeout, a connection error, a 5xx or a 529
    backoff: float = 0.5  # seconds before the first retry; doubles each time, capped


@dataclass(frozen=True)
class Job:
    """One key against one provider."""

    key: str = field(repr=False)
    redacted: str
    provider: Provider
    target: Target
    url: str
    chain_models: tuple[str, ...]
    check: Validation | None = None  # the key's own check (admin keys); None: the provider's
    kind: str = ""  # the key's kind when its check says ("admin")
    overrides: Mapping[str, str] = field(default_factory=dict)  # AICHECK_<PROVIDER>_<NAME>_BASE_URL of follow-ups
    body: bytes | None = field(default=None, repr=False)  # only --probe's completion has one

    @property
    def validation(self) -> Validation:
        return self.check or self.provider.validation


@dataclass
class Plan:
    """What will be done for one key: requests to send, or answers known without sending."""

    item: KeyInput
    redacted: str
    detection: Detection
    steps: list[Job | Check]


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    http_status: int | None = None
    latency_ms: int | None = None


# --- planning: what to send where (no I/O) ---------------------------------------------------


def plan(
    items: Sequence[KeyInput],
    config_providers: Mapping[str, Mapping[str, Any]],
    chain: Sequence[Mapping[str, Any]],
    env: Mapping[str, str],
) -> list[Plan]:
    providers = known_providers(config_providers, chain)
    planner = _Planner(providers, Detector(providers.values()), config_providers, chain, env)
    return [planner.plan(item) for item in unique(list(items))]


@dataclass(frozen=True)
class _Planner:
    providers: Mapping[str, Provider]
    detector: Detector
    config_providers: Mapping[str, Mapping[str, Any]]
    chain: Sequence[Mapping[str, Any]]
    env: Mapping[str, str]

    def plan(self, item: KeyInput) -> Plan:
        known_rule = catalog.load().rule(item.rule) if item.rule else None
        detection = self._detection(item, known_rule)
        redacted = redact_key(item.key, detection.rule or known_rule)
        return Plan(item, redacted, detection, self._steps(item, detection, redacted))

    def _detection(self, item: KeyInput, rule: Rule | None) -> Detection:
        """A key a scan found belongs to its rule's provider; a rule without one (a cloud or a
        payment secret) has no live check here, and its secret is sent nowhere."""
        if item.rule is None or item.provider is not None:
            return self.detector.detect(item.key, item.name, item.provider)
        if rule is None or rule.provider is None:
            return Detection((), "none", rule, f"no live check exists for {rule.name if rule else item.rule}")
        return Detection((rule.provider,), "provider", rule)

    def _steps(self, item: KeyInput, detection: Detection, redacted: str) -> list[Job | Check]:
        problem = malformed(item.key)
        if problem:
            return [Check(detection.providers[0] if len(detection.providers) == 1 else None, "invalid", detail=problem)]
        if not detection.providers:
            return [Check(None, "unsupported", detail=detection.note)]
        return [self._step(item, provider_id, redacted) for provider_id in detection.providers]

    def _step(self, item: KeyInput, provider_id: str, redacted: str) -> Job | Check:
        provider = self.providers.get(provider_id)
        if provider is None:
            return Check(provider_id, "unsupported", detail=f"{provider_id!r} is not a provider in the catalog or the config")
        validation = provider.validation
        if not validation.supported:
            return Check(provider.id, "unsupported", detail=validation.reason or "no zero-cost check exists for this provider")
        where = target(provider, self.config_providers, self.env)
        if where is None:
            return Check(provider.id, "unsupported", detail=_no_endpoint(provider))
        check, kind = validation.for_key(item.key)
        url = _url(where.base_url, check)
        models = tuple(str(link["model"]) for link in self.chain if link.get("provider") == provider.id and "model" in link)
        overrides = {name: self.env[name] for name in _follow_up_variables(provider, check) if self.env.get(name)}
        return Job(item.key, redacted, provider, where, url, models, check, kind, overrides)


def _follow_up_variables(provider: Provider, validation: Validation) -> list[str]:
    return [env_name(f"{provider.id}_{name}") for follow in validation.then for name in follow.base_urls]


def _url(base_url: str, validation: Validation) -> str:
    return str(httpx.URL(base_url + validation.path).copy_merge_params(validation.query))


def _no_endpoint(provider: Provider) -> str:
    ways = [f"[providers.{provider.id}] base_url", env_name(provider.id)]
    if provider.validation.endpoint_env:
        ways.insert(0, provider.validation.endpoint_env)
    return f"{provider.name} keys are checked against your own endpoint: set {' or '.join(ways)}"


def malformed(key: str) -> str:
    """Why a value cannot be a key (it is then never sent), or ''."""
    return transport.key_problem(key)


# --- running: the requests --------------------------------------------------------------------


async def run(plans: list[Plan], settings: Settings, progress: Progress | None = None) -> KeyReport:
    started = time.monotonic()
    limiter = asyncio.Semaphore(max(1, settings.concurrency))
    done = 0

    async with _client(settings) as client:

        async def finish(one: Plan) -> KeyResult:
            nonlocal done
            checks = await asyncio.gather(*(_run_step(client, step, limiter, settings) for step in one.steps))
            done += 1
            if progress is not None:
                progress(done, len(plans))
            return conclude(one, list(checks))

        results = await asyncio.gather(*(finish(one) for one in plans))
    return KeyReport(list(results), time.monotonic() - started)


def _client(settings: Settings) -> httpx.AsyncClient:
    connections = max(1, settings.concurrency) * 2
    return transport.client(
        timeout=httpx.Timeout(settings.timeout),
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        verify=_tls(),
    )


@functools.lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    """Loading the CA bundle takes ~50 ms: once per process, not once per call (scan --verify)."""
    return httpx.create_ssl_context()


async def _run_step(client: httpx.AsyncClient, step: Job | Check, limiter: asyncio.Semaphore, settings: Settings) -> Check:
    if isinstance(step, Check):
        return step
    try:
        outcome, attempts = await _attempts(client, step, limiter, settings)
        check = _to_check(step, outcome, attempts)
        follow = next((f for f in step.validation.then if _applies(f, step, outcome.verdict)), None)
        return check if follow is None else await _follow_up(client, step, follow, check, outcome.verdict, limiter, settings)
    except Exception as exc:  # noqa: BLE001 - one key's surprise must not sink the others
        detail = scrub(f"internal error while checking: {type(exc).__name__}: {exc}", step.key, step.redacted)
        return Check(step.provider.id, "unknown", detail=detail, url=step.url)


async def _attempts(
    client: httpx.AsyncClient, job: Job, limiter: asyncio.Semaphore, settings: Settings
) -> tuple[Outcome, int]:
    attempts = 0
    while True:
        attempts += 1
        async with limiter:
            outcome = await _attempt(client, job, settings)
        if not outcome.verdict.transient or attempts > settings.retries:
            return outcome, attempts
        await asyncio.sleep(backoff(attempts, settings))


# --- follow-ups: a second zero-cost request when the first answer would mislead ----------------


def _applies(follow: FollowUp, job: Job, verdict: Verdict) -> bool:
    return (
        verdict.status == follow.when
        and job.key.startswith(follow.key_prefix)
        and (not follow.code or any(fnmatchcase(code, follow.code) for code in verdict.codes))
    )


async def _follow_up(
    client: httpx.AsyncClient, job: Job, follow: FollowUp, first: Check, verdict: Verdict,
    limiter: asyncio.Semaphore, settings: Settings,
) -> Check:
    """Ask the follow-up's hosts in turn; the first answer that is not a redirect to another
    region decides. Hosts are the catalog's (the provider's official ones) unless overridden
    by AICHECK_<PROVIDER>_<NAME>_BASE_URL; when the provider's own URL is overridden, only
    overridden follow-up hosts are asked, so a test or a gateway never reaches the real API."""
    bases = _follow_up_bases(follow, job, verdict.message)
    if not bases:
        note = f"a {follow.name} check would tell more, but {job.provider.name}'s base URL is overridden"
        return dataclasses.replace(first, detail="; ".join(part for part in (first.detail, note) if part))
    for host, base in bases:
        sub = dataclasses.replace(job, target=Target(base, f"{follow.name} follow-up"), url=_url(base, follow.validation), check=follow.validation)
        outcome, attempts = await _attempts(client, sub, limiter, settings)
        if set(outcome.verdict.codes) & set(follow.stop_on):
            continue
        return _merged(follow, first, _to_check(sub, outcome, attempts), host)
    return first


def _follow_up_bases(follow: FollowUp, job: Job, message: str) -> list[tuple[str, str]]:
    from aicheck.validate.endpoints import checked as _checked

    overridden = job.target.source != "catalog"
    bases: list[tuple[str, str]] = []
    for name, url in follow.base_urls.items():
        variable = env_name(f"{job.provider.id}_{name}")
        value = job.overrides.get(variable, "").strip()
        if value:
            bases.append((urlsplit(url).hostname or name, _checked(value, variable)))
        elif not overridden:
            bases.append((urlsplit(url).hostname or name, url.rstrip("/")))
    lowered = message.lower()
    return sorted(bases, key=lambda pair: pair[0].lower() not in lowered)


def _merged(follow: FollowUp, first: Check, second: Check, host: str) -> Check:
    status = follow.statuses.get(second.status, second.status)
    meaning = follow.details.get(second.status, "").format(host=host)
    detail = "; ".join(part for part in (meaning, f"{host}: {second.detail or second.status}", f"first answer: {first.detail}") if part)
    latency = (first.latency_ms or 0) + (second.latency_ms or 0)
    metadata = {**first.metadata, **second.metadata, "checked_at": host}
    return Check(first.provider, status, second.http_status, detail, metadata, latency, second.url, first.attempts + second.attempts)


def backoff(attempt: int, settings: Settings) -> float:
    """Exponential, capped, with jitter so retries of many keys do not arrive together."""
    return min(settings.backoff * 2.0 ** (attempt - 1), BACKOFF_CAP) * random.uniform(0.75, 1.0)


async def _attempt(client: httpx.AsyncClient, job: Job, settings: Settings) -> Outcome:
    started = time.monotonic()
    try:
        return await asyncio.wait_for(_exchange(client, job, started), timeout=settings.timeout)
    except (asyncio.TimeoutError, httpx.TimeoutException):
        return Outcome(Verdict("unreachable", f"no answer within {settings.timeout:g} s", transient=True))
    except httpx.TransportError as exc:
        return Outcome(Verdict("unreachable", _transport_detail(exc), transient=True))


async def _exchange(client: httpx.AsyncClient, job: Job, started: float) -> Outcome:
    try:
        status, headers, body = await _send(client, job, job.url)
    except transport.Refused as exc:
        return Outcome(Verdict("unknown", scrub(str(exc), job.key, job.redacted)))
    if status in REDIRECTS and "location" in headers:
        return Outcome(_redirect(job, status, urljoin(job.url, headers["location"])), status, _ms(started))
    if len(body) > MAX_BODY:
        return Outcome(Verdict("unknown", f"HTTP {status}: the answer is larger than {MAX_BODY // 1_000_000} MB; not read further"),
                       status, _ms(started))
    verdict = classify.read_answer(job.validation, status, headers, body, job.key, job.redacted)
    return Outcome(verdict, status, _ms(started))


def _redirect(job: Job, status: int, following: str) -> Verdict:
    """A redirect is never followed with a key, even on the same host: the key stays where it was sent."""
    elsewhere = urlsplit(following)
    here = urlsplit(job.target.base_url)
    detail = (
        f"HTTP {status}: redirected to {elsewhere.scheme}://{elsewhere.netloc}; not followed, "
        f"a key is never sent on a redirect (it was sent to {here.scheme}://{here.netloc} only)"
    )
    return Verdict("unknown", scrub(detail, job.key, job.redacted))


async def _send(client: httpx.AsyncClient, job: Job, url: str) -> tuple[int, dict[str, str], bytes]:
    base = {"user-agent": f"aicheck/{aicheck.__version__}", "accept": "application/json"}
    request = transport.keyed_request(client, job.validation.method, url, base_url=job.target.base_url,
                                      auth=job.validation.auth, key=job.key, headers={**base, **job.validation.headers},
                                      content=job.body)
    response = await transport.send(client, request)
    try:
        body = await read_capped(response, MAX_BODY)
    finally:
        await response.aclose()
    return response.status_code, {name.lower(): value for name, value in response.headers.items()}, body


def _transport_detail(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {exc}" if str(exc) else "cannot connect"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection closed without a complete answer"
    return f"network error: {type(exc).__name__}"


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _to_check(job: Job, outcome: Outcome, attempts: int) -> Check:
    verdict = outcome.verdict
    detail = scrub(verdict.detail, job.key, job.redacted)
    if verdict.transient and attempts > 1:
        detail += f" ({attempts} attempts)"
    metadata = dict(verdict.metadata)
    if job.kind:
        metadata["key_kind"] = job.kind
    if verdict.models is not None:
        metadata["models_available"] = len(verdict.models)
        if job.chain_models:
            metadata["chain_models"] = _chain_models(job, set(verdict.models))
    return Check(job.provider.id, verdict.status, outcome.http_status, detail, metadata, outcome.latency_ms, job.url, attempts)


def _chain_models(job: Job, listed: set[str]) -> dict[str, bool]:
    prefix = job.validation.model_prefix
    return {model: model in listed or (bool(prefix) and model.removeprefix(prefix) in listed) for model in job.chain_models}


def conclude(one: Plan, checks: list[Check]) -> KeyResult:
    """The key's result: its one check, or, when its format fits several providers, the most
    telling of their answers, with every answer kept as a candidate."""
    chosen = best(checks)
    note = one.detection.note
    if len(checks) > 1:
        tried = ", ".join(f"{check.provider}: {check.status}" for check in checks)
        note = f"{note} ({tried})"
        if chosen.status not in RECOGNISED:
            # Several providers' formats fit and none knows the key: it is not "invalid" with any
            # one of them in particular, so say which were asked.
            chosen = Check(None, "unknown", detail="no provider whose format fits recognised the key")
    detail = "; ".join(dict.fromkeys(part for part in (chosen.detail, note) if part))
    check = dataclasses.replace(chosen, detail=scrub(detail, one.item.key, one.redacted))
    return KeyResult(
        one.item.key, one.redacted, check, one.item.source, one.item.name, one.detection.by, checks
    )


# --- --probe: one billed completion per working key (aicheck.validate.probe) ------------------


async def run_probes(
    probes: Sequence[Any], config_providers: Mapping[str, Mapping[str, Any]], env: Mapping[str, str], settings: Settings,
) -> list[KeyResult]:
    """Each probe once (never retried: a retry could bill twice), to the base URL its key check used."""
    from aicheck.validate import probe as probe_mod

    limiter = asyncio.Semaphore(max(1, settings.concurrency))
    once = dataclasses.replace(settings, retries=0)
    async with _client(settings) as client:

        async def one(item: probe_mod.Probe) -> KeyResult:
            where = target(item.provider, config_providers, env)
            if where is None:
                return item.result
            validation, body = probe_mod.request(item)
            result = item.result
            job = Job(result.key, result.key_redacted, item.provider, where, _url(where.base_url, validation), (), validation, body=body)
            outcome, attempts = await _attempts(client, job, limiter, once)
            return probe_mod.merged(result, _to_check(job, outcome, attempts), item.model)

        return list(await asyncio.gather(*(one(item) for item in probes)))


# --- the entry points ------------------------------------------------------------------------


async def validate_async(
    items: Sequence[KeyInput],
    config_providers: Mapping[str, Mapping[str, Any]],
    chain: Sequence[Mapping[str, Any]],
    env: Mapping[str, str],
    settings: Settings,
    progress: Progress | None = None,
) -> KeyReport:
    return await run(plan(items, config_providers, chain, env), settings, progress)
