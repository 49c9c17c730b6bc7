"""The working-tree scanner on real files and real git repositories."""

from __future__ import annotations

import base64
import json
import os
import urllib.parse
from pathlib import Path

import pytest

from aicheck import catalog
from aicheck.scan.scanner import ScanSettings, scan_paths, scan_stdin
from tests.conftest import HEX, git, groq_key, openrouter_key, rand


def settings(**kwargs: object) -> ScanSettings:
    return ScanSettings(rules=catalog.load().rules, **kwargs)  # type: ignore[arg-type]


def scan(*paths: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    return scan_paths(list(paths), settings(**kwargs))


def rules_found(result) -> list[tuple[str, str, int]]:  # type: ignore[no-untyped-def]
    return [(f.rule, f.file, f.line) for f in result.findings]


def test_plain_folder_finds_key_with_position(tmp_path: Path) -> None:
    key = groq_key()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "config.ts").write_text(f'// config\nexport const groq = "{key}";\n')
    result = scan(tmp_path)
    [finding] = result.findings
    assert (finding.rule, finding.file, finding.line, finding.column) == ("groq-api-key", "src/config.ts", 2, 22)
    assert finding.secret == key and key not in finding.secret_redacted
    assert finding.secret_redacted == "gsk_…" + key[-4:]


def test_git_repo_lists_tracked_and_untracked_but_not_ignored(repo: Path) -> None:
    (repo / ".gitignore").write_text("secrets.txt\nbuild/\n")
    (repo / "tracked.py").write_text(f'KEY = "{groq_key()}"\n')
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "init")
    (repo / "untracked.py").write_text(f'KEY = "{groq_key()}"\n')
    (repo / "secrets.txt").write_text(f'KEY = "{groq_key()}"\n')
    (repo / "build").mkdir()
    (repo / "build" / "out.js").write_text(f'KEY = "{groq_key()}"\n')
    files = sorted(f.file for f in scan(repo).findings)
    assert files == ["tracked.py", "untracked.py"]


def test_scanning_a_subfolder_reports_repo_relative_paths(repo: Path) -> None:
    (repo / "app").mkdir()
    (repo / "app" / "k.env").write_text(f"GROQ_API_KEY={groq_key()}\n")
    (repo / "other.env").write_text(f"GROQ_API_KEY={groq_key()}\n")
    assert [f.file for f in scan(repo / "app").findings] == ["app/k.env"]


def test_vite_bundle_in_ignored_dist_is_caught_when_named(repo: Path) -> None:
    (repo / ".gitignore").write_text("dist/\n")
    assets = repo / "dist" / "assets"
    assets.mkdir(parents=True)
    key = groq_key()
    bundle = "".join(f"function a{i}(t){{return t*{i}}}" for i in range(2000))
    bundle += f'const Xe={{VITE_GROQ_API_KEY:"{key}",BASE_URL:"/",MODE:"production"}};fetch(u,{{headers:{{Authorization:`Bearer ${{Xe.VITE_GROQ_API_KEY}}`}}}});'
    (assets / "index-4f9a1c2e.js").write_text(bundle)
    assert scan(repo).findings == []  # ignored build output is not part of the working tree scan
    [finding] = scan(repo / "dist").findings
    assert finding.file == "dist/assets/index-4f9a1c2e.js" and finding.line == 1 and finding.secret == key


def test_kubernetes_secret_base64_values(tmp_path: Path) -> None:
    key = openrouter_key()
    encoded = base64.b64encode(key.encode()).decode()
    (tmp_path / "secret.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: llm\ntype: Opaque\ndata:\n"
        f"  OPENROUTER_API_KEY: {encoded}\n  LOG_LEVEL: aW5mbw==\n"
    )
    [finding] = scan(tmp_path).findings
    assert (finding.rule, finding.line, finding.secret) == ("openrouter-api-key", 7, key)
    assert "base64" in finding.note


def test_notebook_sources_and_outputs(tmp_path: Path) -> None:
    password = rand(24)
    groq = groq_key()
    notebook = {
        "cells": [
            {"cell_type": "code", "source": ["import os\n", f'db_password = "{password}"\n'], "outputs": []},
            {"cell_type": "code", "source": ["print(os.environ['GROQ'])"],
             "outputs": [{"output_type": "stream", "name": "stdout", "text": [f"{groq}\n"]}]},
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }
    (tmp_path / "explore.ipynb").write_text(json.dumps(notebook, indent=1))
    found = {f.rule: f for f in scan(tmp_path).findings}
    assert found["generic-api-key"].secret == password
    assert found["groq-api-key"].secret == groq
    raw_lines = (tmp_path / "explore.ipynb").read_text().splitlines()
    assert groq in raw_lines[found["groq-api-key"].line - 1]


def test_json_and_js_escapes(tmp_path: Path) -> None:
    key = groq_key()
    escaped = "".join(f"\\u{ord(c):04x}" for c in key[:4]) + key[4:]
    (tmp_path / "bundle.js").write_text(f'var a="x";\nvar k="{escaped}";\n')
    (tmp_path / "settings.json").write_text(json.dumps({"env": f'API_SECRET="{rand(30)}"'}) + "\n")
    found = sorted((f.file, f.rule, f.line) for f in scan(tmp_path).findings)
    assert found == [("bundle.js", "groq-api-key", 2), ("settings.json", "generic-api-key", 1)]


def test_url_encoded_values(tmp_path: Path) -> None:
    key = "sk-" + rand(32, HEX)
    query = urllib.parse.quote(f"DEEPSEEK_API_KEY={key}", safe="")
    (tmp_path / "links.md").write_text(f"see https://example.com/run?cfg={query}\n")
    [finding] = scan(tmp_path).findings
    assert (finding.rule, finding.secret) == ("deepseek-api-key", key)


@pytest.mark.parametrize(
    "line",
    [
        'GROQ_API_KEY="{key}"  # aicheck:allow',
        'GROQ_API_KEY="{key}"  # gitleaks:allow',
        'GROQ_API_KEY="{key}"  # pragma: allowlist secret',
    ],
)
def test_inline_allow_markers(tmp_path: Path, line: str) -> None:
    (tmp_path / "a.py").write_text(line.format(key=groq_key()) + "\n")
    result = scan(tmp_path)
    assert result.findings == [] and result.allowed == 1


def test_allow_next_line_marker(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(f'# aicheck:allow-next-line\nA = "{groq_key()}"\nB = "{groq_key()}"\n')
    assert [f.line for f in scan(tmp_path).findings] == [3]


def test_exclude_globs(tmp_path: Path) -> None:
    for name in ("tests/fixtures/a.env", "src/b.env", "docs/c.env"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"GROQ_API_KEY={groq_key()}\n")
    result = scan(tmp_path, exclude=("tests/fixtures/**", "docs/"))
    assert [f.file for f in result.findings] == ["src/b.env"]


def test_binary_and_oversized_files_are_skipped_with_reason(tmp_path: Path) -> None:
    key = groq_key()
    (tmp_path / "blob.bin").write_bytes(b"\0\1\2" + key.encode())
    (tmp_path / "image.png").write_bytes(key.encode())
    (tmp_path / "big.txt").write_text(f"K={key}\n" + "x" * 2_000_000)
    result = scan(tmp_path, max_file_size=1_000_000)
    assert result.findings == []
    reasons = {s.file: s.reason for s in result.skipped}
    assert reasons["blob.bin"] == "binary" and reasons["image.png"] == "binary"
    assert reasons["big.txt"].startswith("too large (2.0 MB > 1.0 MB")


def test_invalid_utf8_is_scanned(tmp_path: Path) -> None:
    key = groq_key()
    (tmp_path / "latin1.py").write_bytes(b"# caf\xe9 \xff\xfe\nK = '" + key.encode() + b"'\n")
    [finding] = scan(tmp_path).findings
    assert finding.secret == key and finding.line == 2


def test_fifty_megabyte_single_line_file(tmp_path: Path) -> None:
    key = groq_key()
    (tmp_path / "huge.min.js").write_bytes(b"a=1;" * 12_500_000 + f'k="{key}"'.encode())
    result = scan(tmp_path, max_file_size=100_000_000)
    [finding] = result.findings
    assert finding.line == 1 and finding.column == 50_000_004


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_is_skipped(tmp_path: Path) -> None:
    target = tmp_path / "locked.env"
    target.write_text(f"K={groq_key()}\n")
    target.chmod(0)
    [skipped] = scan(tmp_path).skipped
    assert skipped.reason.startswith("unreadable")


def test_unreadable_file_is_skipped_even_as_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root reads every file, so the permission error is simulated: nothing real fits here."""
    (tmp_path / "locked.env").write_text(f"K={groq_key()}\n")
    (tmp_path / "ok.env").write_text(f"K={groq_key()}\n")
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.env":
            raise PermissionError(13, "Permission denied")
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = scan(tmp_path)
    assert [s.reason for s in result.skipped] == ["unreadable: Permission denied"]
    assert [f.file for f in result.findings] == ["ok.env"]


def test_stdin(tmp_path: Path) -> None:
    key = groq_key()
    result = scan_stdin(f"token: {key}\n".encode(), settings())
    [finding] = result.findings
    assert finding.file == "-" and finding.line == 1


def test_placeholders_references_and_docs_examples_stay_quiet(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "\n".join(
            [
                'curl https://api.groq.com/openai/v1/models -H "Authorization: Bearer YOUR_API_TOKEN"',
                'export OPENAI_API_KEY="sk-..."',
                "OPENAI_API_KEY=your-api-key-here",
                'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])',
                "const key = process.env.GROQ_API_KEY;",
                'api_key: "${OPENROUTER_API_KEY}"',
                'token = "<your token>"',
                'password = "changeme"',
                "GROQ_API_KEY=gsk_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                'secret_key = settings.SECRET_KEY',
                'api_key = get_api_key_from_vault()',
                "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
                '"api_key": "{{ api_key }}"',
                "self.token = token",
                'API_KEY_HEADER = "X-Api-Key-Header-Name"',
            ]
        )
        + "\n"
    )
    assert scan(tmp_path).findings == []


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    from aicheck.errors import AicheckError

    with pytest.raises(AicheckError, match="no such file or directory"):
        scan(tmp_path / "nope")


def test_many_files_use_worker_processes_and_find_everything(tmp_path: Path) -> None:
    keys = {}
    filler = ("def handler(event):\n    return event['token_count'] + 1\n" * 800).encode()
    for index in range(120):
        key = groq_key()
        keys[f"m{index:03}.py"] = key
        (tmp_path / f"m{index:03}.py").write_bytes(filler + f'KEY = "{key}"\n'.encode())
    result = scan_paths([tmp_path], settings(workers=2))
    assert result.bytes_scanned > 4_000_000  # above the parallel threshold
    assert {f.file: f.secret for f in result.findings} == keys


def test_any_generic_rule_stays_quiet_in_documentation(tmp_path: Path) -> None:
    """Generic-ness is the rule's flag, not one rule id: a user's generic rule behaves the same."""
    from aicheck.catalog import Rule

    mine = Rule(id="acme-generic", name="ACME", regex=r"([A-Za-z0-9]{24})", keywords=("acme",), context=("acme",), generic=True)
    value = rand(20) + "9aZ1"
    for name in ("README.md", "app.py"):
        (tmp_path / name).write_text(f'ACME_TOKEN = "{value}"\n')
    result = scan_paths([tmp_path], ScanSettings(rules=(mine,)))
    assert [f.file for f in result.findings] == ["app.py"]
