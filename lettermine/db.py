"""Opening the database: migrations, WAL, busy timeout, a backup before any migration."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from lettermine.errors import LettermineError
from lettermine.paths import NotReadable, check_target, shown
from lettermine.schema import SCHEMA_VERSION

if TYPE_CHECKING:
    from sqlite_utils import Database

DEFAULT_DB = Path("lettermine.db")
BUSY_TIMEOUT_MS = 30_000


class DatabaseError(LettermineError):
    "The database file cannot be opened or is not a lettermine database"


def db_path(path: Path | str | None = None) -> Path:
    """The database file: the argument, else $LETTERMINE_DB, else ./lettermine.db."""
    if path:
        return Path(path)
    return Path(os.environ.get("LETTERMINE_DB") or DEFAULT_DB)


def _usable(target: Path) -> Path:
    # SQLite opens a FIFO or a device as if it were a file (and fails obscurely, or waits).
    try:
        check_target(target)
    except NotReadable as e:
        raise DatabaseError(f"{e}; give a database file") from None
    return target


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")


def open_db(path: Path | str | None = None) -> Database:
    """The migrated database at path (created if missing), in WAL mode with a busy timeout."""
    from sqlite_utils import Database

    from lettermine.migrations import migrations

    target = _usable(db_path(path))
    if target.parent and not target.parent.exists():
        raise DatabaseError(f"{shown(target)}: folder {shown(target.parent)} does not exist")
    try:
        # The Path, not str(): a name that is not UTF-8 still opens (sqlite3 takes bytes).
        conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        _configure(conn)
        conn.execute("PRAGMA journal_mode = WAL")
        db = Database(conn)
        if migrations.pending(db):
            _migrate(db, target)
    except sqlite3.DatabaseError as e:
        raise DatabaseError(f"{shown(target)}: not a usable lettermine database ({e})") from None
    return db


def _migrate(db: Database, target: Path) -> None:
    """Apply pending migrations, one process at a time, after backing up a database with data."""
    from lettermine.migrations import migrations

    # Under the write lock, so that processes opening the same new or old database together
    # queue: the first migrates, the rest find nothing pending (migrating twice fails with
    # "table already exists"; a deferred transaction upgraded to a write fails at once with
    # "database is locked", whatever the busy timeout).
    with write_transaction(db.conn):
        if not migrations.pending(db):
            return
        if _has_data(db.conn):
            _backup_other_connection(target, _backup_path(target))
        migrations.apply(db)
        db.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _backup_other_connection(target: Path, dest: Path) -> None:
    # VACUUM INTO cannot run inside a transaction; a second connection reads the last committed
    # state (WAL lets it read while this process holds the write lock), which is the old schema.
    other = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        _configure(other)
        backup(other, dest)
    finally:
        other.close()


def connect(path: Path | str | None = None) -> sqlite3.Connection:
    """A plain sqlite3 connection for fast reads; migrates first (via open_db) if needed."""
    target = _usable(db_path(path))
    if target.exists():
        try:
            conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000)
            _configure(conn)
            if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
                conn.row_factory = sqlite3.Row
                return conn
            conn.close()
        except sqlite3.DatabaseError as e:
            raise DatabaseError(
                f"{shown(target)}: not a usable lettermine database ({e})"
            ) from None
    db = open_db(target)
    conn = db.conn
    conn.row_factory = sqlite3.Row
    return conn


def _has_data(conn: sqlite3.Connection) -> bool:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return (
        "letters" in tables and conn.execute("SELECT 1 FROM letters LIMIT 1").fetchone() is not None
    )


def _backup_path(target: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = target.with_name(f"{target.stem}.before-migration-{stamp}{target.suffix or '.db'}")
    n = 1
    while dest.exists():  # two upgrades within a second never overwrite a backup
        n += 1
        dest = target.with_name(
            f"{target.stem}.before-migration-{stamp}-{n}{target.suffix or '.db'}"
        )
    return dest


def backup(conn: sqlite3.Connection, dest: Path) -> Path:
    """A consistent copy of the database, safe while others use it (VACUUM INTO)."""
    if os.path.lexists(dest):
        raise DatabaseError(f"{shown(dest)}: already exists; choose another backup file")
    if not dest.parent.exists():
        raise DatabaseError(f"{shown(dest)}: folder {shown(dest.parent)} does not exist")
    try:
        str(dest).encode("utf-8")
    except UnicodeEncodeError:
        # SQLite takes file names as UTF-8 text: write under a UTF-8 name beside it, then
        # link it to the name asked for (link, not rename: it never replaces a file).
        temp = dest.with_name(f".lettermine-backup-{os.getpid()}.part")
        try:
            conn.execute("VACUUM INTO ?", [str(temp)])
            os.link(temp, dest)
        except OSError as e:
            raise DatabaseError(f"{shown(dest)}: cannot be written ({e.strerror})") from None
        finally:
            temp.unlink(missing_ok=True)
        return dest
    conn.execute("VACUUM INTO ?", [str(dest)])
    return dest


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One all-or-nothing write, taking the write lock at the start so writers queue, not fail."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def optimize_search_index(conn: sqlite3.Connection) -> None:
    """Merge the search index into one segment (FTS5 'optimize'): run it after a batch of writes.

    Each transaction that writes units adds a segment to units_fts, and FTS5's automerge leaves a
    couple of dozen after a few thousand letters; every search looks each word up in each one.
    Merged, the median search does ~8% less work, a rare word's 10-35% less (callgrind, 100,000
    units); it takes ~0.3 s per 100,000 units, and next to nothing when already merged.
    """
    with write_transaction(conn):
        conn.execute("INSERT INTO units_fts (units_fts) VALUES ('optimize')")
