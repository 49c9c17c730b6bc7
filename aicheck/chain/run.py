"""The fallback chain: each prompt goes to the first provider, then the next, as the app should.

For each provider in order: a drill fails it at once (no request); a cached answer is served;
an open breaker skips it; a prompt that could break the budget is not sent; then the rate limit
is waited for and the one retry loop runs the attempts, each one's outcome told to the breaker.
The first answer wins; when every
provider failed, the result carries a structured error, as the app would return.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from aicheck import transport
from aicheck.aio import TooLarge, capped_lines, read_capped
from aicheck.catalog import Price
from aicheck.chain import errors, sse, styles
from aicheck.chain.links import Link
from aicheck.chain.result import ANSWERED, FAILED, SKIPPED, Answer, ChainResult, ChatRequest, Step
from aicheck.resilience.breaker import OPEN, Breakers
from aicheck.redaction import scrub
from aicheck.resilience.budget import Budget, Refusal, Reservation
from aicheck.resilience.cache import ResponseCache, cache_key
from aicheck.resilience.cost import cost_usd, dearest, estimate_usd, find_price
from aicheck.resilience.ratelimit import RateLimits
from aicheck.resilience.retry import Attempts, CallFailed, Failure, RetryPolicy, retry
from aicheck.validate.classify import rate_limits

MAX_BODY = 4_000_000  # bytes of one answer, streamed or not
MAX_LINE = 1_000_000  # bytes of one line of a stream (an SSE event's data line)
# Failures that say nothing about the provider's health (this prompt was refused): not counted by the breaker.
PROMPT_FAILURES = frozenset({"bad_request", "content_policy", "budget"})
# Failures after which the provider may still bill for what it generated.
MAY_BILL = frozenset({"timeout", "stream_cut", "malformed"})


class SpendLog(Protocol):
    """Where paid calls are recorded (``aicheck.state.State`` is one)."""

    def record_spend(self, provider: str, model: str, cost_usd: float, *, at: float, run_id: int | None = None,
                     input_tokens: int | None = None, output_tokens: int | None = None) -> None: ...


@dataclass
class Chain:
    links: list[Link]
    env: Mapping[str, str]
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    breakers: Breakers = field(default_factory=Breakers)
    limits: RateLimits = field(default_factory=RateLimits)
    budget: Budget = field(default_factory=Budget)
    cache: ResponseCache | None = None
    prices: Mapping[str, Mapping[str, Price]] = field(default_factory=dict)
    drills: Collection[int] = ()  # indexes of the links that fail on purpose (--drill)
    spend_log: SpendLog | None = None
    run_id: int | None = None
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
    client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Chain:
        if self.client is None:
            self.client = transport.client(limits=httpx.Limits(max_connections=64, max_keepalive_connections=32))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    async def complete(self, request: ChatRequest) -> ChainResult:
        """Ask the chain; the first provider to answer wins."""
        started = time.perf_counter()
        path: list[Step] = []
        for link in self.links:
            step, answer = await self._try(link, request)
            path.append(step)
            if answer is not None:
                latency = None if answer.cached else _ms(started)
                return ChainResult(answer, path, latency)
        return ChainResult(None, path, _ms(started))

    async def _try(self, link: Link, request: ChatRequest) -> tuple[Step, Answer | None]:
        def stop(outcome: str, kind: str, detail: str) -> tuple[Step, None]:
            return Step(link.name, link.model, outcome, kind, detail), None

        if link.index in self.drills:
            return stop(FAILED, "drill", "--drill: failed on purpose, no request sent")
        key = (self.env.get(link.key_env) or "").strip()
        if not key:
            return stop(FAILED, "no_key", f"{link.key_env} is not set")
        problem = transport.key_problem(key)
        if problem:
            return stop(FAILED, "no_key", f"the value of {link.key_env} {problem}")
        if link.base_url is None:
            return stop(FAILED, "unsupported", f"no endpoint for {link.name}: set AICHECK_{link.name.upper().replace('-', '_')}_BASE_URL or [providers.{link.name}] base_url")
        cached = self._cached(link, request)
        if cached is not None:
            return Step(link.name, link.model, ANSWERED, "cached", "served from the cache"), cached
        breaker = self.breakers.get(link.breaker_key)
        if not breaker.allow():
            return stop(SKIPPED, "breaker_open", f"circuit open after {breaker.failures} failures; next trial in {breaker.retry_in():.0f} s")
        reservation = self.budget.reserve(self.estimate(link, request))
        if isinstance(reservation, Refusal):
            breaker.release()
            return stop(SKIPPED, "budget", reservation.describe())
        call = _Call(self, link, request, key, reservation)
        try:
            step, answer = await self._call(call)
        except BaseException:  # cancelled mid-request (Ctrl-C): it may have been billed
            call.abandon()
            raise
        self._after(link, step, answer, request)
        call.settle(self._charged(link, answer) if answer else 0.0)  # after the spend is recorded
        return step, answer

    async def _call(self, call: _Call) -> tuple[Step, Answer | None]:
        link, key = call.link, call.key
        started = time.perf_counter()
        breaker = self.breakers.get(link.breaker_key)
        record = Attempts()
        try:
            answer: Answer | None = await retry(call.attempt, self.policy, sleep=self.sleep, record=record,
                                                keep_going=lambda: breaker.state != OPEN)
            step = Step(link.name, link.model, ANSWERED, None, "", record.count, call.status)
        except CallFailed as exc:
            answer = None
            step = Step(link.name, link.model, FAILED, exc.failure.kind, exc.failure.describe(), record.count, exc.failure.status)
        step.latency_ms, step.waited_s = _ms(started), record.waited + call.waited
        step.failures = [scrub(failure.describe(), key) for failure in record.failures]
        step.detail = scrub(step.detail, key)  # whatever a server or a library said, never the key
        step.rate_limit = call.rate_limit
        return step, answer

    def _after(self, link: Link, step: Step, answer: Answer | None, request: ChatRequest) -> None:
        if answer is None:
            self.breakers.get(link.breaker_key).release()  # a trial that ended on this prompt's own failure
            return
        if self.cache is not None:
            self.cache.put(self._cache_key(link, request), link.name, link.model, answer.to_cache())
        charged = self._charged(link, answer)
        if charged and self.spend_log is not None:
            self.spend_log.record_spend(link.name, link.model, charged, at=time.time(), run_id=self.run_id,
                                        input_tokens=answer.tokens.input, output_tokens=answer.tokens.output)

    def _cached(self, link: Link, request: ChatRequest) -> Answer | None:
        value = self.cache.get(self._cache_key(link, request)) if self.cache is not None else None
        return Answer.from_cache(link.name, link.model, value) if value is not None else None

    def _cache_key(self, link: Link, request: ChatRequest) -> str:
        return cache_key(link.name, link.model, base_url=link.base_url, style=link.chat.style, **request.params())

    def _price(self, link: Link, *models: str | None) -> Price | None:
        return find_price(self.prices.get(link.name, {}), link.model, *models)

    def estimate(self, link: Link, request: ChatRequest) -> float:
        """The most one attempt can cost: the prompt and max_tokens at the model's price, or at the
        catalog's highest price when the model has none."""
        return estimate_usd(self._price(link) or self._dearest(), len(request.prompt) + len(request.system or ""), request.max_tokens)

    def _dearest(self) -> Price:
        return dearest(self.prices)

    def _charged(self, link: Link, answer: Answer) -> float:
        """What an answer counts against the budget: its cost, or for a model with no price whose
        provider did not say, its tokens at the catalog's highest price."""
        if answer.cost_usd is not None:
            return answer.cost_usd
        return 0.0 if answer.cached else cost_usd(answer.tokens, self._dearest())

    def record_unknown(self, link: Link, amount: float) -> None:
        """A failed attempt that may have been billed (it timed out mid-answer) counts at its reservation."""
        if amount and self.spend_log is not None:
            self.spend_log.record_spend(link.name, link.model, amount, at=time.time(), run_id=self.run_id)

    def answer(self, link: Link, parsed: styles.Parsed, latency_ms: float, ttft_ms: float | None, rate_limit: dict[str, Any]) -> Answer:
        cost, source = parsed.reported_cost, "reported" if parsed.reported_cost is not None else None
        price = self._price(link, parsed.served_model)
        if cost is None and price is not None:
            cost, source = cost_usd(parsed.tokens, price), "prices"
        return Answer(parsed.text, link.name, link.model, parsed.served_model, parsed.tokens, cost, source,
                      latency_ms, ttft_ms, parsed.finish_reason, False, rate_limit)


class _Call:
    """The attempts of one prompt at one provider: what the retry loop calls. Each attempt holds
    a reservation of its worst-case cost: the first one made by the chain, each retry its own."""

    def __init__(self, chain: Chain, link: Link, request: ChatRequest, key: str, reservation: Reservation) -> None:
        self.chain, self.link, self.request, self.key = chain, link, request, key
        self.reservation: Reservation | None = reservation
        self.status: int | None = None
        self.rate_limit: dict[str, Any] = {}
        self.waited = 0.0

    def abandon(self) -> None:
        amount = self.reservation.amount if self.reservation is not None else 0.0
        self.chain.record_unknown(self.link, amount)
        self.settle(amount)

    def settle(self, actual_usd: float) -> None:
        if self.reservation is not None:
            self.chain.budget.settle(self.reservation, actual_usd)
            self.reservation = None

    async def attempt(self) -> Answer:
        """One request; its outcome goes to the provider's breaker at once, so that calls in
        flight stop retrying as soon as the breaker opens."""
        if self.reservation is None:
            reserved = self.chain.budget.reserve(self.chain.estimate(self.link, self.request))
            if isinstance(reserved, Refusal):
                raise CallFailed(Failure("budget", reserved.describe()))
            self.reservation = reserved
        breaker = self.chain.breakers.get(self.link.breaker_key)
        try:
            answer = await self._attempt()
        except CallFailed as exc:
            self._failed(exc.failure)
            if exc.failure.kind not in PROMPT_FAILURES:
                breaker.failure()
            raise
        breaker.success()
        return answer

    def _failed(self, failure: Failure) -> None:
        """An attempt that timed out or broke off mid-answer may have been billed: it counts at
        its worst case; an error answer costs nothing."""
        amount = self.reservation.amount if self.reservation is not None and failure.kind in MAY_BILL else 0.0
        self.chain.record_unknown(self.link, amount)
        self.settle(amount)

    async def _attempt(self) -> Answer:
        self.waited += await self.chain.limits.acquire(self.link.name, self.chain.sleep)
        try:
            return await asyncio.wait_for(self._send(), self.link.timeout)
        except asyncio.TimeoutError:
            raise CallFailed(Failure("timeout", f"no answer within {self.link.timeout:g} s")) from None
        except httpx.TimeoutException:
            raise CallFailed(Failure("timeout", f"no answer within {self.link.timeout:g} s")) from None
        except httpx.TransportError as exc:
            raise CallFailed(Failure("connection", _transport(exc))) from None

    async def _send(self) -> Answer:
        link, client = self.link, self.chain.client
        assert client is not None, "use the chain as an async context manager"
        url, headers, body = styles.build(link.chat, link.base_url or "", link.model, self.request)
        try:
            request = transport.keyed_request(client, "POST", url, base_url=link.base_url or "", auth=link.chat.auth, key=self.key,
                                              headers=headers, json=body, timeout=link.timeout)
        except transport.Refused as exc:
            raise CallFailed(Failure("unsupported", str(exc))) from None
        started = time.perf_counter()
        response = await transport.send(client, request)
        try:
            self._saw(response)
            if response.status_code >= 300 or "event-stream" not in response.headers.get("content-type", ""):
                document = await self._document(response)
                return self.chain.answer(link, styles.parse(link.chat, document), _ms(started), None, self.rate_limit)
            parsed, ttft = await self._stream(response, started)
        finally:
            await response.aclose()
        return self.chain.answer(link, parsed, _ms(started), ttft, self.rate_limit)

    def _saw(self, response: httpx.Response) -> None:
        self.status = response.status_code
        limits = rate_limits(response.headers, self.link.chat.ratelimit_prefix)
        self.rate_limit = limits.get("rate_limit", {}) or self.rate_limit

    async def _document(self, response: httpx.Response) -> Any:
        body = await read_capped(response, MAX_BODY)
        status = response.status_code
        if len(body) > MAX_BODY and status < 300:
            raise CallFailed(Failure("malformed", f"the answer is larger than {MAX_BODY // 1_000_000} MB; not read further", status=status))
        if status >= 300:
            document = _json_or_none(body)
            raise CallFailed(errors.from_answer(status, response.headers, document, self.link.provider, self.key))
        document = styles.load_json(body)
        in_body = errors.error_in_body(document)
        if in_body is not None:
            raise CallFailed(errors.from_answer(in_body, response.headers, document, self.link.provider, self.key))
        return document

    async def _stream(self, response: httpx.Response, started: float) -> tuple[styles.Parsed, float | None]:
        stream, events, ttft = sse.Stream(self.link.chat, self.link.provider, self.key), sse.Events(), None
        try:
            async for line in capped_lines(response, MAX_BODY, MAX_LINE):
                event = events.feed(line)
                if event is not None and stream.feed(*event) and ttft is None:
                    ttft = _ms(started)
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise CallFailed(Failure("stream_cut", f"the stream broke off: {_transport(exc)}", status=200)) from None
        except TooLarge as exc:
            raise CallFailed(Failure("malformed", f"the stream was cut off by aicheck: {exc}", status=200)) from None
        last = events.flush()
        if last is not None:
            stream.feed(*last)
        return stream.result(), ttft


def _json_or_none(body: bytes) -> Any:
    try:
        return styles.load_json(body)
    except CallFailed:
        return None


def _transport(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())[:200]


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
