"""No input can make a rule slow: every rule runs on RE2, and hostile inputs scan in bounded time.

The inputs are built per rule from the rule itself: its keywords followed by tens of kilobytes
of the characters its classes accept (so a backtracking engine would try every split), left
unterminated, with separators mixed in, and the keyword repeated. The bound is generous (the
machine is shared); the real figures are in bench/. Python's ``re`` took over 60 s on the
second input shape for the old private-key pattern.
"""

from __future__ import annotations

import re
import string
import time
from pathlib import Path

import pytest

from aicheck.catalog import Rule, load
from aicheck.config import load as load_config
from aicheck.errors import ConfigError
from aicheck.scan import engine
from aicheck.scan.detector import Detector
from aicheck.scan.scanner import scan_bytes

RULES = load().rules
SIZE = 40_000
BOUND_S = 5.0
_CLASS = re.compile(r"\[(?:\\.|[^\]\\])+\]|\\[sSwWdD]|\.")


def accepted(rule: Rule) -> str:
    """Every printable character some class of the rule's regex accepts (its "filler")."""
    chars = set()
    for cls in _CLASS.findall(rule.regex):
        pattern = re.compile(cls)
        chars |= {c for c in string.printable if pattern.fullmatch(c)}
    return "".join(sorted(chars - {"\x0b", "\x0c"})) or string.ascii_letters


def hostile_inputs(rule: Rule) -> dict[str, bytes]:
    filler = accepted(rule)
    run = (filler * (SIZE // len(filler) + 1))[:SIZE]
    inputs: dict[str, bytes] = {}
    for keyword in rule.keywords[:3]:
        head = keyword.upper() if rule.context else keyword
        mixed = "".join(f"{head}{run[i:i + 60]}{sep}" for i, sep in zip(range(0, SIZE, 60), _separators()))
        inputs |= {
            f"{keyword}+run": f"{head}{run}".encode(),
            f"{keyword}=run": f'{head} = "{run}'.encode(),
            f"{keyword}+mixed": mixed.encode(),
            f"{keyword}+repeat": (f"{head}{filler[:40]}\n" * (SIZE // 48)).encode(),
        }
    return inputs


def _separators():
    seps = ["\\n", '", "', "\n", " + ", ",", "'", "\\r\\n", " ", "-", "=", "\t"]
    while True:
        yield from seps


def test_every_rule_compiles_on_the_linear_time_engine() -> None:
    for rule in RULES:
        engine.compile(rule.regex)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_hostile_input_scans_in_bounded_time(rule: Rule) -> None:
    detector = Detector([rule])
    for name, data in hostile_inputs(rule).items():
        started = time.perf_counter()
        detector.find(data)
        scan_bytes(data, "config.env", detector)  # the decoders' views too
        elapsed = time.perf_counter() - started
        assert elapsed < BOUND_S, f"{rule.id} on {name}: {elapsed:.1f} s"


def test_unterminated_private_key_headers_do_not_hang() -> None:
    """The case that hung a pre-commit hook: a list of PEM header strings, no END."""
    headers = "".join(f'    "-----BEGIN {kind}PRIVATE KEY-----",\n' for kind in ("", "RSA ", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED ", "PGP "))
    data = ("KEYS = [\n" + headers + "]\n" + "value = 'some ordinary code, with commas, quotes and words'\n" * 2000).encode()
    started = time.perf_counter()
    Detector(RULES).find(data)
    assert time.perf_counter() - started < BOUND_S


@pytest.mark.parametrize(
    ("pattern", "why"),
    [(r"(a+)+\1", "backreference"), (r"foo(?=bar)baz(x)", "lookahead"), (r"(?<=k)(abc)", "lookbehind")],
)
def test_a_custom_rule_the_engine_cannot_run_is_refused_at_config_load(tmp_path: Path, pattern: str, why: str) -> None:
    (tmp_path / "aicheck.toml").write_text(
        f"[[scan.rules]]\nid = \"mine\"\nregex = '''{pattern}'''\nkeywords = [\"foo\"]\n"
    )
    with pytest.raises(ConfigError, match="linear-time"):
        load_config(tmp_path)


def test_a_custom_rule_with_a_boundary_lookahead_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "aicheck.toml").write_text(
        "[[scan.rules]]\nid = \"mine\"\nregex = '''\\b(acme_[a-z0-9]{20})(?![a-z0-9])'''\nkeywords = [\"acme_\"]\n"
    )
    load_config(tmp_path)


def test_boundary_lookarounds_keep_their_meaning() -> None:
    regex = engine.compile(rb"(?<![a-z])(k_[a-z]{4})(?![a-z])")
    assert [m.group(1) for m in regex.finditer(b"k_abcd k_abcde xk_abcd k_wxyz")] == [b"k_abcd", b"k_wxyz"]
