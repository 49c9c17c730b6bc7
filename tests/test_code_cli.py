"""``aicheck code`` as users run it: exit codes, the six formats, config, allow markers, the
app-wide fallback note, git-aware listing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.codekit import found, run, write_app
from tests.envkit import aicheck, invoke

FORMATS = ["text", "json", "sarif", "junit", "github", "markdown"]
APP = {
    "server.py": '''
    from openai import OpenAI
    from anthropic import Anthropic

    client = OpenAI()
    claude = Anthropic(timeout=20, max_retries=2)
    ''',
}


def test_exit_codes_in_a_real_process(tmp_path: Path) -> None:
    write_app(tmp_path, APP)
    out = aicheck("code", cwd=tmp_path, env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"})
    assert out.returncode == 1 and "llm-no-timeout" in out.stdout and "server.py" in out.stdout
    assert aicheck("code", "--exit-zero", cwd=tmp_path).returncode == 0
    bad = aicheck("code", "nowhere", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.startswith("aicheck: error: nowhere: no such file")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format(tmp_path: Path, fmt: str) -> None:
    write_app(tmp_path, APP)
    out = invoke("code", "--format", fmt, cwd=tmp_path)
    assert out.returncode == 1 and "\x1b[" not in out.stdout
    if fmt == "json":
        document = json.loads(out.stdout)
        assert document["command"] == "code" and document["findings"][0]["rule"] == "llm-no-timeout"
        assert document["findings"][0]["line"] == 4 and document["summary"]["by_rule"] == {"llm-no-timeout": 1}
    elif fmt == "sarif":
        run_ = json.loads(out.stdout)["runs"][0]
        assert run_["results"][0]["ruleId"] == "llm-no-timeout" and run_["tool"]["driver"]["rules"][0]["id"] == "llm-no-timeout"
        assert run_["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
    elif fmt == "junit":
        suite = ElementTree.fromstring(out.stdout).find("testsuite")
        assert suite is not None and suite.get("failures") == "1" and int(suite.get("tests", "0")) >= 9
    elif fmt == "github":
        assert out.stdout.startswith("::warning file=server.py,line=4,")
    elif fmt == "markdown":
        assert "| `server.py` | 4 |" in out.stdout
    else:
        assert "llm-no-timeout" in out.stdout and "600 s" in out.stdout and "fix:" in out.stdout


def test_clean_app_exits_0_and_quiet_prints_nothing(tmp_path: Path) -> None:
    write_app(tmp_path, {"server.py": "from openai import OpenAI\nclient = OpenAI(timeout=20)\n"})
    out = invoke("code", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.startswith("No problems found at 1 LLM call site")
    assert invoke("code", "--quiet", cwd=tmp_path).stdout == ""


def test_allow_marker_disable_rules_and_exclude(tmp_path: Path) -> None:
    files = {
        "a.py": "from openai import OpenAI\nclient = OpenAI()  # aicheck:allow llm-no-timeout\n",
        "b.py": "from openai import OpenAI\nclient = OpenAI()  # aicheck:allow llm-output-uncapped\n",
        "vendor/c.py": "from openai import OpenAI\nclient = OpenAI()\n",
    }
    result = run(tmp_path, files)
    assert found(result) == {("llm-no-timeout", "b.py", 2), ("llm-no-timeout", "vendor/c.py", 2)} and result.allowed == 1
    (tmp_path / "aicheck.toml").write_text('[code]\ndisable_rules = ["llm-no-fallback"]\nexclude = ["vendor/**"]\n')
    assert found(run(tmp_path, {}), fallback=True) == {("llm-no-timeout", "b.py", 2)}
    (tmp_path / "aicheck.toml").write_text('[code]\ndisabled = ["x"]\n')
    out = invoke("code", cwd=tmp_path)
    assert out.returncode == 2 and "unknown key 'code.disabled'" in out.stderr


def test_one_provider_one_model_is_an_info_note(tmp_path: Path) -> None:
    one = {"api.py": '''
    from openai import OpenAI
    client = OpenAI(timeout=20)
    def ask(q):
        return client.chat.completions.create(model="gpt-4o-mini", max_tokens=100, messages=[])
    def summarize(q):
        return client.chat.completions.create(model="gpt-4o-mini", max_tokens=100, messages=[])
    '''}
    result = run(tmp_path / "one", one)
    assert found(result, fallback=True) == {("llm-no-fallback", "api.py", 2)}
    note = result.findings[0]
    assert note.severity == "info" and "aicheck smoke --drill" in note.fix and "gpt-4o-mini" in note.message
    assert invoke("code", cwd=tmp_path / "one").returncode == 0  # info alone does not fail the run
    configured = {"api.py": one["api.py"].replace('model="gpt-4o-mini"', 'model=os.environ["MODEL"]')}
    assert found(run(tmp_path / "configured", configured), fallback=True) == set()
    two = {**one, "rank.py": '''
    from anthropic import Anthropic
    claude = Anthropic(timeout=20)
    def rank(q):
        return claude.messages.create(model="claude-3-5-haiku-latest", max_tokens=100, messages=[])
    '''}
    assert found(run(tmp_path / "two", two), fallback=True) == set()


def test_git_aware_listing_skips_ignored_files(tmp_path: Path) -> None:
    write_app(tmp_path, {**APP, ".gitignore": "generated/\n", "generated/client.py": APP["server.py"]})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    result = run(tmp_path, {})
    assert {item.file for item in result.findings} == {"server.py"}


def test_tests_are_not_the_app(tmp_path: Path) -> None:
    client = "from openai import OpenAI\nclient = OpenAI(max_retries=0)\n"
    files = {"tests/test_chat.py": client, "web/chat.test.ts": "import OpenAI from 'openai';\nnew OpenAI();\n", "app/llm.py": client}
    assert {item.file for item in run(tmp_path, files).findings} == {"app/llm.py"}


def test_broken_and_binary_files_do_not_stop_the_run(tmp_path: Path) -> None:
    files = {"broken.py": "from openai import OpenAI\nclient = OpenAI(\n  def :\n", "ok.ts": "import OpenAI from 'openai';\nnew OpenAI();\n"}
    write_app(tmp_path, files)
    (tmp_path / "blob.js").write_bytes(b"openai\0\0\0" * 100)
    result = run(tmp_path, {})
    assert ("llm-no-timeout", "ok.ts", 2) in found(result)


def test_report_has_a_code_part_counted_once_per_rule_and_file(tmp_path: Path) -> None:
    from aicheck.report.model import Part
    from aicheck.report.score import CODE_MAX, code_problems

    source = "from openai import OpenAI\na = OpenAI()\nb = OpenAI()\n"
    write_app(tmp_path, {"one.py": source, "two.py": source})
    out = invoke("report", "--offline", "--format", "json", cwd=tmp_path, env={"AICHECK_STATE_DIR": str(tmp_path / ".state")})
    document = json.loads(out.stdout)
    part = next(p for p in document["results"] if p["name"] == "code")
    assert part["status"] == "ran" and len(part["findings"]) == 4
    deduction = next(d for d in document["summary"]["deductions"] if d["check"] == "code")
    assert deduction["points"] == 6 and deduction["reason"].startswith("2 medium LLM code problems: llm-no-timeout in one.py")
    many = Part("code", "ran", document={"findings": [{"rule": "llm-key-in-browser", "severity": "critical", "file": f"f{i}.ts"} for i in range(9)], "summary": {}})
    assert sum(d.points for d in code_problems(many)) == CODE_MAX


def test_hook_mode_checks_only_the_files_passed(tmp_path: Path) -> None:
    one_model = 'from openai import OpenAI\nclient = OpenAI(timeout=9)\ndef f():\n    return client.chat.completions.create(model="gpt-4o", max_tokens=9, messages=[])\n'
    write_app(tmp_path, {"changed.py": one_model, "other.py": "from openai import OpenAI\nclient = OpenAI()\n"})
    out = invoke("code", "changed.py", "--format", "json", cwd=tmp_path)
    document = json.loads(out.stdout)
    assert out.returncode == 0 and document["findings"] == []  # no app-wide note from one file
    assert invoke("code", "other.py", cwd=tmp_path).returncode == 1


def test_pathological_files_neither_hang_nor_crash(tmp_path: Path) -> None:
    import time

    files = {
        "chain.js": "import OpenAI from 'openai';\nconst x = client" + ".a" * 20000 + ".chat.completions.create({});\n",
        "assign.js": "import OpenAI from 'openai';\nfunction f(){ v0 = " + " = ".join(f"v{i}" for i in range(1, 4000))
                     + " = new OpenAI().chat.completions.create({}); }\n",
        "nest.py": "import openai\nx = " + "(" * 3000 + "openai.OpenAI()" + ")" * 3000 + "\n",
    }
    started = time.monotonic()
    result = run(tmp_path, files)
    assert time.monotonic() - started < 60  # a generous "does not hang" bound, not a benchmark
    assert ("llm-no-timeout", "nest.py", 2) in found(result)
    assert any("too complex" in note for note in result.notes)


def test_demo_code_is_listed_but_costs_no_points() -> None:
    """An SDK's examples are not the app: openai-python's examples/ alone took the cap of 30."""
    from aicheck.report.model import Part
    from aicheck.report.score import code_problems

    item = {"rule": "llm-no-timeout", "severity": "medium"}
    demo = [{**item, "file": path} for path in ("examples/chat.py", "docs/snippets/a.ts", "packages/x/cookbook/b.py")]
    part = Part("code", "ran", document={"findings": demo, "summary": {}})
    assert code_problems(part) == []
    app = Part("code", "ran", document={"findings": [*demo, {**item, "file": "server/examples_api.py"}], "summary": {}})
    assert [d.points for d in code_problems(app)] == [3]
