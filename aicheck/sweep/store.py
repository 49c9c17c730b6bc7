"""Sweep progress and results in the state database (``.aicheck/state.db`` or
``AICHECK_STATE_DIR``, as ``aicheck.state``), in tables of its own:

- ``sweep_meta``: the HMAC salt of key ids (random, made once);
- ``sweep_runs``: one row per sweep; an unfinished one with the same sources is resumed;
- ``sweep_plans``: per run and repository: the plan (tips, head, ranges), done or failed;
- ``sweep_ranges``: per run, repository and range: its redacted result;
- ``sweep_repos``: per repository: the tips last swept and every finding so far (redacted), so
  the next sweep scans only new commits.

Nothing here ever holds a secret: findings arrive redacted from the workers.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from aicheck import state as state_mod
from aicheck.errors import AicheckError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sweep_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sweep_runs (
    id INTEGER PRIMARY KEY, signature TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT
);
CREATE TABLE IF NOT EXISTS sweep_plans (
    run_id INTEGER NOT NULL, repo TEXT NOT NULL, status TEXT NOT NULL, plan TEXT, error TEXT,
    PRIMARY KEY (run_id, repo)
);
CREATE TABLE IF NOT EXISTS sweep_ranges (
    run_id INTEGER NOT NULL, repo TEXT NOT NULL, idx INTEGER NOT NULL, result TEXT NOT NULL,
    PRIMARY KEY (run_id, repo, idx)
);
CREATE TABLE IF NOT EXISTS sweep_repos (
    repo TEXT PRIMARY KEY, name TEXT NOT NULL, url TEXT NOT NULL, tips TEXT NOT NULL,
    findings TEXT NOT NULL, swept_at TEXT NOT NULL
);
"""


class SweepStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            state_mod._prepare(path.parent)
            self._db = sqlite3.connect(path, timeout=10, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise AicheckError(f"{path}: cannot open the state file: {exc} (set {state_mod.STATE_DIR_ENV} to use another folder)") from None

    @classmethod
    def open(cls, root: Path) -> SweepStore:
        return cls(state_mod.state_dir(root) / state_mod.FILENAME)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _transaction(self, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    self._db.execute(sql, params)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def salt(self) -> str:
        self._run("INSERT OR IGNORE INTO sweep_meta VALUES ('salt', ?)", (secrets.token_hex(32),))
        return str(self._run("SELECT value FROM sweep_meta WHERE name = 'salt'")[0][0])

    # --- runs ----------------------------------------------------------------------------------

    def resumable(self, signature: str) -> int | None:
        rows = self._run("SELECT id FROM sweep_runs WHERE signature = ? AND finished_at IS NULL ORDER BY id DESC LIMIT 1", (signature,))
        return int(rows[0][0]) if rows else None

    def new_run(self, signature: str) -> int:
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO sweep_runs (signature, started_at) VALUES (?, ?)", (signature, state_mod.utc_iso(time.time()))
            )
            return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int) -> None:
        self._run("UPDATE sweep_runs SET finished_at = ? WHERE id = ?", (state_mod.utc_iso(time.time()), run_id))

    # --- per repository ------------------------------------------------------------------------

    def status(self, run_id: int, repo: str) -> tuple[str | None, dict[str, Any] | None, str | None]:
        """(status, plan, error) of a repository in a run; status None when not started."""
        rows = self._run("SELECT status, plan, error FROM sweep_plans WHERE run_id = ? AND repo = ?", (run_id, repo))
        if not rows:
            return None, None, None
        return rows[0][0], json.loads(rows[0][1]) if rows[0][1] else None, rows[0][2]

    def save_plan(self, run_id: int, repo: str, plan: dict[str, Any]) -> None:
        """A new plan; results of an earlier plan of the repository in this run no longer count."""
        self._transaction([
            ("DELETE FROM sweep_ranges WHERE run_id = ? AND repo = ?", (run_id, repo)),
            ("INSERT OR REPLACE INTO sweep_plans VALUES (?, ?, 'planned', ?, NULL)", (run_id, repo, json.dumps(plan))),
        ])

    def fail(self, run_id: int, repo: str, error: str) -> None:
        self._transaction([
            ("DELETE FROM sweep_ranges WHERE run_id = ? AND repo = ?", (run_id, repo)),
            ("INSERT OR REPLACE INTO sweep_plans (run_id, repo, status, error) VALUES (?, ?, 'failed', ?)", (run_id, repo, error[:500])),
        ])

    def ranges(self, run_id: int, repo: str) -> dict[int, dict[str, Any]]:
        rows = self._run("SELECT idx, result FROM sweep_ranges WHERE run_id = ? AND repo = ?", (run_id, repo))
        return {int(idx): json.loads(result) for idx, result in rows}

    def save_range(self, run_id: int, repo: str, index: int, result: dict[str, Any]) -> None:
        self._run("INSERT OR REPLACE INTO sweep_ranges VALUES (?, ?, ?, ?)", (run_id, repo, index, json.dumps(result)))

    def previous(self, repo: str) -> tuple[list[str], list[dict[str, Any]]]:
        """The tips and the findings of the last completed sweep of a repository."""
        rows = self._run("SELECT tips, findings FROM sweep_repos WHERE repo = ?", (repo,))
        if not rows:
            return [], []
        return list(json.loads(rows[0][0]).values()), json.loads(rows[0][1])

    def complete(self, run_id: int, repo: str, name: str, url: str, tips: dict[str, str], findings: list[dict[str, Any]]) -> None:
        """The repository's new tips and findings, and its run status, in one transaction."""
        self._transaction([
            ("INSERT OR REPLACE INTO sweep_repos VALUES (?, ?, ?, ?, ?, ?)",
             (repo, name, url, json.dumps(tips), json.dumps(findings), state_mod.utc_iso(time.time()))),
            ("UPDATE sweep_plans SET status = 'done' WHERE run_id = ? AND repo = ?", (run_id, repo)),
        ])

    def known_verifications(self, run_id: int) -> dict[str, dict[str, Any]]:
        """Key id -> verification, from the ranges this run already finished (a resumed sweep
        does not validate a key again; a new sweep does, as a key may have been revoked since)."""
        known: dict[str, dict[str, Any]] = {}
        for (result,) in self._run("SELECT result FROM sweep_ranges WHERE run_id = ?", (run_id,)):
            for finding in json.loads(result)["findings"]:
                if finding.get("key_id") and finding.get("verification"):
                    known[finding["key_id"]] = finding["verification"]
        return known
