#!/usr/bin/env python3
"""Benchmark ``keys validate``: 100 keys against a server taking 200 ms per answer.

    python bench/validate_bench.py                          # 100 keys, 200 ms, concurrency 8
    python bench/validate_bench.py --keys 400 --concurrency 16

The server is the test suite's fake provider (tests/fakes/providers.py): a real threaded HTTP
server on 127.0.0.1 answering as Groq does, after ``--delay`` seconds. With a bound of N requests
in flight, K keys take about ceil(K / N) x delay: 13 x 0.2 s = 2.6 s for the defaults, plus
connection set-up. The script prints the wall time and the most requests the server saw at once.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aicheck.validate import KeyInput, KeyReport, run_validation  # noqa: E402
from aicheck.validate.engine import Settings  # noqa: E402
from tests.fakes.providers import ANSWERS, FakeProviders, Reply, Request  # noqa: E402
from tests.keygen import KEYGEN  # noqa: E402


@dataclass
class Bench:
    seconds: float
    report: KeyReport
    most_in_flight: int


class InFlight:
    """A handler that answers valid after a delay and counts the requests it holds at once."""

    def __init__(self, delay: float) -> None:
        self.delay, self.now, self.most = delay, 0, 0
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Reply:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(self.delay)
        with self._lock:
            self.now -= 1
        return ANSWERS["groq"]["valid"]


def run(keys: int = 100, delay: float = 0.2, concurrency: int = 8) -> Bench:
    items = [KeyInput(KEYGEN["groq-api-key"]()) for _ in range(keys)]
    counter = InFlight(delay)
    with FakeProviders() as fake:
        fake.answer("groq", counter)
        started = time.perf_counter()
        report = run_validation(items, env=fake.env("groq"), settings=Settings(concurrency=concurrency, timeout=10))
        seconds = time.perf_counter() - started
    return Bench(seconds, report, counter.most)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keys", type=int, default=100)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds the server takes per answer")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    bench = run(args.keys, args.delay, args.concurrency)
    valid = sum(1 for result in bench.report.results if result.status == "valid")
    ideal = -(-args.keys // args.concurrency) * args.delay
    print(
        f"{args.keys} keys, {args.delay * 1000:.0f} ms per answer, concurrency {args.concurrency}: "
        f"{bench.seconds:.2f} s wall (ideal {ideal:.2f} s); {valid} valid; "
        f"at most {bench.most_in_flight} requests in flight"
    )


if __name__ == "__main__":
    main()
