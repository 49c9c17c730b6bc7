"""Run ``aicheck code``: list the source files, find the call sites, apply the rules."""

from __future__ import annotations

import posixpath
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from aicheck import config as config_mod
from aicheck.code import checks
from aicheck.code.parse import LANGUAGES
from aicheck.code.result import CodeFinding, CodeResult
from aicheck.code.rules import CodeRules, load
from aicheck.code.sites import FileFacts, read_file
from aicheck.errors import AicheckError
from aicheck.scan.files import list_targets, resolve_root, skip_reason

MAX_FILE_SIZE = 1_000_000  # hand-written source; a bigger .js is a bundle, not the app's code
ALLOW = re.compile(rb"aicheck:allow\b(?!-)((?:[ \t,]+llm-[a-z-]+)*)")
DEFAULT_EXCLUDE = [
    "**/node_modules/**", "**/*.min.js", "**/dist/**", "**/build/**", "**/.next/**",
    # Tests call mocks and fakes, not providers: openai-python's tests/ alone held 541 findings.
    "**/tests/**", "**/test/**", "**/__tests__/**", "**/__testfixtures__/**", "**/__mocks__/**",
    "**/*.test.*", "**/*.spec.*", "**/test_*.py", "**/*_test.py", "**/conftest.py",
]


@dataclass
class CodeRequest:
    paths: list[Path]
    config: Path | None = None
    disable: list[str] = field(default_factory=list)


def run_code(request: CodeRequest) -> CodeResult:
    started = time.perf_counter()
    paths = request.paths or [Path(".")]
    root, top = resolve_root(paths)
    cfg = config_mod.load(top or root, request.config).section("code")
    rules = load()
    disabled = set(cfg.get("disable_rules", [])) | set(request.disable)
    unknown = disabled - set(rules.rules)
    if unknown:
        raise AicheckError(f"unknown code rule(s) to disable: {', '.join(sorted(unknown))} (known: {', '.join(rules.rules)})")
    listed = list(list_targets(paths, root, top, [*DEFAULT_EXCLUDE, *cfg.get("exclude", [])]))
    targets = [t for t in listed if _suffix(t.rel) in LANGUAGES and skip_reason(t, MAX_FILE_SIZE) is None]
    vite_roots = frozenset(posixpath.dirname(t.rel) for t in listed if posixpath.basename(t.rel).startswith("vite.config."))
    result = CodeResult(str(root), [], rules=[r for r in rules.rules if r not in disabled], files=len(targets))
    all_facts: list[FileFacts] = []
    for target in targets:
        try:
            facts = _read(target.path, target.rel, rules)
            found = checks.check_file(facts, rules, vite_roots) if facts is not None else []
        except RecursionError:  # a pathological nesting depth: the file is skipped, the run goes on
            result.notes.append(f"{target.rel}: nested too deeply to check; skipped")
            continue
        if facts is None:
            continue
        result.parsed += 1
        result.sites += len(facts.sites)
        result.notes.extend(facts.notes)
        all_facts.append(facts)
        for item in found:
            _keep(result, item, facts.lines, disabled)
    if all(path.is_dir() for path in paths):  # changed files alone say nothing about the whole app
        _fallback(result, all_facts, rules, disabled)
    result.sdks = sorted({s.sdk.id for f in all_facts for s in f.sites if s.sdk is not None})
    result.findings.sort(key=lambda item: item.sort_key)
    result.duration_s = time.perf_counter() - started
    return result


def _read(path: Path, rel: str, rules: CodeRules) -> FileFacts | None:
    try:
        source = path.read_bytes()[:MAX_FILE_SIZE]
    except OSError:
        return None
    if b"\0" in source[:8192] or not _keywords(rules).search(source):
        return None
    return read_file(rel, LANGUAGES[_suffix(rel)], source, rules)


def _suffix(rel: str) -> str:
    return posixpath.splitext(rel)[1]


def _keywords(rules: CodeRules) -> re.Pattern[bytes]:
    return _alternatives(rules.keywords)


@lru_cache(maxsize=4)
def _alternatives(words: tuple[bytes, ...]) -> re.Pattern[bytes]:
    """One pass for the pre-filter: literal alternatives only, so linear in the file."""
    return re.compile(b"|".join(re.escape(word) for word in words))


def _keep(result: CodeResult, item: CodeFinding, lines: list[bytes], disabled: set[str]) -> None:
    if item.rule in disabled:
        return
    if _allowed(lines, item):
        result.allowed += 1
        return
    result.findings.append(item)


def _allowed(lines: list[bytes], item: CodeFinding) -> bool:
    """``aicheck:allow`` (optionally followed by rule ids) on the finding's line or the line above."""
    for row in (item.line - 1, item.line - 2):
        if 0 <= row < len(lines):
            match = ALLOW.search(lines[row])
            if match and (not match.group(1).strip() or item.rule.encode() in match.group(1)):
                return True
    return False


def _fallback(result: CodeResult, all_facts: list[FileFacts], rules: CodeRules, disabled: set[str]) -> None:
    hit = checks.fallback(all_facts, rules)
    if hit is None or hit.rule in disabled:
        return
    facts = next(f for f in all_facts if f.rel == hit.fields["_file"])
    result.findings.append(checks.finding(hit, facts, rules))
