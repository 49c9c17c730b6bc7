"""What ``aicheck sweep`` sweeps: list files, folders, and organisations listed through a fake
GitHub/GitLab REST API on 127.0.0.1 (Link pagination, rate-limit headers, 403/429, redirects)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from aicheck.errors import AicheckError
from aicheck.sweep.sources import Repo, Selection, expand
from tests.keygen import KEYGEN
from tests.sweep_kit import forge, make_repo, recorder


def gh_repo(name: str, *, archived: bool = False, fork: bool = False) -> dict[str, object]:
    # Fields as https://docs.github.com/en/rest/repos/repos#list-organization-repositories documents (checked 2026-12-06)
    return {"full_name": f"acme/{name}", "clone_url": f"https://github.com/acme/{name}.git", "archived": archived, "fork": fork}


ORG = [gh_repo("api"), gh_repo("web"), gh_repo("old", archived=True), gh_repo("fork", fork=True), gh_repo("ml")]


def test_github_org_pages_followed_and_archived_and_forks_selectable() -> None:
    token = KEYGEN["github-token"]()
    with forge(ORG, per_page=2) as api:
        env = {"AICHECK_GITHUB_API_URL": api.base, "GITHUB_TOKEN": token}
        default = expand(["github:acme"], env=env)
        everything = expand(["github:acme"], Selection(archived=True, forks=True), env=env)
    assert [r.name for r in default] == ["acme/api", "acme/web", "acme/ml"]
    assert [r.name for r in everything] == ["acme/api", "acme/web", "acme/old", "acme/fork", "acme/ml"]
    assert default[0] == Repo("acme/api", "https://github.com/acme/api.git")
    paths = [seen["path"] for seen in api.seen]
    assert paths[:3] == ["/orgs/acme/repos?type=all&per_page=100", "/orgs/acme/repos?type=all&per_page=100&page=2",
                         "/orgs/acme/repos?type=all&per_page=100&page=3"]
    assert all(seen["authorization"] == f"Bearer {token}" for seen in api.seen)


def test_rate_limited_listing_waits_for_the_reset_then_goes_on() -> None:
    waits, sleep = recorder()
    reset = str(int(time.time()) + 30)
    with forge(ORG, per_page=5) as api:
        api.script = [
            (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}, {"message": "API rate limit exceeded"}),
            (429, {"retry-after": "7"}, {"message": "secondary rate limit"}),
        ]
        repos = expand(["github:acme"], env={"AICHECK_GITHUB_API_URL": api.base}, sleep=sleep)
    assert len(repos) == 3 and len(waits) == 2
    assert 28 <= waits[0] <= 32 and waits[1] == 7
    assert "authorization" not in api.seen[0]  # no token in the environment: none sent


def test_exhausted_quota_on_a_good_page_pauses_before_the_next() -> None:
    waits, sleep = recorder()
    with forge(ORG, per_page=2) as api:
        original = api.page

        def page(path: str) -> tuple[int, dict[str, str], object]:
            status, headers, body = original(path)
            return status, headers | {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 5)}, body

        api.page = page  # type: ignore[method-assign]
        expand(["github:acme"], env={"AICHECK_GITHUB_API_URL": api.base}, sleep=sleep)
    assert len(waits) == 2 and all(3 <= w <= 7 for w in waits)


def test_refusals_and_redirects_are_one_line_errors_without_the_token() -> None:
    token = KEYGEN["github-token"]()
    with forge(ORG) as api:
        env = {"AICHECK_GITHUB_API_URL": api.base, "GITHUB_TOKEN": token}
        api.script = [(403, {}, {"message": "Resource not accessible by integration"})]
        with pytest.raises(AicheckError, match="HTTP 403: Resource not accessible") as refused:
            expand(["github:acme"], env=env)
        api.script = [(301, {"Location": "https://elsewhere.example/orgs/acme/repos"}, {})]
        with pytest.raises(AicheckError, match="redirect; not followed") as moved:
            expand(["github:acme"], env=env)
        api.script = [(200, {"Link": '<https://elsewhere.example/page2>; rel="next"'}, [gh_repo("x")])]
        with pytest.raises(AicheckError, match="another host; not followed"):
            expand(["github:acme"], env=env)
    assert len(api.seen) == 3 and token not in str(refused.value) + str(moved.value)


def test_tokens_never_go_over_plain_http_to_another_host() -> None:
    with pytest.raises(AicheckError, match="plain http only to this machine"):
        expand(["github:acme"], env={"AICHECK_GITHUB_API_URL": "http://api.example.com", "GITHUB_TOKEN": "x"})


def test_gitlab_group_projects_with_its_fields() -> None:
    projects = [
        {"path_with_namespace": "acme/a", "http_url_to_repo": "https://gitlab.com/acme/a.git"},
        {"path_with_namespace": "acme/sub/b", "http_url_to_repo": "https://gitlab.com/acme/sub/b.git", "forked_from_project": {"id": 1}},
        {"path_with_namespace": "acme/sub/c", "http_url_to_repo": "https://gitlab.com/acme/sub/c.git"},
    ]
    with forge(projects, per_page=2) as api:
        repos = expand(["gitlab:acme"], env={"AICHECK_GITLAB_API_URL": api.base, "GITLAB_TOKEN": "glpat-test"})
    assert [r.name for r in repos] == ["acme/a", "acme/sub/c"]
    assert api.seen[0]["path"] == "/groups/acme/projects?include_subgroups=true&per_page=100&archived=false"
    assert api.seen[0]["private-token"] == "glpat-test"


def test_list_file_and_folder(tmp_path: Path) -> None:
    for name in ("one", "two"):
        make_repo(tmp_path / "org" / name, [{"a": "1\n"}])
    (tmp_path / "org" / "not-a-repo").mkdir()
    listing = tmp_path / "list.txt"
    listing.write_text("# ours\norg/one\n\nhttps://user:secret@git.example.com/team/app.git\norg/one\n")
    assert [r.name for r in expand([str(tmp_path / "org")])] == ["one", "two"]
    repos = expand([str(listing), str(tmp_path / "org")])
    assert [r.name for r in repos] == ["one", "team/app", "two"]  # each repository once
    (tmp_path / "bad.txt").write_text("org/missing\n")
    with pytest.raises(AicheckError, match=r"bad.txt:1: org/missing: not a repository"):
        expand([str(tmp_path / "bad.txt")])
    with pytest.raises(AicheckError, match="not a list file, a folder"):
        expand([str(tmp_path / "nowhere")])


def test_git_gets_a_token_only_for_its_own_host_over_https_and_never_in_argv() -> None:
    import base64

    from aicheck.sweep.mirror import _git_env, display_url

    token = KEYGEN["github-token"]()
    env = _git_env("https://github.com/acme/api.git", {"GITHUB_TOKEN": token, "PATH": "/usr/bin"})
    assert env["GIT_CONFIG_KEY_0"] == "http.https://github.com/.extraHeader"
    assert base64.b64decode(env["GIT_CONFIG_VALUE_0"].split()[-1]).decode() == f"x-access-token:{token}"
    for url in ("https://gitlab.com/acme/api.git", "http://github.com/acme/api.git", "https://github.com.evil.example/x.git"):
        assert "GIT_CONFIG_COUNT" not in _git_env(url, {"GITHUB_TOKEN": token})
    assert display_url("https://user:hunter2@git.example.com/a.git") == "https://git.example.com/a.git"
