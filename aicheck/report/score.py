"""The score: 100, less a deduction for each problem, each with its reason and the command that
shows the detail. README.md ("The score") documents the same table; a test keeps the two in step.

A live exposed key (a scan finding whose key works, or a working key in a variable the browser
bundle publishes) caps the score at ``LIVE_KEY_CAP`` whatever else is fine: nothing else in the
report matters while anyone can spend on that key. A real key exposed (a credential in a
provider's own format at high or critical, or a committed .env holding secrets) caps it at
``REAL_KEY_CAP``. Findings that are ``info`` (test fixtures, public keys, obviously fake values:
``aicheck.severity``) cost nothing. Deductions are grouped by cause (one rule, one env check),
each with the command that explains or fixes it. A part that was skipped deducts nothing; the
report says which parts the score covers.
"""

from __future__ import annotations

import functools
from pathlib import Path
from collections.abc import Iterable, Sequence
from typing import Any

from aicheck.report.model import (
    ERROR, NO_FALLBACK, NOT_PROVEN, BudgetUse, Deduction, Fallback, Headroom, Part, Score, Slo,
)

LIVE_KEY_POINTS = 40
LIVE_KEY_CAP = 20
REAL_KEY_CAP = 50
REAL_SEVERITIES = ("critical", "high")
# env checks that mean secrets are readable by others: a committed .env, a secret the bundle publishes
ENV_EXPOSURES = ("env.tracked-secret", "env.client-exposed-secret", "env.keys-file-committed")
SCAN_POINTS = {"critical": 20, "high": 10, "medium": 5, "low": 2}
SCAN_MAX = 60
ENV_POINTS = {"critical": 15, "high": 8, "medium": 3, "low": 1}
ENV_MAX = 40
KEY_POINTS = {"invalid": 15, "no_credit": 15, "restricted": 15, "unreachable": 5, "unknown": 5}
KEYS_MAX = 40
SMOKE_POINTS = {"error": 15, "failed": 8}
SMOKE_MAX = 40
SLO_POINTS = {"availability": 10, "error_rate": 5, "p95_latency_ms": 5, "cost_per_request_usd": 5}
BUDGET_POINTS = 5
BUDGET_WARN = 0.9  # of the daily budget spent
HEADROOM_POINTS = 3
HEADROOM_LOW = 0.1  # of a rate limit left
HEADROOM_MAX = 9
NO_FALLBACK_POINTS = 10
UNPROVEN_FALLBACK_POINTS = 5
PART_ERROR_POINTS = 10
CODE_POINTS = {"critical": 15, "high": 8, "medium": 3, "low": 1}  # per rule and file (aicheck code)
CODE_MAX = 30
EXAMPLES = 3  # locations named in a grouped reason
PUBLISHED = ("env.client-exposed-secret", "env.next-client-secret")  # env checks of a secret the browser gets

SEVERITIES = ("critical", "high", "medium", "low")
KEY_WORDS = {
    "invalid": "is invalid (wrong or revoked)", "no_credit": "has no credit left", "restricted": "is restricted (valid, not allowed)",
    "unreachable": "could not be checked (provider unreachable)", "unknown": "got an answer that was not understood",
}


def score(
    parts: Sequence[Part],
    slos: Sequence[Slo] = (),
    budget: BudgetUse | None = None,
    headroom: Sequence[Headroom] = (),
    fallback: Fallback | None = None,
) -> Score:
    """The score of what the parts found and smoke measured (pure: same input, same score)."""
    by_name = {part.name: part for part in parts}
    live = [*live_keys(by_name.get("scan")), *published_keys(by_name.get("env"), by_name.get("keys"))]
    deductions = [
        *part_errors(parts),
        *live,
        *exposed(by_name.get("scan")),
        *env_problems(by_name.get("env")),
        *code_problems(by_name.get("code")),
        *failing_keys(by_name.get("keys")),
        *smoke_failures(by_name.get("smoke")),
        *slo_breaches(slos),
        *budget_use(budget),
        *low_headroom(headroom),
        *fallback_gap(fallback),
    ]
    deductions.sort(key=lambda d: -d.points)  # the worst first; equal ones keep their order
    value = max(0, 100 - sum(d.points for d in deductions))
    if live:
        why = f"{'a live exposed key' if len(live) == 1 else f'{len(live)} live exposed keys'}: the score is at most {LIVE_KEY_CAP}"
        return Score(min(value, LIVE_KEY_CAP), tuple(deductions), LIVE_KEY_CAP, why)
    real = real_exposures(by_name.get("scan"), by_name.get("env"))
    if real:
        why = f"a real key exposed ({real[0]}{f' and {len(real) - 1} more' if len(real) > 1 else ''}): the score is at most {REAL_KEY_CAP}"
        return Score(min(value, REAL_KEY_CAP), tuple(deductions), REAL_KEY_CAP, why)
    return Score(value, tuple(deductions))


def real_exposures(scan: Part | None, env: Part | None) -> list[str]:
    """Where a real key is exposed: a provider-format credential at high or critical (not a
    generic match, not info), or a committed or published .env secret."""
    found = [
        f"{item.get('rule_name') or item.get('rule')} in {where(item)}"
        for item in (scan.items if scan is not None and scan.ran else [])
        if item.get("severity") in REAL_SEVERITIES and not _generic(item)
    ]
    found += [
        f"{item.get('title') or item.get('id')} in {where(item)}"
        for item in (env.items if env is not None and env.ran else [])
        if item.get("id") in ENV_EXPOSURES and item.get("severity") in REAL_SEVERITIES
    ]
    return found


# --- the checks' findings -------------------------------------------------------------------


def part_errors(parts: Iterable[Part]) -> list[Deduction]:
    return [
        Deduction(PART_ERROR_POINTS, f"{part.command} could not run: {part.reason}", f"aicheck {part.command}", part.name)
        for part in parts if part.status == ERROR
    ]


def live_keys(part: Part | None) -> list[Deduction]:
    if part is None or not part.ran:
        return []
    return [
        Deduction(LIVE_KEY_POINTS, f"a live {_provider_name(item)} key in {where(item)}", "aicheck scan --verify", "scan")
        for item in part.items if is_live(item)
    ]


def published_keys(env: Part | None, keys: Part | None) -> list[Deduction]:
    """A working key in a variable the front-end bundle publishes (VITE_..., NEXT_PUBLIC_...) is
    as exposed as one in a committed file."""
    if env is None or keys is None or not env.ran or not keys.ran:
        return []
    working = {str(item["variable"]): item for item in keys.items if item.get("status") == "valid" and item.get("variable")}
    return [
        Deduction(LIVE_KEY_POINTS, f"a live {_provider_name(working[str(item['key'])])} key in {item['key']} ({where(item)}), which the browser bundle publishes",
                  "aicheck env check", "env")
        for item in env.items if item.get("id") in PUBLISHED and str(item.get("key")) in working
    ]


def exposed(part: Part | None) -> list[Deduction]:
    """One deduction per rule (the cause), its points the sum of its findings' severities."""
    if part is None or not part.ran:
        return []
    found = [item for item in part.items if not is_live(item) and item.get("severity") in SCAN_POINTS]
    groups = []
    for rule, items in _by(found, "rule").items():
        name = str(items[0].get("rule_name") or rule)
        noun = "finding" if len(items) == 1 else "findings"
        places = _examples(where(item) for item in items)
        command = "aicheck scan" if _generic(items[0]) else "aicheck scan --verify"
        groups.append(Deduction(sum(SCAN_POINTS[str(item["severity"])] for item in items),
                                f"{name}: {len(items)} {_severities(items)} {noun} in {places}", command, "scan"))
    return capped(sorted(groups, key=lambda d: -d.points), SCAN_MAX, "exposed credentials")


def env_problems(part: Part | None) -> list[Deduction]:
    """One deduction per env check (the cause), its points the sum of its findings' severities."""
    if part is None or not part.ran:
        return []
    found = [item for item in part.items if item.get("severity") in ENV_POINTS]
    groups = []
    for check, items in _by(found, "id").items():
        title = str(items[0].get("title") or check)
        if all("(design warning)" in str(item.get("message")) for item in items):
            title += " (design warning)"
        noun = "finding" if len(items) == 1 else "findings"
        places = _examples(where(item) for item in items)
        groups.append(Deduction(sum(ENV_POINTS[str(item["severity"])] for item in items),
                                f"{title}: {len(items)} {_severities(items)} {noun} in {places}", _env_command(items), "env"))
    return capped(sorted(groups, key=lambda d: -d.points), ENV_MAX, ".env problems")


def _by(items: Iterable[dict[str, Any]], name: str) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        groups.setdefault(str(item.get(name)), []).append(item)
    return groups


def _severities(items: Sequence[dict[str, Any]]) -> str:
    counts = {s: sum(1 for item in items if item.get("severity") == s) for s in SEVERITIES}
    present = [s for s in SEVERITIES if counts[s]]
    return present[0] if len(present) == 1 else "/".join(present)


def _generic(item: dict[str, Any]) -> bool:
    rule = _rules().get(str(item.get("rule")))
    return rule.generic if rule is not None else item.get("provider") is None and str(item.get("rule", "")).startswith("generic")


def _env_command(items: Sequence[dict[str, Any]]) -> str:
    """env check of the app folder the findings are in (a monorepo's apps are checked on their own)."""
    app = items[0].get("app")
    return f"cd {app} && aicheck env check" if isinstance(app, str) and app not in ("", ".") else "aicheck env check"


def code_problems(part: Part | None) -> list[Deduction]:
    """The app's LLM call sites: each rule counts once per file, however many calls break it.
    Demo code (examples/, docs/, cookbook/ …) is listed by ``aicheck code`` but costs no points:
    an SDK's examples are not the app (openai-python's examples alone took the cap of 30)."""
    from aicheck.severity import is_demo_location

    if part is None or not part.ran:
        return []
    groups = []
    app_items = [item for item in part.items if not is_demo_location(str(item.get("file", "")))]
    for severity in SEVERITIES:
        pairs = sorted({(str(item.get("rule")), str(item.get("file"))) for item in app_items if item.get("severity") == severity})
        if pairs:
            noun = "LLM code problem" if len(pairs) == 1 else "LLM code problems"
            places = _examples(f"{rule} in {file}" for rule, file in pairs)
            groups.append(Deduction(CODE_POINTS[severity] * len(pairs), f"{len(pairs)} {severity} {noun}: {places}", "aicheck code", "code"))
    return capped(groups, CODE_MAX, "LLM code problems")


def failing_keys(part: Part | None) -> list[Deduction]:
    if part is None or not part.ran:
        return []
    found = [
        Deduction(KEY_POINTS[status], f"the {_provider_name(item) or 'unknown provider'} key {key_label(item)} {KEY_WORDS[status]}",
                  keys_command(item), "keys")
        for item in part.items if (status := str(item.get("status"))) in KEY_POINTS
    ]
    return capped(sorted(found, key=lambda d: -d.points), KEYS_MAX, "key")


def smoke_failures(part: Part | None) -> list[Deduction]:
    if part is None or not part.ran:
        return []
    found = []
    for item in part.items:
        status = str(item.get("status"))
        if status == "error":
            found.append(Deduction(SMOKE_POINTS["error"], f"smoke prompt '{item.get('name')}': no provider answered", "aicheck smoke", "smoke"))
        elif status == "failed":
            unmet = [str(a.get("name")) for a in item.get("assertions") or [] if isinstance(a, dict) and a.get("passed") is False]
            what = f" ({', '.join(unmet)})" if unmet else ""
            found.append(Deduction(SMOKE_POINTS["failed"], f"smoke prompt '{item.get('name')}': expectation not met{what}", "aicheck smoke", "smoke"))
    return capped(sorted(found, key=lambda d: -d.points), SMOKE_MAX, "smoke")


# --- what smoke measured, budget, headroom, fallback -----------------------------------------


def slo_breaches(slos: Iterable[Slo]) -> list[Deduction]:
    return [
        Deduction(SLO_POINTS[slo.name], f"{slo.label} {format_slo(slo.name, slo.measured)} misses the SLO of {format_slo(slo.name, slo.target)}",
                  "aicheck smoke", "slo")
        for slo in slos if slo.met is False and slo.name in SLO_POINTS
    ]


def budget_use(budget: BudgetUse | None) -> list[Deduction]:
    fraction = budget.day_fraction if budget else None
    if budget is None or fraction is None or fraction < BUDGET_WARN:
        return []
    reason = f"today's spend ${budget.spent_today_usd:.4f} is {fraction * 100:.0f} % of the ${budget.per_day_usd:.2f} daily budget"
    return [Deduction(BUDGET_POINTS, reason, "aicheck smoke", "budget")]


def low_headroom(items: Iterable[Headroom]) -> list[Deduction]:
    found = [
        Deduction(HEADROOM_POINTS, f"{item.provider} {item.kind} rate limit nearly used up: {_num(item.remaining)} of {_num(item.limit)} left ({item.key})",
                  "aicheck keys validate" if item.source == "keys validate" else "aicheck smoke", "headroom")
        for item in items if item.fraction is not None and item.fraction < HEADROOM_LOW
    ]
    return capped(found, HEADROOM_MAX, "rate-limit headroom")


def fallback_gap(fallback: Fallback | None) -> list[Deduction]:
    if fallback is None:
        return []
    if fallback.status == NO_FALLBACK:
        return [Deduction(NO_FALLBACK_POINTS, f"no fallback: [[chain]] has one provider ({', '.join(fallback.providers)})", "aicheck smoke", "fallback")]
    if fallback.status == NOT_PROVEN:
        first = fallback.providers[0] if fallback.providers else "PROVIDER"
        return [Deduction(UNPROVEN_FALLBACK_POINTS, f"fallback not proven: no passing drill with {first} failing", f"aicheck smoke --drill {first}", "fallback")]
    return []


# --- helpers -----------------------------------------------------------------------------------


def capped(deductions: list[Deduction], most: int, what: str) -> list[Deduction]:
    """The deductions in order until they reach ``most``: one kind of problem cannot take
    the whole score; the one that reaches the cap says so, the rest are left out."""
    kept: list[Deduction] = []
    total = 0
    for deduction in deductions:
        points = min(deduction.points, most - total)
        if points <= 0:
            break
        reason = deduction.reason if points == deduction.points else f"{deduction.reason} (deductions for {what} stop at {most})"
        kept.append(Deduction(points, reason, deduction.command, deduction.check))
        total += points
    return kept


def keys_command(item: dict[str, Any]) -> str:
    """The command that checks this key again: from the environment, or from its .env file."""
    source = str(item.get("source") or "")
    if source.startswith("environment") or ": " not in source:
        return "aicheck keys validate --from-env"
    return f"aicheck keys validate --env-file {Path(source.rsplit(': ', 1)[0]).name}"


def is_live(item: dict[str, Any]) -> bool:
    verification = item.get("verification")
    return isinstance(verification, dict) and verification.get("status") == "valid"


def where(item: dict[str, Any]) -> str:
    file, line = str(item.get("file") or "?"), item.get("line")
    return f"{file}:{line}" if isinstance(line, int) and line > 0 else file


def key_label(item: dict[str, Any]) -> str:
    name, redacted = item.get("variable"), item.get("key_redacted")
    return f"{name} ({redacted})" if name and redacted else str(name or redacted or "?")


def format_slo(name: str, value: float | None) -> str:
    if value is None:
        return "-"
    if name in ("availability", "error_rate"):
        return f"{value * 100:.4g} %"
    if name == "p95_latency_ms":
        return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"
    return f"${value:.6f}".rstrip("0").rstrip(".")


def _examples(places: Iterable[str]) -> str:
    listed = list(places)
    shown = ", ".join(listed[:EXAMPLES])
    return shown + (f" and {len(listed) - EXAMPLES} more" if len(listed) > EXAMPLES else "")


def _num(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _provider_name(item: dict[str, Any]) -> str:
    provider = item.get("provider")
    return _names().get(str(provider), str(provider)) if provider else str(item.get("rule_name") or item.get("rule") or "")


@functools.lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    from aicheck import catalog

    return {rule.id: rule for rule in catalog.load().rules}


@functools.lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    from aicheck import catalog

    return {provider.id: provider.name for provider in catalog.load().providers}
