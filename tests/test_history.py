"""``scan --history`` on real git repositories made in temporary folders."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from aicheck import catalog
from aicheck.errors import AicheckError
from aicheck.scan.history import scan_history
from aicheck.scan.run import ScanRequest, run_scan
from aicheck.scan.scanner import ScanSettings
from tests.conftest import git, groq_key, openrouter_key


def history(repo: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    return scan_history(repo, ScanSettings(rules=catalog.load().rules, workers=1), **kwargs)  # type: ignore[arg-type]


def commit(repo: Path, message: str, files: dict[str, str | None]) -> str:
    for name, content in files.items():
        path = repo / name
        if content is None:
            git(repo, "rm", "-q", name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        git(repo, "add", name)
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def test_key_added_then_removed_is_found_with_its_commit(repo: Path) -> None:
    commit(repo, "readme", {"README.md": "hello\n"})
    key = groq_key()
    added = commit(repo, "add config", {"config.py": f'import os\nGROQ = "{key}"\n'})
    commit(repo, "remove key", {"config.py": "import os\nGROQ = os.environ['GROQ_API_KEY']\n"})
    [finding] = history(repo).findings
    assert (finding.commit, finding.file, finding.line, finding.in_head) == (added, "config.py", 2, False)
    assert finding.author == "Test <test@example.com>" and finding.date


def test_key_still_present_is_in_head_and_attributed_to_first_commit(repo: Path) -> None:
    key = groq_key()
    first = commit(repo, "add", {"a.py": f'K = "{key}"\n'})
    commit(repo, "edit elsewhere", {"a.py": f'# header\nK = "{key}"\n'})
    [finding] = history(repo).findings
    assert finding.commit == first and finding.in_head is True and finding.line == 1


def test_key_moved_between_files(repo: Path) -> None:
    key = groq_key()
    first = commit(repo, "add", {"a.py": f'K = "{key}"\n'})
    second = commit(repo, "move", {"a.py": None, "lib/b.py": f'# moved\nK = "{key}"\n'})
    found = {(f.file, f.commit, f.in_head) for f in history(repo).findings}
    assert found == {("a.py", first, True), ("lib/b.py", second, True)}


def test_rename_keeps_original_attribution_and_path(repo: Path) -> None:
    key = groq_key()
    first = commit(repo, "add", {"old.env": f"GROQ_API_KEY={key}\n"})
    git(repo, "mv", "old.env", "new.env")
    git(repo, "commit", "-qm", "rename")
    [finding] = history(repo).findings
    assert finding.commit == first and finding.file == "old.env" and finding.in_head is True


def test_merge_commit_and_branches(repo: Path) -> None:
    commit(repo, "base", {"README.md": "x\n"})
    git(repo, "checkout", "-q", "-b", "feature")
    key_feature = groq_key()
    on_feature = commit(repo, "feature", {"f.py": f'K = "{key_feature}"\n'})
    git(repo, "checkout", "-q", "main")
    commit(repo, "main work", {"m.py": "print(1)\n"})
    git(repo, "merge", "-q", "--no-ff", "feature", "-m", "merge feature")
    git(repo, "checkout", "-q", "-b", "unmerged")
    key_unmerged = openrouter_key()
    on_unmerged = commit(repo, "unmerged", {"u.py": f'K = "{key_unmerged}"\n'})
    git(repo, "checkout", "-q", "main")
    found = {f.secret: (f.commit, f.in_head) for f in history(repo).findings}
    assert found == {key_feature: (on_feature, True), key_unmerged: (on_unmerged, False)}


def test_key_in_amended_commit_is_still_found_through_reflog_free_refs(repo: Path) -> None:
    key = groq_key()
    commit(repo, "oops", {"a.py": f'K = "{key}"\n'})
    (repo / "a.py").write_text("K = None\n")
    git(repo, "add", "a.py")
    git(repo, "commit", "-q", "--amend", "-m", "fixed")
    assert history(repo).findings == []  # the amended-away commit is no longer reachable from a ref
    git(repo, "tag", "before-amend", "HEAD@{1}")
    [finding] = history(repo).findings
    assert finding.in_head is False


def test_allowlisted_key_in_history(repo: Path) -> None:
    commit(repo, "a", {"a.py": f'K = "{groq_key()}"  # aicheck:allow\n'})
    assert history(repo).findings == []


def test_since_limits_to_new_commits(repo: Path) -> None:
    commit(repo, "old", {"old.py": f'K = "{groq_key()}"\n'})
    git(repo, "tag", "v1")
    newer = commit(repo, "new", {"new.py": f'K = "{groq_key()}"\n'})
    found = history(repo, since="v1").findings
    assert [(f.file, f.commit) for f in found] == [("new.py", newer)]
    with pytest.raises(AicheckError, match="--since nope: no such commit"):
        history(repo, since="nope")


def test_binary_files_submodules_and_one_scan_per_blob(repo: Path, tmp_path: Path) -> None:
    key = groq_key()
    (repo / "blob.bin").write_bytes(b"\0\1" + key.encode())
    git(repo, "add", "blob.bin")
    commit(repo, "binary", {"same.py": f'K = "{key}"\n'})
    for index in range(20):  # the same blob reachable from 20 commits
        commit(repo, f"touch {index}", {"other.txt": f"{index}\n"})
    sub = tmp_path / "sub"
    sub.mkdir()
    git(sub, "init", "-q", "-b", "main")
    commit(sub, "sub", {"s.py": f'K = "{groq_key()}"\n'})
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendor/sub")
    git(repo, "commit", "-qm", "submodule")
    result = history(repo)
    assert [f.file for f in result.findings] == ["same.py"]  # not the binary, not the submodule
    assert result.commits_scanned == 22
    assert result.files_scanned == 1 + 20 + 1  # same.py, 20 versions of other.txt, .gitmodules


def test_shallow_clone(repo: Path, tmp_path: Path) -> None:
    commit(repo, "old", {"old.py": f'K = "{groq_key()}"\n'})
    commit(repo, "new", {"new.py": "print(1)\n"})
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    [finding] = history(clone).findings  # old.py is in the boundary commit's tree
    assert finding.file == "old.py" and finding.in_head is True


def test_huge_single_commit(repo: Path) -> None:
    files = {f"pkg/m{i:04}.py": f"VALUE_{i} = {i}\n" for i in range(1500)}
    key = groq_key()
    files["pkg/m0777.py"] = f'K = "{key}"\n'
    commit(repo, "vendor everything", files)
    [finding] = scan_history(repo, ScanSettings(rules=catalog.load().rules, workers=2)).findings
    assert finding.file == "pkg/m0777.py"


def test_empty_repo_and_repo_without_commits(repo: Path) -> None:
    result = history(repo)
    assert result.findings == [] and result.commits_scanned == 0
    (repo / "staged.py").write_text(f'K = "{groq_key()}"\n')
    git(repo, "add", "staged.py")
    assert history(repo).findings == []  # nothing committed yet


def test_not_a_repository_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AicheckError, match="not a git repository \\(--history needs one\\)"):
        run_scan(ScanRequest(paths=[tmp_path], history=True))


def test_history_cli_json(repo: Path) -> None:
    import json
    import sys

    key = groq_key()
    commit(repo, "add", {"a.py": f'K = "{key}"\n'})
    commit(repo, "rm", {"a.py": None})
    out = subprocess.run([sys.executable, "-m", "aicheck", "scan", "--history", "-f", "json"], cwd=repo, capture_output=True, text=True)
    assert out.returncode == 1, out.stderr
    doc = json.loads(out.stdout)
    [finding] = doc["findings"]
    assert finding["in_head"] is False and len(finding["commit"]) == 40 and key not in out.stdout
    assert doc["summary"]["commits_scanned"] == 2


# --- in_head: is the key still somewhere in HEAD's tree? (issue 12) ----------------------------------


def test_in_head_key_kept_under_another_path(repo: Path) -> None:
    key = groq_key()
    first = commit(repo, "add", {"settings.py": f'GROQ = "{key}"\n'})
    commit(repo, "copy", {"deploy/prod.env": f"GROQ_API_KEY={key}\n"})
    commit(repo, "remove the first", {"settings.py": "GROQ = None\n"})
    found = {(f.file, f.commit == first, f.in_head) for f in history(repo).findings}
    assert found == {("settings.py", True, True), ("deploy/prod.env", False, True)}


def test_in_head_same_path_with_other_lines_changed(repo: Path) -> None:
    key = openrouter_key()
    first = commit(repo, "add", {"app.py": f'import os\nKEY = "{key}"\nprint(1)\n'})
    commit(repo, "edit", {"app.py": f'import os\nimport sys\nKEY = "{key}"\nprint(2)\n'})
    commit(repo, "edit again", {"app.py": f'import sys\nKEY = "{key}"\nprint(3)\n'})
    [finding] = history(repo).findings
    assert finding.commit == first and finding.line == 2 and finding.in_head is True


def test_in_head_false_once_removed_everywhere(repo: Path) -> None:
    key = groq_key()
    commit(repo, "add", {"a.py": f'K = "{key}"\n', "b.py": f'K2 = "{key}"\n'})
    commit(repo, "remove", {"a.py": "K = None\n", "b.py": None})
    assert {f.in_head for f in history(repo).findings} == {False}


def test_in_head_for_a_key_found_through_url_decoding(repo: Path) -> None:
    key = openrouter_key()
    encoded = key.replace("-", "%2D")
    commit(repo, "add", {"client.py": f'URL = "https://example.test/v1?api_key={encoded}"\n'})
    commit(repo, "unrelated", {"README.md": "docs\n"})
    [finding] = history(repo).findings
    assert finding.in_head is True


def test_in_head_when_a_longer_match_overlaps_the_key(repo: Path) -> None:
    key = groq_key()
    commit(repo, "add", {"a.py": f'K = "{key}"\n', "b.py": f'TOKEN = "x{key}"\n'})
    commit(repo, "remove a", {"a.py": None})
    assert {f.in_head for f in history(repo).findings if f.secret == key} == {True}
