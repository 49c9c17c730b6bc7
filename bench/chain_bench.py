#!/usr/bin/env python3
"""Benchmark the fallback chain: its own overhead per request, and an outage with and without the breaker.

    python bench/chain_bench.py                    # both parts
    python bench/chain_bench.py --requests 1000    # a longer overhead run
    python bench/chain_bench.py --skip-no-breaker  # the outage part without its slow control run

1. Overhead. The same prompt, one request at a time, to the test suite's fake provider
   (tests/fakes/chat.py: a real threaded HTTP server on 127.0.0.1), by plain httpx (one
   AsyncClient, a POST and ``response.json()``) and by ``Chain.complete`` (retry loop, breaker,
   rate limit, budget, cost, result objects), in alternating rounds so both see the same machine.
   The chain runs twice: in memory, and with the state file (SQLite: spend ledger, breaker) as
   ``aicheck smoke`` runs it. Overhead = median(chain) - median(plain). Target: under 1 ms.

2. Outage. ``run_smoke`` (the code behind ``aicheck smoke``) with 50 prompts, concurrency 4,
   a chain of two providers answering in ``--delay`` seconds: healthy, then with the primary
   hanging past its timeout (the costly kind of outage), breaker on (threshold 5), then the same
   outage with the breaker off. With the breaker, only the first few requests pay the timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from aicheck import chain as chain_mod  # noqa: E402
from aicheck.chain import ChatRequest  # noqa: E402
from aicheck.config import Config, validate  # noqa: E402
from aicheck.smoke import SmokeOptions, SmokeReport, run_smoke  # noqa: E402
from aicheck.state import State  # noqa: E402
from tests.fakes.chat import FakeChat, hang, slow  # noqa: E402

KEYS = {"GROQ_API_KEY": "gsk_" + "b" * 52, "OPENROUTER_API_KEY": "sk-or-v1-" + "c" * 64}
PROMPT = "Reply with the single word: pong"


def config(fake: FakeChat, extra: dict[str, Any] | None = None, prompts: int = 0, timeout: float = 30.0) -> tuple[Config, dict[str, str]]:
    data: dict[str, Any] = {
        "chain": [{"provider": "groq", "model": "llama-3.3-70b-versatile", "timeout": timeout},
                  {"provider": "openrouter", "model": "openai/gpt-4o-mini", "timeout": timeout}],
        "resilience": {"max_retries": 2, "backoff_base_seconds": 0.05, "backoff_cap_seconds": 0.2, "concurrency": 4, **(extra or {})},
        "smoke": [{"name": f"p{i}", "prompt": f"{PROMPT} ({i})", "expect": {"icontains": "pong"}} for i in range(prompts)],
    }
    env = {**KEYS, "AICHECK_GROQ_BASE_URL": fake.base_url("groq"), "AICHECK_OPENROUTER_BASE_URL": fake.base_url("openrouter")}
    path = Path("bench-aicheck.toml")
    return Config(path, validate(data, path)), env


# --- 1. overhead ---------------------------------------------------------------------------------


async def plain_round(client: httpx.AsyncClient, url: str, n: int) -> list[float]:
    body = {"model": "llama-3.3-70b-versatile", "messages": [{"role": "user", "content": PROMPT}], "max_tokens": 64, "temperature": 0}
    headers = {"authorization": f"Bearer {KEYS['GROQ_API_KEY']}"}
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = await client.post(url, json=body, headers=headers)
        text = response.json()["choices"][0]["message"]["content"]
        times.append(time.perf_counter() - started)
        assert text == "pong"
    return times


async def chain_round(chain: Any, n: int) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        result = await chain.complete(ChatRequest(PROMPT))
        times.append(time.perf_counter() - started)
        assert result.ok
    return times


async def overhead(requests: int, rounds: int) -> dict[str, list[float]]:
    with FakeChat() as fake, tempfile.TemporaryDirectory() as folder:
        cfg, env = config(fake)
        links = chain_mod.resolve(cfg.data, cfg.path, env)
        state = State(Path(folder) / "state.db")
        samples: dict[str, list[float]] = {"plain httpx": [], "chain (in memory)": [], "chain + state file": []}
        async with httpx.AsyncClient() as client, \
                chain_mod.build(cfg, links, env, use_cache=False) as memory, \
                chain_mod.build(cfg, links, env, state=state, use_cache=False) as stateful:
            url = fake.base_url("groq") + "/chat/completions"
            await plain_round(client, url, 20)  # warm-up: connections, imports, caches
            await chain_round(memory, 20)
            await chain_round(stateful, 20)
            per_round = max(1, requests // rounds)
            for _ in range(rounds):
                samples["plain httpx"] += await plain_round(client, url, per_round)
                samples["chain (in memory)"] += await chain_round(memory, per_round)
                samples["chain + state file"] += await chain_round(stateful, per_round)
        state.close()
        return samples


def print_overhead(samples: dict[str, list[float]]) -> dict[str, Any]:
    base = statistics.median(samples["plain httpx"])
    print(f"\n1. Chain overhead per request ({len(samples['plain httpx'])} sequential requests each, loopback fake provider)\n")
    print(f"{'':22} {'median':>9} {'mean':>9} {'p95':>9} {'added (median)':>15}")
    out = {}
    for name, values in samples.items():
        ordered = sorted(values)
        median, mean, p95 = statistics.median(values), statistics.fmean(values), ordered[int(0.95 * len(ordered)) - 1]
        added = median - base
        out[name] = {"median_ms": median * 1000, "mean_ms": mean * 1000, "p95_ms": p95 * 1000, "added_ms": added * 1000}
        extra = "" if name == "plain httpx" else f"{added * 1000:+14.3f}ms"
        print(f"{name:22} {median * 1000:8.3f}ms {mean * 1000:8.3f}ms {p95 * 1000:8.3f}ms {extra:>15}")
    worst = max(out[name]["added_ms"] for name in out if name != "plain httpx")
    print(f"\nadded by the chain: {worst:.3f} ms per request at most (target < 1 ms): {'OK' if worst < 1 else 'OVER TARGET'}")
    return out


# --- 2. outage -------------------------------------------------------------------------------


@dataclass
class Outage:
    name: str
    seconds: float
    report: SmokeReport
    primary_requests: int


def outage(name: str, prompts: int, delay: float, timeout: float, primary_down: bool, breaker: int) -> Outage:
    with FakeChat() as fake, tempfile.TemporaryDirectory() as folder:
        fake.always("openrouter", slow(delay))
        fake.always("groq", hang(timeout * 4) if primary_down else slow(delay))
        cfg, env = config(fake, {"breaker_failure_threshold": breaker, "breaker_cooldown_seconds": 60}, prompts, timeout)
        started = time.perf_counter()
        report = run_smoke(cfg, SmokeOptions(use_cache=False, env=env, state_root=Path(folder)))
        return Outage(name, time.perf_counter() - started, report, len(fake.requests("groq")))


def print_outages(runs: list[Outage]) -> list[dict[str, Any]]:
    print(f"\n2. Outage: {runs[0].report.summary()['prompts']} prompts, concurrency 4, primary (groq) hanging past its timeout\n")
    print(f"{'':32} {'wall time':>10} {'answered':>9} {'fallbacks':>10} {'groq requests':>14} {'p50':>9} {'p95':>9}")
    rows = []
    for run in runs:
        s = run.report.summary()
        answered = f"{round(s['availability'] * s['prompts'])}/{s['prompts']}"
        print(f"{run.name:32} {run.seconds:9.2f}s {answered:>9} {s['fallbacks']:>10} {run.primary_requests:>14} "
              f"{s['p50_ms']:8.0f}ms {s['p95_ms']:8.0f}ms")
        rows.append({"run": run.name, "seconds": run.seconds, "groq_requests": run.primary_requests, **{k: s[k] for k in ("availability", "fallbacks", "p50_ms", "p95_ms")}})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=600, help="requests per variant in the overhead run")
    parser.add_argument("--rounds", type=int, default=6, help="alternating rounds the requests are split into")
    parser.add_argument("--prompts", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds a healthy provider takes to answer")
    parser.add_argument("--timeout", type=float, default=1.0, help="the chain's timeout per attempt, in seconds")
    parser.add_argument("--skip-no-breaker", action="store_true", help="skip the outage run without a breaker (the slow one)")
    args = parser.parse_args()

    print_overhead(asyncio.run(overhead(args.requests, args.rounds)))
    runs = [
        outage("healthy", args.prompts, args.delay, args.timeout, primary_down=False, breaker=5),
        outage("primary down, breaker on (5)", args.prompts, args.delay, args.timeout, primary_down=True, breaker=5),
    ]
    if not args.skip_no_breaker:
        runs.append(outage("primary down, breaker off", args.prompts, args.delay, args.timeout, primary_down=True, breaker=0))
    print_outages(runs)


if __name__ == "__main__":
    main()
