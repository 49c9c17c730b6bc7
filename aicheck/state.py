"""What aicheck remembers between runs: one SQLite file (DESIGN.md, "State").

``.aicheck/state.db`` in the project root (the folder carries a ``.gitignore`` of ``*``, so it is
never committed), or in ``AICHECK_STATE_DIR``. Four tables:

- ``cache``: answers by a hash of provider, model, prompt and parameters (never the API key);
- ``spend``: one row per paid call, for the per-day budget;
- ``breaker``: each provider's circuit breaker, so an outage seen by one run is known to the next;
- ``runs``: run history (command, start, JSON summary and results) for ``aicheck report`` trends.

Every method is safe to call from several threads; writes are short transactions, and a second
process waits for the lock instead of failing (WAL mode, busy timeout).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from aicheck.errors import AicheckError

STATE_DIR_ENV = "AICHECK_STATE_DIR"
FOLDER = ".aicheck"
FILENAME = "state.db"
SCHEMA_VERSION = 1
RESERVATION_TTL = 3600.0  # seconds: a reservation left by a run that died stops counting after an hour

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cache (
    key TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS spend (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    day TEXT NOT NULL,
    run_id INTEGER,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    cost_usd REAL NOT NULL,
    input_tokens INTEGER,
    output_tokens INTEGER
);
CREATE INDEX IF NOT EXISTS spend_day ON spend (day);
CREATE TABLE IF NOT EXISTS reservation (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    day TEXT NOT NULL,
    amount_usd REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS breaker (
    provider TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    failures INTEGER NOT NULL,
    opened_at REAL,
    updated_at REAL NOT NULL,
    opened_by_run INTEGER
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    command TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    duration_s REAL,
    failed INTEGER,
    version TEXT,
    summary TEXT,
    results TEXT
);
CREATE INDEX IF NOT EXISTS runs_command ON runs (command, started_at);
"""


def state_dir(root: Path, env: Mapping[str, str] | None = None) -> Path:
    """Where the state file lives: ``AICHECK_STATE_DIR``, else ``<root>/.aicheck``."""
    environ = os.environ if env is None else env
    override = environ.get(STATE_DIR_ENV, "").strip()
    return Path(override) if override else root / FOLDER


def project_root(start: Path, config_path: Path | None = None) -> Path:
    """The folder whose ``.aicheck`` holds the state: the config file's, else the git work tree's."""
    if config_path is not None:
        return config_path.resolve().parent
    from aicheck import git

    return git.toplevel(start) or start


def utc_day(at: float | None = None) -> str:
    return datetime.fromtimestamp(time.time() if at is None else at, timezone.utc).strftime("%Y-%m-%d")


def utc_iso(at: float) -> str:
    return datetime.fromtimestamp(at, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class State:
    """The state file, opened (and created with its folder) on construction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            _prepare(path.parent)
            self._db = sqlite3.connect(path, timeout=10, check_same_thread=False, isolation_level=None)
            if not _ours(self._db):
                self._db.close()
                _set_aside(path)
                self._db = sqlite3.connect(path, timeout=10, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            # WAL with NORMAL sync cannot corrupt the file; a power cut may lose the last writes,
            # which a cache and a ledger of test calls can afford. FULL costs an fsync per answer.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            _add_column(self._db, "breaker", "opened_by_run INTEGER")  # files made before it existed
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except (OSError, sqlite3.Error) as exc:
            raise AicheckError(f"{path}: cannot open the state file: {exc} (set {STATE_DIR_ENV} to use another folder)") from None

    @classmethod
    def open(cls, root: Path, env: Mapping[str, str] | None = None) -> State:
        folder = state_dir(root, env)
        if folder == root / FOLDER:
            _check_inside(folder, root)
        return cls(folder / FILENAME)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> State:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # --- cache ---------------------------------------------------------------------------------

    def cache_get(self, key: str, now: float, ttl: float) -> dict[str, Any] | None:
        """A fresh answer: made less than ``ttl`` seconds ago, whatever TTL it was stored with."""
        rows = self._run("SELECT value FROM cache WHERE key = ? AND created_at > ?", (key, now - ttl))
        if not rows:
            return None
        try:
            value = json.loads(rows[0][0])
        except ValueError:
            return None  # a damaged row is a miss, not a crash
        return value if isinstance(value, dict) else None

    def cache_put(self, key: str, provider: str, model: str, value: dict[str, Any], now: float, ttl: float, max_items: int) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM cache WHERE expires_at <= ?", (now,))
                self._db.execute(
                    "INSERT OR REPLACE INTO cache VALUES (?, ?, ?, ?, ?, ?)",
                    (key, provider, model, now, now + ttl, json.dumps(value)),
                )
                self._db.execute(
                    "DELETE FROM cache WHERE key NOT IN (SELECT key FROM cache ORDER BY created_at DESC LIMIT ?)",
                    (max_items,),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def cache_clear(self) -> None:
        self._run("DELETE FROM cache")

    def cache_size(self) -> int:
        return int(self._run("SELECT count(*) FROM cache")[0][0])

    # --- spend ---------------------------------------------------------------------------------

    def record_spend(
        self, provider: str, model: str, cost_usd: float, *, at: float, run_id: int | None = None,
        input_tokens: int | None = None, output_tokens: int | None = None,
    ) -> None:
        self._run(
            "INSERT INTO spend (at, day, run_id, provider, model, cost_usd, input_tokens, output_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (at, utc_day(at), run_id, provider, model, cost_usd, input_tokens, output_tokens),
        )

    def reserve_budget(self, day: str, amount: float, limit: float | None) -> tuple[int | None, float]:
        """Reserve ``amount`` of the day's budget, in one transaction: what was spent and is reserved
        by every run (other processes too) plus ``amount`` must stay within ``limit``. Returns the
        reservation's id (None: refused) and what was spent or reserved before."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM reservation WHERE at < ?", (now - RESERVATION_TTL,))
                spent = float(self._db.execute(
                    "SELECT (SELECT coalesce(sum(cost_usd), 0) FROM spend WHERE day = ?)"
                    " + (SELECT coalesce(sum(amount_usd), 0) FROM reservation WHERE day = ?)", (day, day),
                ).fetchone()[0])
                if limit is not None and spent + amount > limit:
                    self._db.execute("ROLLBACK")
                    return None, spent
                cursor = self._db.execute("INSERT INTO reservation (at, day, amount_usd) VALUES (?, ?, ?)", (now, day, amount))
                self._db.execute("COMMIT")
                return int(cursor.lastrowid or 0), spent
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def release_budget(self, reservation_id: int) -> None:
        self._run("DELETE FROM reservation WHERE id = ?", (reservation_id,))

    def spent_on(self, day: str) -> float:
        """Dollars recorded on a UTC day (``YYYY-MM-DD``)."""
        return float(self._run("SELECT coalesce(sum(cost_usd), 0) FROM spend WHERE day = ?", (day,))[0][0])

    # --- breakers ------------------------------------------------------------------------------

    def breakers_clear(self) -> None:
        self._run("DELETE FROM breaker")

    def breakers(self) -> dict[str, dict[str, Any]]:
        rows = self._run("SELECT provider, state, failures, opened_at, opened_by_run FROM breaker")
        return {row[0]: {"state": row[1], "failures": row[2], "opened_at": row[3], "opened_by_run": row[4]} for row in rows}

    def save_breaker(self, provider: str, state: str, failures: int, opened_at: float | None, opened_by_run: int | None = None) -> None:
        """``opened_by_run``: the run (``runs.id``) whose failures opened it, for 'open since when, by what'."""
        self._run(
            "INSERT OR REPLACE INTO breaker (provider, state, failures, opened_at, updated_at, opened_by_run) VALUES (?, ?, ?, ?, ?, ?)",
            (provider, state, failures, opened_at, time.time(), opened_by_run),
        )

    # --- run history ---------------------------------------------------------------------------

    def start_run(self, command: str, started_at: float) -> int:
        import aicheck

        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO runs (command, started_at, version) VALUES (?, ?, ?)",
                (command, utc_iso(started_at), aicheck.__version__),
            )
            return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, *, finished_at: float, duration_s: float, failed: bool, summary: dict[str, Any], results: list[Any]) -> None:
        self._run(
            "UPDATE runs SET finished_at = ?, duration_s = ?, failed = ?, summary = ?, results = ? WHERE id = ?",
            (utc_iso(finished_at), duration_s, int(failed), json.dumps(summary), json.dumps(results), run_id),
        )

    def runs(self, command: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """The latest finished runs, newest first, with summary and results decoded."""
        where, params = ("WHERE finished_at IS NOT NULL AND command = ?", (command,)) if command else ("WHERE finished_at IS NOT NULL", ())
        rows = self._run(
            f"SELECT id, command, started_at, finished_at, duration_s, failed, version, summary, results FROM runs {where} ORDER BY id DESC LIMIT ?",
            (*params, limit),
        )
        names = ("id", "command", "started_at", "finished_at", "duration_s", "failed", "version", "summary", "results")
        runs = []
        for row in rows:
            summary, results = _decoded(row[7], {}), _decoded(row[8], [])
            if isinstance(summary, dict) and isinstance(results, list):  # one damaged row must not break every later report
                runs.append({**dict(zip(names, row)), "failed": bool(row[5]), "summary": summary, "results": results})
        return runs


def _add_column(db: sqlite3.Connection, table: str, column: str) -> None:
    try:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
    except sqlite3.OperationalError:  # duplicate column: already there
        pass


def _prepare(folder: Path) -> None:
    """The folder, with a ``.gitignore`` that keeps everything in it out of git (not in a folder
    of the user's that already existed: a ``*`` there would hide their own files)."""
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if (created or folder.name == FOLDER) and not ignore.exists():
        ignore.write_text("# aicheck's state (cache, spend, breakers, run history): never commit it.\n*\n", encoding="utf-8")


def _decoded(text: Any, default: Any) -> Any:
    if not text:
        return default
    try:
        return json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return None


_COLUMNS = {
    "cache": {"key", "provider", "model", "created_at", "expires_at", "value"},
    "spend": {"id", "at", "day", "run_id", "provider", "model", "cost_usd", "input_tokens", "output_tokens"},
    "breaker": {"provider", "state", "failures", "opened_at", "updated_at"},
    "runs": {"id", "command", "started_at", "finished_at", "duration_s", "failed", "version", "summary", "results"},
}


def _ours(db: sqlite3.Connection) -> bool:
    """Is this an empty file or aicheck's own state (the tables it has have aicheck's columns)?"""
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table, columns in _COLUMNS.items():
            # Columns added later (breaker.opened_by_run) are migrated in place: extra ones are ours too.
            if table in tables and not columns <= {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
                return False
    except sqlite3.DatabaseError:
        return False
    return version in (0, SCHEMA_VERSION)


def _set_aside(path: Path) -> None:
    """A state file aicheck cannot use (another schema, not SQLite) is kept, renamed, and a new one started."""
    aside = path.with_name(f"{path.name}.unusable-{int(time.time())}")
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.unlink()
    import sys

    print(f"aicheck: warning: {path} was not an aicheck state file; kept as {aside.name}, a new one is started", file=sys.stderr)


def _check_inside(folder: Path, root: Path) -> None:
    """A committed ``.aicheck`` symlink must not make aicheck write outside the repository."""
    from aicheck import trust

    if folder.is_symlink() or (folder.exists() and not trust.inside(folder, root)):
        raise AicheckError(f"{folder}: a symlink out of the repository; aicheck keeps its state only inside it "
                           f"(remove the link, or set {STATE_DIR_ENV} to a folder of your own)")
    database = folder / FILENAME
    if database.is_symlink():
        raise AicheckError(f"{database}: a symlink; aicheck does not write through it (remove it, or set {STATE_DIR_ENV})")
