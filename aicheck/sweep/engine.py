"""The client side of a sweep: list the repositories, submit their tasks to Dask, record each
result in the state database as it arrives, and merge.

Tasks are per repository (sync and plan), then per commit range. A worker lost mid-task has its
task rerun elsewhere by Dask's scheduler (``distributed.scheduler.allowed-failures``); a result is
recorded under its (run, repository, range) key, so a rerun cannot count twice. An interrupted
sweep leaves its run unfinished; the next sweep of the same sources resumes it, skipping what
is recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from aicheck import config as config_mod
from aicheck.errors import AicheckError
from aicheck.sweep import require_dask, sources, tasks
from aicheck.sweep.merge import RepoOutcome, SweepResult, merge_findings
from aicheck.sweep.mirror import display_url
from aicheck.sweep.sources import Selection
from aicheck.sweep.store import SweepStore

DEFAULT_RANGE_SIZE = 5_000


@dataclass
class Progress:
    repos_done: int
    repos_total: int
    commits_done: int
    commits_planned: int
    started: float

    @property
    def commits_per_second(self) -> float:
        return self.commits_done / max(time.monotonic() - self.started, 1e-6)


@dataclass
class SweepRequest:
    sources: list[str]
    root: Path
    config: Path | None = None
    selection: Selection = field(default_factory=Selection)
    scheduler: str | None = None
    workers: int | None = None
    processes: bool = True
    cache: Path | None = None
    verify: bool = False
    range_size: int = DEFAULT_RANGE_SIZE
    fresh: bool = False
    progress: Callable[[Progress], None] | None = None
    on_dashboard: Callable[[str], None] | None = None


def run_sweep(request: SweepRequest) -> SweepResult:
    require_dask()
    started = time.monotonic()
    cfg = config_mod.load(request.root, request.config)
    from aicheck.scan.run import settings_from

    settings = settings_from(cfg, [], None)
    repos = sources.expand(request.sources, request.selection)
    if not repos:
        raise AicheckError("no repositories found in " + " ".join(request.sources))
    store = SweepStore.open(request.root)
    try:
        signature = _signature(repos, request)
        resumed = None if request.fresh else store.resumable(signature)
        run_id = resumed or store.new_run(signature)
        verify = tasks.VerifyContext(store.salt(), cfg, secrets.token_hex(8), store.known_verifications(run_id)) if request.verify else None
        cache = str((request.cache or (store.path.parent / "sweep-cache")).resolve())
        with _client(request) as client:
            _Sweep(client, store, run_id, repos, cache, settings, verify, request).run()
            if verify is not None:  # a long-lived scheduler keeps no key status after the sweep
                client.set_metadata(["aicheck-verify", verify.scope], {})
        store.finish_run(run_id)
        outcomes = [_outcome(store, run_id, repo) for repo in repos]
    finally:
        store.close()
    return SweepResult(outcomes, time.monotonic() - started, run_id, resumed is not None, request.verify)


def _signature(repos: list[sources.Repo], request: SweepRequest) -> str:
    what = {"repos": sorted(r.key for r in repos), "verify": request.verify, "range": request.range_size}
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()


@contextmanager
def _client(request: SweepRequest) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    address = request.scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    if address:
        try:
            client = Client(address)  # waits distributed.comm.timeouts.connect (dask config)
        except (OSError, TimeoutError) as exc:
            raise AicheckError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        with client:
            _announce(client, request)
            yield client
        return
    workers = request.workers or os.cpu_count() or 1
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=request.processes, dashboard_address=":0") as cluster, Client(cluster) as client:
        _announce(client, request)
        yield client


def _announce(client: Any, request: SweepRequest) -> None:
    if request.on_dashboard and "dashboard" in client.scheduler_info().get("services", {}):
        request.on_dashboard(client.dashboard_link)


class _Sweep:
    """One pass over the repositories: what is recorded is skipped, the rest is submitted."""

    def __init__(
        self, client: Any, store: SweepStore, run_id: int, repos: list[sources.Repo], cache: str,
        settings: Any, verify: tasks.VerifyContext | None, request: SweepRequest,
    ) -> None:
        from distributed import as_completed

        self.client, self.store, self.run_id, self.cache = client, store, run_id, cache
        self.settings, self.verify, self.request = settings, verify, request
        self.repos = {repo.key: repo for repo in repos}
        self.pending = as_completed()
        self.meta: dict[Any, tuple[str, str, int]] = {}  # future -> (kind, repo key, range index)
        self.plans: dict[str, tasks.Plan] = {}
        self.token = secrets.token_hex(4)
        self.progress = Progress(0, len(repos), 0, 0, time.monotonic())

    def run(self) -> None:
        for repo in self.repos.values():
            self._start(repo)
        self._report()
        for future in self.pending:
            if future not in self.meta:
                continue  # cancelled with its repository
            kind, key, index = self.meta.pop(future)
            try:
                value = future.result()
            except Exception as exc:  # noqa: BLE001 - any failure of one repository is reported, not raised
                self._fail(key, exc)
                continue
            if kind == "sync":
                self._planned(key, value, future)
            else:
                self._range_done(key, index, value)
            self._report()

    def _start(self, repo: sources.Repo) -> None:
        status, plan, _ = self.store.status(self.run_id, repo.key)
        if status == "done":
            self.progress.repos_done += 1
            return
        if status == "planned" and plan is not None:  # a failed repository is tried again on resume
            self._submit_ranges(repo.key, tasks.Plan.from_dict(plan), None)
            return
        old_tips, _ = self.store.previous(repo.key)
        future = self.client.submit(
            tasks.sync_and_plan, repo, self.cache, old_tips, self.request.range_size,
            key=f"aicheck-sync-{self.token}-{repo.key}", pure=False,
        )
        self._watch(future, "sync", repo.key)

    def _watch(self, future: Any, kind: str, key: str, index: int = -1) -> None:
        self.meta[future] = (kind, key, index)
        self.pending.add(future)

    def _planned(self, key: str, plan: tasks.Plan, future: Any) -> None:
        self.store.save_plan(self.run_id, key, plan.to_dict())
        self._submit_ranges(key, plan, future)

    def _submit_ranges(self, key: str, plan: tasks.Plan, synced: Any) -> None:
        self.plans[key] = plan
        done = self.store.ranges(self.run_id, key)
        self.progress.commits_planned += plan.commits
        self.progress.commits_done += sum(int(r["commits"]) for r in done.values())
        todo = [r for r in plan.ranges if r.index not in done]
        if not todo:
            self._complete(key)
            return
        # Prefer the worker that holds the fresh mirror; any other can fetch its own.
        where = list(self.client.who_has([synced]).get(synced.key, ())) if synced is not None else []
        for rng in todo:
            future = self.client.submit(
                tasks.scan_range, self.repos[key], self.cache, plan.head, rng, self.settings, self.verify,
                key=f"aicheck-scan-{self.token}-{key}-{rng.index}", pure=False,
                **({"workers": where, "allow_other_workers": True} if where else {}),
            )
            self._watch(future, "range", key, rng.index)

    def _range_done(self, key: str, index: int, result: tasks.RangeResult) -> None:
        if self.store.status(self.run_id, key)[0] != "planned":
            return  # the repository already failed on another range
        self.store.save_range(self.run_id, key, index, asdict(result))
        self.progress.commits_done += result.commits
        if len(self.store.ranges(self.run_id, key)) == len(self.plans[key].ranges):
            self._complete(key)

    def _complete(self, key: str) -> None:
        repo, plan = self.repos[key], self.plans[key]
        done = self.store.ranges(self.run_id, key)
        _, previous = self.store.previous(key)
        findings = merge_findings(previous, [done[i]["findings"] for i in sorted(done)])
        self.store.complete(self.run_id, key, repo.name, display_url(repo.url), plan.tips, findings)
        self.progress.repos_done += 1

    def _fail(self, key: str, exc: BaseException) -> None:
        if self.store.status(self.run_id, key)[0] == "failed":
            return
        for future, (_, other, _) in list(self.meta.items()):
            if other == key:
                future.cancel()
                self.meta.pop(future)
        self.store.fail(self.run_id, key, display_url(_reason(exc)))
        self.progress.repos_done += 1
        self._report()

    def _report(self) -> None:
        if self.request.progress:
            self.request.progress(self.progress)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text or type(exc).__name__


def _outcome(store: SweepStore, run_id: int, repo: sources.Repo) -> RepoOutcome:
    status, plan, error = store.status(run_id, repo.key)
    name, url = repo.name, display_url(repo.url)
    if status != "done":
        return RepoOutcome(name, url, "failed", error or "not swept")
    commits = sum(int(r["commits"]) for r in store.ranges(run_id, repo.key).values())
    return RepoOutcome(name, url, "done", None, commits, store.previous(repo.key)[1])
