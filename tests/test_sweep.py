"""``aicheck sweep`` on a real Dask ``LocalCluster`` on loopback, over real git repositories
built in the test: dozens of small ones and one with a long history split into ranges."""

from __future__ import annotations

import json
import os
import pickle
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="aicheck[sweep] (dask distributed) is not installed")

from aicheck.scan.history import scan_history  # noqa: E402
from aicheck.scan.run import settings_from  # noqa: E402
from aicheck.config import Config  # noqa: E402
from aicheck.sweep import mirror, tasks  # noqa: E402
from aicheck.sweep.engine import Progress, SweepRequest, run_sweep  # noqa: E402
from aicheck.sweep.sources import Repo  # noqa: E402
from tests.fakes.providers import ANSWERS, FakeProviders  # noqa: E402
from tests.keygen import KEYGEN  # noqa: E402
from tests.sweep_kit import head, make_repo  # noqa: E402


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """Two in-process workers, one thread each: a real scheduler and real workers, started fast."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None, protocol="tcp", host="127.0.0.1") as local:
        yield local.scheduler_address


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AICHECK_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def small_repos(folder: Path, count: int) -> dict[str, str]:
    """``count`` repositories of 4 commits, each with one GitHub token planted in its 3rd."""
    keys = {}
    for n in range(count):
        keys[f"r{n:02d}"] = token = KEYGEN["github-token"]()
        make_repo(folder / f"r{n:02d}", [
            {"README.md": f"# r{n}\n"}, {"app.py": "print('hi')\n"},
            {"settings.py": f'GITHUB_TOKEN = "{token}"\n'}, {"app.py": "print('bye')\n"},
        ])
    return keys


def sweep(sources: list[Path | str], root: Path, address: str, **kwargs: object) -> tuple[dict[str, dict[str, object]], object]:
    request = SweepRequest([str(s) for s in sources], root, scheduler=address, **kwargs)  # type: ignore[arg-type]
    result = run_sweep(request)
    return {r.name: r.to_dict() for r in result.repositories}, result


def test_dozens_of_repositories_each_reported_once(tmp_path: Path, state: Path, cluster: str) -> None:
    keys = small_repos(tmp_path / "repos", 24)
    repos, result = sweep([tmp_path / "repos"], tmp_path, cluster)
    assert set(repos) == set(keys)
    for name, repo in repos.items():
        assert repo["status"] == "done" and repo["summary"]["commits_scanned"] == 4
        (finding,) = repo["findings"]
        assert finding["rule"] == "github-token" and finding["file"] == "settings.py" and finding["in_head"] is True
        assert finding["commit"] == mirror_commit(tmp_path / "repos" / name, "HEAD~1")  # the commit that added it
        assert keys[name] not in json.dumps(repo)
    data = (state / "state.db").read_bytes() + b"".join(p.read_bytes() for p in state.glob("state.db-wal"))
    assert not any(key.encode() in data for key in keys.values())


def test_long_history_split_in_ranges_finds_what_one_scan_finds(tmp_path: Path, state: Path, cluster: str) -> None:
    """3,000 commits cut into 500-commit ranges: the same findings, each from the same commit,
    as one ``scan --history`` of the whole repository."""
    commits: list[dict[str, str | None]] = []
    for n in range(3000):
        files: dict[str, str | None] = {f"src/m{n % 40}.py": f"VALUE_{n} = {n}\n" * (1 + n % 5)}
        if n % 400 == 7:
            files[f"conf/k{n}.py"] = f'GITHUB_TOKEN = "{KEYGEN["github-token"]()}"\n'
        if n % 800 == 9:
            files[f"conf/k{n - 2}.py"] = None  # removed two commits later: not in HEAD
        commits.append(files)
    big = make_repo(tmp_path / "big", commits)
    repos, _ = sweep([big], tmp_path, cluster, range_size=500)
    expected = scan_history(big, settings_from(Config(None), [], None))
    found = {(f["fingerprint"], f["commit"], f["in_head"]) for f in repos["big"]["findings"]}
    assert found == {(f.fingerprint, f.commit, f.in_head) for f in expected.findings}
    assert len(found) == 8 and repos["big"]["summary"]["commits_scanned"] == 3000
    plan = sqlite3.connect(state / "state.db").execute("SELECT plan FROM sweep_plans").fetchone()[0]
    assert len(json.loads(plan)["ranges"]) == 6


def test_second_sweep_scans_only_new_commits(tmp_path: Path, state: Path, cluster: str) -> None:
    keys = small_repos(tmp_path / "repos", 3)
    sweep([tmp_path / "repos"], tmp_path, cluster)
    new_key = KEYGEN["github-token"]()
    make_repo(tmp_path / "repos" / "r01", [{"deploy.py": f'TOKEN = "{new_key}"\n'}, {"README.md": "# r1 again\n"}])
    repos, _ = sweep([tmp_path / "repos"], tmp_path, cluster)
    assert {name: r["summary"]["commits_scanned"] for name, r in repos.items()} == {"r00": 0, "r01": 2, "r02": 0}
    files = {f["file"]: f for f in repos["r01"]["findings"]}
    assert set(files) == {"settings.py", "deploy.py"}  # the first sweep's finding is kept
    assert files["deploy.py"]["commit"] == mirror_commit(tmp_path / "repos" / "r01", "HEAD~1")
    assert len(repos["r00"]["findings"]) == 1 and keys["r00"] not in json.dumps(repos)


def mirror_commit(path: Path, rev: str) -> str:
    from tests.conftest import git

    return git(path, "rev-parse", rev).strip()


def test_interrupted_sweep_resumes_where_it_stopped(tmp_path: Path, state: Path, cluster: str) -> None:
    small_repos(tmp_path / "repos", 8)
    stop_after = 4

    def interrupt(progress: Progress) -> None:
        if progress.repos_done >= stop_after:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep([tmp_path / "repos"], tmp_path, cluster, progress=interrupt)
    db = sqlite3.connect(state / "state.db")
    before = dict(db.execute("SELECT repo, status FROM sweep_plans").fetchall())
    assert stop_after <= sum(status == "done" for status in before.values()) < 8
    # New commits in every repository: the resumed run must not sync again the ones it finished.
    for n in range(8):
        make_repo(tmp_path / "repos" / f"r{n:02d}", [{"later.py": "x = 1\n"}])
    repos, result = sweep([tmp_path / "repos"], tmp_path, cluster)
    assert result.resumed  # type: ignore[attr-defined]
    by_key = {Repo(name, str((tmp_path / "repos" / name).resolve())).key: r for name, r in repos.items()}
    for key, repo in by_key.items():
        assert repo["status"] == "done" and len(repo["findings"]) == 1
        # Planned or done before: resumed from the recorded plan, so the new commit waits for the next sweep.
        assert repo["summary"]["commits_scanned"] == (4 if key in before else 5)
    assert db.execute("SELECT count(*) FROM sweep_runs WHERE finished_at IS NULL").fetchone()[0] == 0


def test_a_repository_that_fails_to_clone_is_reported_and_the_sweep_goes_on(tmp_path: Path, state: Path, cluster: str) -> None:
    small_repos(tmp_path / "repos", 2)
    listing = tmp_path / "repos.txt"
    listing.write_text(f"# our repositories\n{tmp_path / 'repos' / 'r00'}\nfile://{tmp_path}/gone.git\n\nrepos/r01\n")
    repos, result = sweep([listing], tmp_path, cluster)
    assert repos["r00"]["status"] == repos["r01"]["status"] == "done"
    gone = repos[f"{tmp_path.name}/gone"]
    assert gone["status"] == "failed" and "git clone failed" in str(gone["error"])
    assert result.failed  # type: ignore[attr-defined]


def test_verify_checks_each_distinct_key_once_across_the_sweep(
    tmp_path: Path, state: Path, cluster: str, fake: FakeProviders, monkeypatch: pytest.MonkeyPatch
) -> None:
    live, dead = KEYGEN["groq-api-key"](), KEYGEN["groq-api-key"]()
    fake.answer("groq", ANSWERS["groq"]["valid"], key=live)
    for name, value in fake.env().items():
        monkeypatch.setenv(name, value)
    for n in range(3):  # the same live key in three repositories, twice in one of them
        make_repo(tmp_path / "repos" / f"shared{n}", [{"a.py": f'GROQ_API_KEY = "{live}"\n'}, {"b/c.py": f'k = "{live}"\n' if n == 0 else "x = 1\n"}])
    make_repo(tmp_path / "repos" / "other", [{"a.py": f'GROQ_API_KEY = "{dead}"\n'}])
    make_repo(tmp_path / "repos" / "clean", [{"a.py": "x = 1\n"}])
    repos, result = sweep([tmp_path / "repos"], tmp_path, cluster, verify=True)
    asked = [r.key for r in fake.received("groq")]
    assert sorted(asked) == sorted([live, dead])
    statuses = {name: {f["verification"]["status"] for f in r["findings"]} for name, r in repos.items()}
    assert statuses == {"shared0": {"valid"}, "shared1": {"valid"}, "shared2": {"valid"}, "other": {"invalid"}, "clean": set()}
    ranked = [r.name for r in result.ranked()]  # type: ignore[attr-defined]
    assert ranked[0] == "shared0" and ranked[-1] == "clean" and repos["shared0"]["summary"]["live_keys"] == 2
    assert live not in json.dumps(repos) and dead not in json.dumps(repos)
    # The next sweep asks again about a key it finds (it may have been revoked since), once.
    make_repo(tmp_path / "repos" / "other", [{"x.py": f'KEY = "{live}"\n'}, {"y.py": f'KEY2 = "{live}"\n'}])
    repos, _ = sweep([tmp_path / "repos"], tmp_path, cluster, verify=True)
    assert sorted(r.key for r in fake.received("groq")) == sorted([live, dead, live])
    assert repos["other"]["summary"]["live_keys"] == 2 and repos["other"]["summary"]["commits_scanned"] == 2


def test_what_a_worker_sends_back_holds_no_secret(tmp_path: Path) -> None:
    token = KEYGEN["github-token"]()
    source = make_repo(tmp_path / "src", [{"a.py": f'GITHUB_TOKEN = "{token}"\n'}])
    repo, cache = Repo("src", str(source)), str(tmp_path / "cache")
    plan = tasks.sync_and_plan(repo, cache, [], 100)
    settings = settings_from(Config(None), [], None)
    result = tasks.scan_range(repo, cache, plan.head, plan.ranges[0], settings, None)
    assert len(result.findings) == 1 and result.findings[0]["fingerprint"]
    assert token.encode() not in pickle.dumps(result) and token.encode() not in pickle.dumps(plan)
    assert (Path(cache) / f"{repo.key}.git" / "objects" / "info" / "alternates").exists() is False
    assert mirror.tips(Path(cache) / f"{repo.key}.git") == {"refs/heads/main": head(source)}


def test_a_sweep_weighs_findings_as_scan_history_does(tmp_path: Path) -> None:
    """Public-by-design keys are info in a sweep too, not only in scan and report."""
    token, public = KEYGEN["github-token"](), KEYGEN["posthog-project-key"]()
    source = make_repo(tmp_path / "src", [{"a.py": f'GITHUB_TOKEN = "{token}"\nPOSTHOG_KEY = "{public}"\n'}])
    repo, cache = Repo("src", str(source)), str(tmp_path / "cache")
    plan = tasks.sync_and_plan(repo, cache, [], 100)
    result = tasks.scan_range(repo, cache, plan.head, plan.ranges[0], settings_from(Config(None), [], None), None)
    severities = {item["rule"]: item["severity"] for item in result.findings}
    assert severities == {"github-token": "critical", "posthog-project-key": "info"}, severities


def test_a_worker_killed_mid_sweep_loses_no_result(tmp_path: Path, state: Path) -> None:
    """Worker processes (not threads) so one can be killed for real; its tasks run elsewhere."""
    from distributed import Client, LocalCluster

    small_repos(tmp_path / "repos", 10)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", host="127.0.0.1") as local:
        with Client(local) as client:
            pids = client.run(os.getpid)
        killed: list[int] = []
        in_flight: list[str] = []

        def kill_one(progress: Progress) -> None:
            """Once two repositories are done, kill a worker that is running a task right now."""
            busy = [ws for ws in local.scheduler.workers.values() if ws.processing]
            if progress.repos_done >= 2 and not killed and busy:
                in_flight.extend(str(ts.key) for ts in busy[0].processing)
                killed.append(pids[busy[0].address])
                os.kill(killed[0], signal.SIGKILL)

        repos, _ = sweep([tmp_path / "repos"], tmp_path, local.scheduler_address, progress=kill_one)
        with Client(local) as client:
            after = set(client.run(os.getpid).values())
    assert killed and killed[0] not in after and any(key.startswith("aicheck-") for key in in_flight)
    assert len(repos) == 10 and all(r["status"] == "done" and len(r["findings"]) == 1 for r in repos.values())


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from aicheck.cli import main

    with pytest.raises(SystemExit) as exited:
        main(args)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def test_cli_json_sarif_and_html_rank_repositories(tmp_path: Path, state: Path, cluster: str, capsys: pytest.CaptureFixture[str]) -> None:
    keys = small_repos(tmp_path / "repos", 2)
    make_repo(tmp_path / "repos" / "clean", [{"a.py": "x = 1\n"}])
    make_repo(tmp_path / "repos" / "worse", [{"a.py": f'A = "{KEYGEN["github-token"]()}"\nB = "{KEYGEN["github-token"]()}"\n'}])
    base = ["sweep", str(tmp_path / "repos"), "--scheduler", cluster]
    code, out, _ = run_cli([*base, "-f", "json"], capsys)
    data = json.loads(out)
    assert code == 1 and data["command"] == "sweep" and data["tool"] == "aicheck"
    assert [r["repository"] for r in data["repositories"]] == ["worse", "r00", "r01", "clean"]
    assert data["summary"]["repositories"] == 4 and data["summary"]["findings"] == 4
    assert data["repositories"][0]["summary"]["score"] > data["repositories"][1]["summary"]["score"] > 0
    code, out, _ = run_cli([*base, "-f", "sarif"], capsys)
    runs = json.loads(out)["runs"]
    assert [run["automationDetails"]["id"] for run in runs][0] == "aicheck-sweep/worse/" and len(runs[1]["results"]) == 1
    html_file = tmp_path / "sweep.html"
    code, out, _ = run_cli([*base, "-f", "html", "-o", str(html_file), "--exit-zero"], capsys)
    page = html_file.read_text()
    assert code == 0 and page.index("worse") < page.index("r00") < page.index("clean")
    code, out, _ = run_cli(base, capsys)
    assert "4 repositories swept" in out and "github-token" in out
    assert not any(key in page + out for key in keys.values())


def test_cli_without_dask_says_how_to_get_it(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = "import sys; sys.modules['distributed'] = None; from aicheck.cli import main; main(['sweep', '.'])"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "pip install 'aicheck[sweep]'" in out.stderr


def test_cli_unreachable_scheduler_is_a_usage_error(tmp_path: Path, state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import dask

    make_repo(tmp_path / "repos" / "a", [{"a.py": "x = 1\n"}])
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code, _, err = run_cli(["sweep", str(tmp_path / "repos"), "--scheduler", "tcp://127.0.0.1:9"], capsys)
    assert code == 2 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err


def test_blobs_missing_from_a_damaged_source_are_skipped_and_the_rest_scanned(tmp_path: Path, state: Path, cluster: str) -> None:
    from tests.conftest import git

    source = tmp_path / "repos" / "damaged"
    source.mkdir(parents=True)
    git(source, "init", "-q", "-b", "main")
    tokens = [KEYGEN["github-token"]() for _ in range(3)]
    for n, token in enumerate(tokens):
        (source / f"k{n}.py").write_text(f'TOKEN = "{token}"\n')
        git(source, "add", ".")
        git(source, "commit", "-qm", f"k{n}")
    lost = git(source, "rev-parse", "HEAD~1:k1.py").strip()
    (source / ".git" / "objects" / lost[:2] / lost[2:]).unlink()  # loose objects: git add wrote them
    repos, _ = sweep([tmp_path / "repos"], tmp_path, cluster)
    assert repos["damaged"]["status"] == "done"
    assert sorted((f["file"], f["in_head"]) for f in repos["damaged"]["findings"]) == [("k0.py", True), ("k2.py", True)]
