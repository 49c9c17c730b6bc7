#!/usr/bin/env python3
"""Recall and false alarms of aicheck on the peers' own rule test cases, per credential family.

    python bench/peer_cases.py --gitleaks /path/to/gitleaks --betterleaks /path/to/betterleaks \\
        --trufflehog /path/to/trufflehog [--json out.json] [--misses FAMILY]

Each path is a checkout (a work tree, or a bare git directory read at HEAD) of the peer's
repository, e.g. what ``fetch github:gitleaks/gitleaks`` brings. Nothing of theirs is stored
here: their true- and false-positive strings are read from their Go sources when this script
runs (gitleaks and betterleaks: the ``tps``/``fps`` lists of ``cmd/generate/config/rules/*.go``;
trufflehog: the ``input``/``want`` tables of ``pkg/detectors/**/*_test.go``).

Their test strings are often built by calls (``secrets.NewSecret(regex)``, sample lines in many
file formats around a secret); a small evaluator below understands the calls they use most,
draws a random string for each regex and writes the sample lines in its own templates. A case
it cannot evaluate is skipped and counted ("unparsed").

A peer rule belongs to an aicheck family through FAMILIES (a prefix of the peer's rule id or
detector folder); cases of rules outside every family are not counted, since aicheck does not
claim those credentials. A true positive counts as found when aicheck reports anything on the
text; a false positive counts as an alarm when aicheck reports anything on it.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

try:  # Python 3.11+
    import re._parser as sre_parse  # type: ignore[import-not-found]
    from re import _constants as sre_c  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - 3.10
    import sre_constants as sre_c  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# Peer rule id (gitleaks, betterleaks) or trufflehog detector folder, by prefix -> aicheck family.
FAMILIES: dict[str, str] = {
    "aws": "cloud", "amazon": "cloud", "gcp": "cloud", "google": "cloud", "azure": "cloud",
    "cloudflare": "cloud", "digitalocean": "cloud", "heroku": "cloud", "vercel": "cloud",
    "netlify": "cloud", "fly": "cloud", "alibaba": "cloud", "databricks": "cloud", "hashicorp": "cloud",
    "vault": "cloud", "terraform": "cloud", "doppler": "cloud", "supabase": "cloud", "render": "cloud",
    "github": "vcs-ci", "gitlab": "vcs-ci", "npm": "vcs-ci", "pypi": "vcs-ci", "docker": "vcs-ci",
    "circleci": "vcs-ci", "buildkite": "vcs-ci", "bitbucket": "vcs-ci", "jfrog": "vcs-ci", "artifactory": "vcs-ci",
    "nuget": "vcs-ci", "rubygems": "vcs-ci", "clojars": "vcs-ci", "postman": "vcs-ci", "linear": "vcs-ci",
    "stripe": "payment", "square": "payment", "paypal": "payment", "braintree": "payment",
    "flutterwave": "payment", "shopify": "payment", "clerk": "payment", "plaid": "payment",
    "sendgrid": "messaging", "twilio": "messaging", "slack": "messaging", "telegram": "messaging",
    "discord": "messaging", "mailgun": "messaging", "mailchimp": "messaging", "postmark": "messaging",
    "resend": "messaging", "sendinblue": "messaging", "brevo": "messaging",
    "sentry": "observability", "datadog": "observability", "new-relic": "observability",
    "newrelic": "observability", "grafana": "observability", "dynatrace": "observability",
    "honeycomb": "observability", "langsmith": "observability", "posthog": "observability",
    "planetscale": "database", "mongodb": "database", "postgres": "database", "jdbc": "database",
    "redis": "database", "pinecone": "database", "neon": "database", "uri": "database",
    "private-key": "private-key", "privatekey": "private-key",
    "openai": "ai", "anthropic": "ai", "huggingface": "ai", "groq": "ai", "cohere": "ai",
    "mistral": "ai", "perplexity": "ai", "replicate": "ai", "deepseek": "ai", "xai": "ai",
    "fireworks": "ai", "togetherai": "ai", "together": "ai", "openrouter": "ai", "cerebras": "ai",
    "generic": "generic",
}  # fmt: skip


def family_of(rule: str) -> str | None:
    key = rule.lower().removeprefix("pkg/detectors/")
    best = max((p for p in FAMILIES if key.startswith(p)), key=len, default=None)
    return FAMILIES[best] if best else None


# --------------------------------------------------------------------------- reading a peer tree


def peer_files(root: Path, pattern: re.Pattern[str]) -> Iterator[tuple[str, str]]:
    """(path, text) of the files whose path matches, from a work tree or a bare git directory."""
    if (root / "HEAD").is_file() and not (root / ".git").exists():
        names = subprocess.run(["git", "-C", str(root), "ls-tree", "-r", "--name-only", "HEAD"],
                               capture_output=True, text=True, check=True).stdout.split()
        for name in filter(pattern.search, names):
            blob = subprocess.run(["git", "-C", str(root), "show", f"HEAD:{name}"], capture_output=True)
            yield name, blob.stdout.decode("utf-8", "replace")
        return
    for path in sorted(root.rglob("*.go")):
        name = path.relative_to(root).as_posix()
        if pattern.search(name):
            yield name, path.read_text(encoding="utf-8", errors="replace")


# --------------------------------------------------------------------------- Go expressions

_TOKEN = re.compile(
    r'(?P<raw>`[^`]*`)|(?P<str>"(?:\\.|[^"\\\n])*")|(?P<chr>\'(?:\\.|[^\'\\])\')|(?P<comment>//[^\n]*|/\*.*?\*/)'
    r"|(?P<nl>\n)|(?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|(?P<num>[0-9]+)"
    r"|(?P<op>\.\.\.|:=|\+=|[-+*/%=(){}\[\],:;&|!<>.])|(?P<ws>[ \t\r]+)",
    re.S,
)
Value = Union[str, list[str], None]


def tokens(src: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for m in _TOKEN.finditer(src):
        kind = m.lastgroup or ""
        if kind in ("ws", "comment"):
            continue
        text = m.group()
        if kind == "raw":
            out.append(("str", text[1:-1]))
        elif kind == "str":
            out.append(("str", _unescape(text[1:-1])))
        else:
            out.append((kind, text))
    return out


def _unescape(body: str) -> str:
    try:
        return body.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError:
        return body


class Gen:
    """Random strings matching a regex (Go syntax is close enough to Python's for their rules)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def __call__(self, pattern: str) -> str | None:
        pattern = pattern.replace("(?i)", "").replace("\\z", "$").replace("\\A", "^")
        try:
            parsed = sre_parse.parse(pattern)
        except Exception:  # noqa: BLE001 - a Go-only construct: skip the case
            return None
        return self._seq(list(parsed))

    def _seq(self, items: list[Any]) -> str:
        return "".join(self._one(op, av) for op, av in items)

    def _one(self, op: Any, av: Any) -> str:
        c = sre_c
        if op is c.LITERAL:
            return chr(av)
        if op is c.NOT_LITERAL or op is c.ANY:
            return self.rng.choice("abcdefghijkmnpqrstuvwxyz0123456789")
        if op is c.IN:
            return self._class(av)
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            lo, hi, sub = av
            hi = min(hi if hi is not c.MAXREPEAT else lo + 8, lo + 8)
            return "".join(self._seq(list(sub)) for _ in range(self.rng.randint(lo, hi)))
        if op is c.SUBPATTERN:
            return self._seq(list(av[-1]))
        if op is c.BRANCH:
            return self._seq(list(self.rng.choice(av[1])))
        return ""  # anchors, assertions

    def _class(self, items: list[Any]) -> str:
        chars: list[str] = []
        c = sre_c
        for op, av in items:
            if op is c.LITERAL:
                chars.append(chr(av))
            elif op is c.RANGE:
                chars += [chr(x) for x in range(av[0], av[1] + 1)]
            elif op is c.CATEGORY:
                chars += {c.CATEGORY_DIGIT: list("0123456789"),
                          c.CATEGORY_WORD: list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"),
                          c.CATEGORY_SPACE: [" "]}.get(av, ["x"])
            elif op is c.NEGATE:
                return self.rng.choice("abcdefghijkmnpqrstuvwxyz0123456789")
        return self.rng.choice(chars or ["x"])


# Lines around a secret in several file formats (written for this script: the peers use
# such a list for their generated cases; these are aicheck's own templates).
SAMPLE_FORMATS = (
    '{i}Token = "{s}"', "{i}Token={s}", '{{\n  "{i}_token": "{s}"\n}}', "{i}_token: {s}", "{i}_token: '{s}'",
    'var {i}Token string = "{s}"', '{i}Token := "{s}"', 'String {i}Token = "{s}";', "${i}Token .= \"{s}\"",
    "{i}Token = '{s}'", '<{i}Token>\n    {s}\n</{i}Token>', '{{"config.ini": "{I}_TOKEN={s}\\nDEBUG=true"}}',
    'System.setProperty("{I}_TOKEN", "{s}")', '  "{i}Token" => "{s}"', '{I}_TOKEN ::= "{s}"', '{I}_TOKEN :::= "{s}"',
    '{I}_TOKEN ?= "{s}"',
)


class Evaluator:
    def __init__(self, consts: dict[str, Value], gen: Gen) -> None:
        self.vars: dict[str, Value] = dict(consts)
        self.gen = gen

    def expr(self, toks: list[tuple[str, str]], i: int) -> tuple[Value, int]:
        value, i = self.term(toks, i)
        while i < len(toks) and toks[i][1] == "+":
            i = self._skip_nl(toks, i + 1)
            right, i = self.term(toks, i)
            value = value + right if isinstance(value, str) and isinstance(right, str) else None
        return value, i

    @staticmethod
    def _skip_nl(toks: list[tuple[str, str]], i: int) -> int:
        while i < len(toks) and toks[i][0] == "nl":
            i += 1
        return i

    def term(self, toks: list[tuple[str, str]], i: int) -> tuple[Value, int]:
        kind, text = toks[i]
        if kind == "str":
            return text, i + 1
        if kind == "op" and text == "[" and toks[i + 1][1] == "]":  # []string{...}
            j = i + 3
            if toks[j][1] != "{":
                return None, j
            items, j = self.args(toks, j + 1, "}")
            return [x for x in _flatten(items) if x is not None], j
        if kind == "ident":
            if i + 1 < len(toks) and toks[i + 1][1] == "(":
                args, j = self.args(toks, i + 2, ")")
                return self.call(text, args), j
            return self.vars.get(text), i + 1
        if kind == "num":
            return text, i + 1
        return None, i + 1

    def args(self, toks: list[tuple[str, str]], i: int, close: str) -> tuple[list[Value], int]:
        items: list[Value] = []
        while i < len(toks):
            i = self._skip_nl(toks, i)
            if toks[i][1] == close:
                return items, i + 1
            value, i = self.expr(toks, i)
            items.append(value)
            i = self._skip_nl(toks, i)
            if i < len(toks) and toks[i][1] == "...":
                i += 1
            i = self._skip_nl(toks, i)
            if i < len(toks) and toks[i][1] == ",":
                i += 1
            elif i < len(toks) and toks[i][1] != close:
                depth = 0  # something we do not understand: skip to the closing bracket
                while i < len(toks) and not (depth == 0 and toks[i][1] in (close, ",")):
                    depth += toks[i][1] in "([{"
                    depth -= toks[i][1] in ")]}"
                    i += 1
                items[-1] = None
                if i < len(toks) and toks[i][1] == ",":
                    i += 1
        return items, i

    def call(self, name: str, args: list[Value]) -> Value:
        short = name.split(".")[-1]
        sizes = {"Numeric": "[0-9]{%s}", "Hex": "[a-f0-9]{%s}", "AlphaNumeric": "[a-z0-9]{%s}",
                 "AlphaNumericExtendedShort": "[a-z0-9_-]{%s}", "AlphaNumericExtended": "[a-z0-9=_\\-]{%s}",
                 "AlphaNumericExtendedLong": "[a-z0-9\\/=_\\+\\-]{%s}"}  # fmt: skip
        if short in sizes and args and isinstance(args[0], str):
            return sizes[short] % args[0]
        if short == "Hex8_4_4_4_12":
            return "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        if short in ("NewSecret", "newPlausibleSecret") and args and isinstance(args[0], str):
            return self.gen(args[0])
        if short == "GenerateSampleSecret" and len(args) == 2 and all(isinstance(a, str) for a in args):
            return f'{args[0]}_api_token = "{args[1]}"'
        if short == "GenerateSampleSecrets" and len(args) == 2 and all(isinstance(a, str) for a in args):
            ident, secret = str(args[0]), str(args[1])
            return [f.format(i=ident, I=ident.upper(), s=secret) for f in SAMPLE_FORMATS]
        if short == "append" and args and isinstance(args[0], list):
            return args[0] + [x for x in _flatten(args[1:]) if x is not None]
        if short == "Sprintf" and args and isinstance(args[0], str):
            rest = [a if isinstance(a, str) else None for a in args[1:]]
            if None in rest:
                return None
            try:
                return re.sub(r"%[sqv]", "{}", args[0].replace("%%", "%")).format(*rest)
            except (IndexError, ValueError):
                return None
        if short == "Repeat" and len(args) == 2 and isinstance(args[0], str) and str(args[1]).isdigit():
            return args[0] * int(str(args[1]))
        return None


def _flatten(items: list[Value]) -> list[str | None]:
    out: list[str | None] = []
    for item in items:
        out += item if isinstance(item, list) else [item]
    return out


def statements(toks: list[tuple[str, str]], ev: Evaluator) -> None:
    """Run ``x := expr``, ``x = expr``, ``x = append(...)`` and const blocks; skip the rest."""
    i = 0
    while i < len(toks):
        kind, text = toks[i]
        if kind == "ident" and i + 1 < len(toks) and toks[i + 1][1] in (":=", "="):
            value, j = ev.expr(toks, i + 2) if i + 2 < len(toks) else (None, i + 2)
            ev.vars[text] = value
            i = max(j, i + 1)
            continue
        i += 1


def consts(src: str, gen: Gen) -> dict[str, Value]:
    ev = Evaluator({}, gen)
    statements(tokens(src), ev)
    return {k: v for k, v in ev.vars.items() if isinstance(v, str)}


@dataclass
class Case:
    peer: str
    rule: str
    family: str
    positive: bool
    text: str


_FUNC = re.compile(r"^func \w+\(\) \*config\.Rule \{$", re.M)


def gitleaks_cases(root: Path, peer: str, gen: Gen) -> Iterator[Case | None]:
    for name, src in peer_files(root, re.compile(r"cmd/generate/config/rules/[^/]+\.go$")):
        if name.endswith("_test.go"):
            continue
        starts = [m.start() for m in _FUNC.finditer(src)] + [len(src)]
        top = consts(src[: starts[0]], gen)
        for a, b in zip(starts, starts[1:]):
            body = src[a:b]
            rid = re.search(r'RuleID:\s*"([^"]+)"', body)
            if not rid or not (family := family_of(rid.group(1))):
                continue
            ev = Evaluator(top, gen)
            statements(tokens(body), ev)
            for var, positive in (("tps", True), ("fps", False), ("truePositives", True), ("falsePositives", False)):
                value = ev.vars.get(var)
                if value is None and var in body:
                    yield None
                for text in value if isinstance(value, list) else []:
                    yield Case(peer, rid.group(1), family, positive, text) if text else None


_TEST_ROW = re.compile(r"\{\s*\n\s*name:\s*(?P<name>\"[^\n]*\"|`[^`]*`),\s*\n\s*input:\s*(?P<input>.*?),\s*\n\s*want:\s*(?P<want>[^\n]*?),?\s*\n", re.S)


def trufflehog_cases(root: Path, gen: Gen) -> Iterator[Case | None]:
    for name, src in peer_files(root, re.compile(r"pkg/detectors/.+_test\.go$")):
        if "_integration_test" in name:
            continue
        folder = name.split("/")[2]
        if not (family := family_of(folder)):
            continue
        top = consts(src[: src.find("\nfunc ")], gen)
        for row in _TEST_ROW.finditer(src):
            ev = Evaluator(top, gen)
            text, _ = ev.expr(tokens(row.group("input")), 0)
            want = row.group("want").strip()
            positive = not (want in ("nil", "[]string{}", "{}") or want.startswith("[]string{}"))
            yield Case("trufflehog", folder, family, positive, text) if isinstance(text, str) and text else None


# --------------------------------------------------------------------------- measuring aicheck


def aicheck_finds(texts: list[str], rules: Any) -> list[bool]:
    from aicheck.scan.scanner import scan_bytes
    from aicheck.scan.detector import Detector

    detector = Detector(rules)
    return [bool(scan_bytes(t.encode(), "case.txt", detector)[0]) for t in texts]


def measure(cases: list[Case]) -> dict[str, dict[str, Any]]:
    from aicheck.catalog import load

    found = aicheck_finds([c.text for c in cases], load().rules)
    table: dict[str, dict[str, Any]] = defaultdict(lambda: {"tp": 0, "tp_found": 0, "fp": 0, "fp_alarm": 0, "misses": [], "alarms": []})
    for case, hit in zip(cases, found):
        for key in (f"{case.peer}/{case.family}", f"all/{case.family}"):
            row = table[key]
            if case.positive:
                row["tp"] += 1
                row["tp_found"] += hit
                if not hit:
                    row["misses"].append(case)
            else:
                row["fp"] += 1
                row["fp_alarm"] += hit
                if hit:
                    row["alarms"].append(case)
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gitleaks", type=Path)
    parser.add_argument("--betterleaks", type=Path)
    parser.add_argument("--trufflehog", type=Path)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--json", type=Path, help="write the per-family figures here")
    parser.add_argument("--misses", help="print the missed positives and raised negatives of FAMILY (secrets redacted to their rule)")
    opts = parser.parse_args()
    gen = Gen(opts.seed)
    cases: list[Case] = []
    unparsed = 0
    sources = [(opts.gitleaks, lambda p: gitleaks_cases(p, "gitleaks", gen)),
               (opts.betterleaks, lambda p: gitleaks_cases(p, "betterleaks", gen)),
               (opts.trufflehog, lambda p: trufflehog_cases(p, gen))]  # fmt: skip
    for path, read in sources:
        if path is None:
            continue
        for case in read(path):
            if case is None:
                unparsed += 1
            else:
                cases.append(case)
    table = measure(cases)
    print(f"{'peer/family':28} {'recall':>14} {'false alarms':>14}")
    for key in sorted(table):
        row = table[key]
        recall = f"{row['tp_found']}/{row['tp']} {100 * row['tp_found'] / row['tp']:5.1f}%" if row["tp"] else "-"
        alarms = f"{row['fp_alarm']}/{row['fp']} {100 * row['fp_alarm'] / row['fp']:5.1f}%" if row["fp"] else "-"
        print(f"{key:28} {recall:>14} {alarms:>14}")
    print(f"cases: {len(cases)} evaluated, {unparsed} not understood by the evaluator (skipped)")
    if opts.misses:
        row = table.get(f"all/{opts.misses}")
        for label, items in (("missed", row["misses"] if row else []), ("alarm", row["alarms"] if row else [])):
            for case in items:
                print(f"--- {label} {case.peer} {case.rule}\n{case.text[:400]}")
    if opts.json:
        slim = {k: {f: v for f, v in row.items() if f not in ("misses", "alarms")} for k, row in table.items()}
        opts.json.write_text(json.dumps(slim, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
