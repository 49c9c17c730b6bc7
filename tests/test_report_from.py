"""``aicheck report --from``: the report built from the JSON the other commands saved earlier."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakes.chat_fixtures import chat_server  # noqa: F401 - fixture

from tests.fakes.providers import ANSWERS, FakeProviders
from tests.report_kit import Saved, invoke, keys_env, make_project, run


def report_json(saved: Saved, tmp_path: Path, *args: str) -> dict[str, object]:
    out = run("--from", *map(str, saved.files.values()), *args, "--format", "json", cwd=saved.project.root, state=tmp_path / "state")
    assert out.returncode == 0, out.stderr
    document: dict[str, object] = json.loads(out.stdout)
    return document


def test_each_file_becomes_the_part_its_command_names(saved: Saved, tmp_path: Path) -> None:
    document = report_json(saved, tmp_path)
    assert document["command"] == "report" and document["tool"] == "aicheck"
    parts = {part["name"]: part for part in document["results"]}  # type: ignore[attr-defined]
    assert {name: part["status"] for name, part in parts.items()} == dict.fromkeys(("scan", "env", "keys", "smoke", "code"), "ran")
    for name, path in saved.files.items():
        original = json.loads(path.read_text())
        assert parts[name]["source"] == str(path)
        assert parts[name]["summary"] == original["summary"]
        items = "findings" if name in ("scan", "env", "code") else "results"
        assert parts[name][items] == original[items]


def test_the_score_reads_what_each_command_found(saved: Saved, tmp_path: Path) -> None:
    summary = report_json(saved, tmp_path)["summary"]
    reasons = {d["check"]: d for d in summary["deductions"]}  # type: ignore[index]
    assert "OPENAI_API_KEY" in reasons["keys"]["reason"] and "has no credit left" in reasons["keys"]["reason"]
    assert reasons["keys"]["command"] == "aicheck keys validate --env-file .env"
    assert reasons["smoke"]["reason"] == "smoke prompt 'title': expectation not met (icontains)"
    assert reasons["slo"]["reason"].startswith("p95 latency ") and reasons["slo"]["reason"].endswith("misses the SLO of 250 ms")
    assert reasons["headroom"]["reason"] == "groq requests rate limit nearly used up: 310 of 14400 left (GROQ_API_KEY)"
    assert reasons["fallback"]["command"] == "aicheck smoke --drill groq/llama-3.3-70b-versatile"
    assert reasons["env"]["reason"] == "Key missing from the example: 1 low finding in .env:3"
    assert summary["score"] == 100 - sum(d["points"] for d in summary["deductions"])  # type: ignore[index]
    providers = [item["provider"] for item in summary["latency"]]  # type: ignore[index]
    assert providers == ["groq", "openrouter"] and len(summary["latency"][0]["samples"]) == 7  # type: ignore[index]


def test_files_may_follow_one_from(saved: Saved, tmp_path: Path) -> None:
    first, *rest = map(str, saved.files.values())
    out = run("--from", first, *rest, "--format", "json", cwd=saved.project.root, state=tmp_path)
    assert out.returncode == 0, out.stderr
    assert all(part["status"] == "ran" for part in json.loads(out.stdout)["results"])


def test_a_part_without_a_file_says_so(saved: Saved, tmp_path: Path) -> None:
    out = run("--from", str(saved.files["scan"]), cwd=saved.project.root, state=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "no 'smoke' result among the --from files" in out.stdout
    assert "no 'keys validate' result among the --from files" in out.stdout


def test_skip_applies_to_files_too(saved: Saved, tmp_path: Path) -> None:
    parts = {p["name"]: p for p in report_json(saved, tmp_path, "--skip", "smoke", "--skip", "keys")["results"]}  # type: ignore[union-attr]
    assert (parts["smoke"]["status"], parts["smoke"]["reason"]) == ("skipped", "--skip smoke")
    assert parts["keys"]["status"] == "skipped" and parts["scan"]["status"] == "ran"


BAD_FILES = {
    "not-json.json": ("this is not json", "not JSON"),
    "other-tool.json": ('{"version": "2.1.0", "runs": []}', 'not an aicheck JSON result'),
    "report.json": ('{"tool": "aicheck", "schema": 1, "command": "report", "results": [], "summary": {}}', "an aicheck report, not a check's result"),
    "init.json": ('{"tool": "aicheck", "schema": 1, "command": "init", "results": [], "summary": {}}', "an 'aicheck init' result, which a report is not built from"),
    "schema.json": ('{"tool": "aicheck", "schema": 2, "command": "scan", "findings": [], "summary": {}}', "JSON schema 2; this aicheck reads schema 1"),
    "cut.json": ('{"tool": "aicheck", "schema": 1, "command": "smoke", "summary": {}}', 'incomplete \'smoke\' result (no "results" list'),
    "binary.json": ("\udcff\udcfe", "not UTF-8 text"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_file_that_is_not_a_checks_json_is_a_clear_error(name: str, tmp_path: Path) -> None:
    text, message = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    out = run("--from", str(path), cwd=tmp_path, state=tmp_path / "state")
    assert out.returncode == 2
    assert out.stderr.startswith(f"aicheck: error: {path}: ") and message in out.stderr
    assert "--from takes the JSON of aicheck scan, env check, keys validate or smoke" in out.stderr or name in ("schema.json", "cut.json")


def test_a_missing_file_and_two_files_of_one_command_are_errors(saved: Saved, tmp_path: Path) -> None:
    missing = run("--from", str(tmp_path / "nope.json"), cwd=tmp_path, state=tmp_path)
    assert missing.returncode == 2 and "nope.json: cannot read" in missing.stderr
    scan = str(saved.files["scan"])
    twice = run("--from", scan, scan, cwd=tmp_path, state=tmp_path)
    assert twice.returncode == 2 and "a second 'scan' result" in twice.stderr


def test_files_without_from_are_a_usage_error(saved: Saved, tmp_path: Path) -> None:
    out = run(str(saved.files["scan"]), cwd=tmp_path, state=tmp_path)
    assert out.returncode == 2 and "use --from FILE" in out.stderr


def test_a_live_key_in_a_saved_scan_caps_the_score(fake: FakeProviders, tmp_path: Path) -> None:
    project = make_project(tmp_path / "app", expose=True)
    fake.answer("openai", ANSWERS["openai"]["valid"], key=project.keys["OPENAI_API_KEY"])
    scan = tmp_path / "scan.json"
    saved_scan = invoke("scan", "src", "--verify", "--format", "json", "--output", str(scan), cwd=project.root, env=keys_env(fake, tmp_path))
    assert saved_scan.returncode == 1, saved_scan.stderr
    out = run("--from", str(scan), "--fail-under", "80", cwd=project.root, state=tmp_path / "state")
    assert out.returncode == 1
    assert "-40" in out.stdout and "a live OpenAI key in src/config.ts:1" in out.stdout and "aicheck scan --verify" in out.stdout
    assert "Score 20/100" in out.stdout and "a live exposed key: the score is at most 20" in out.stdout
    assert "FAILED: score 20 < --fail-under 80." in out.stdout
