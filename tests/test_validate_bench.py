"""The throughput figure: 100 keys, a server taking 200 ms per answer, concurrency 8.

bench/validate_bench.py prints the wall time (about 3 s); this test runs it and checks what can
be checked without timing assertions: every key answered, never more than 8 requests at once,
and the run far shorter than one request after another (100 x 0.2 s = 20 s).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent.parent / "bench" / "validate_bench.py"


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("validate_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_hundred_keys_at_concurrency_eight() -> None:
    bench = load_bench().run(keys=100, delay=0.2, concurrency=8)
    print(f"\n100 keys x 200 ms at concurrency 8: {bench.seconds:.2f} s")
    assert [r.status for r in bench.report.results] == ["valid"] * 100
    assert bench.most_in_flight == 8
    assert bench.seconds < 10  # sequential would be 20 s; the figure itself is the bench's to print
