"""Opening the database: migrations, WAL, busy timeout, a backup before any migration."""

from __future__ import annotations

import datetime as dt
import os
import shutil
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
SQLITE_HEADER = b"SQLite format 3\x00"


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


def busy_timeout_ms() -> int:
    """How long to wait for another process's write lock: $LETTERMINE_BUSY_TIMEOUT seconds, else
    BUSY_TIMEOUT_MS."""
    value = os.environ.get("LETTERMINE_BUSY_TIMEOUT", "").strip()
    try:
        seconds = float(value) if value else BUSY_TIMEOUT_MS / 1000
    except ValueError:
        seconds = BUSY_TIMEOUT_MS / 1000
    return int(min(max(seconds, 0.0), 3600.0) * 1000)  # NaN falls to 0; at most an hour


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")


def refuse_to_replace_a_database(path: Path) -> None:
    """OutputError if path is a SQLite file (lettermine's --db or another's): a document or
    spreadsheet written there would destroy it. For every writer of output files."""
    from lettermine.errors import OutputError

    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError:
        return  # missing (or unreadable: writing will say so)
    if head == SQLITE_HEADER:
        raise OutputError(
            f"{shown(path)}: is a SQLite database (lettermine's --db?), not a document: "
            "it is left as it is; choose another output file"
        )


def _sqlite3_connect(target: Path) -> sqlite3.Connection:
    # The Path, not str(): a name that is not UTF-8 still opens (sqlite3 takes bytes).
    return sqlite3.connect(target, timeout=busy_timeout_ms() / 1000, isolation_level=None)


# -- errors a person can act on ------------------------------------------------------------------

# SQLite's primary result codes (sqlite3.Error.sqlite_errorcode & 0xFF) that say something about
# the file, the disk or other processes rather than about lettermine's code. Any other
# sqlite3 error is a bug and keeps its traceback.
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26
_PERM, _NOMEM, _NOLFS, _AUTH = 3, 7, 22, 23


def database_error(error: sqlite3.Error, path: Path | None = None) -> DatabaseError | None:
    """What a sqlite3 error means for the person running lettermine, as a DatabaseError whose
    message says what to do; None for an error that is lettermine's own (a bug)."""
    code = getattr(error, "sqlite_errorcode", None)
    name = f"{shown(path)}: " if path is not None else ""
    if code is None:
        text = str(error).lower()
        if "file is not a database" in text:
            code = _NOTADB
        elif "unable to open database" in text:
            code = _CANTOPEN
        else:
            return None
    code &= 0xFF
    if code in (_IOERR, _CANTOPEN, _FULL) and path is not None:
        code = _disk_state(path) or code
    waited = busy_timeout_ms() / 1000
    if code in (_BUSY, _LOCKED):
        message = (
            f"the database is in use by another process, which held it for more than {waited:g} s: "
            "try again when it has finished (the database is as it was)"
        )
    elif code in (_READONLY, _PERM, _AUTH):
        message = (
            "the database cannot be written (a read-only file, folder or disk: lettermine also "
            "writes the -wal and -shm files beside it): make the file and its folder writable, "
            "or work on a copy (the database is as it was)"
        )
    elif code == _FULL:
        message = (
            "the disk is full: free some space and try again (the write that failed left the "
            "database as it was)"
        )
    elif code == _CANTOPEN:
        message = (
            "the database file cannot be opened: check that its folder exists and that you can "
            "read and write there (lettermine writes the -wal and -shm files beside it)"
        )
    elif code in (_CORRUPT, _NOTADB):
        message = (
            f"not a usable lettermine database ({error}): if it is the right file it is damaged; "
            "restore it from a backup ('lettermine db backup', or a .before-migration copy)"
        )
    elif code in (_IOERR, _NOLFS):
        message = f"a disk error while using the database ({error}): check the disk and try again"
    elif code == _NOMEM:
        message = "out of memory while using the database: close other programs and try again"
    else:
        return None
    return DatabaseError(name + message)


def _disk_state(path: Path) -> int | None:
    # A disk error is often a full disk (SQLite reports a -shm file it cannot grow as an I/O
    # error) or a read-only one: say which, when the folder shows it.
    folder = path.parent if str(path.parent) else Path(".")
    try:
        if shutil.disk_usage(folder).free < 64 * 1024:
            return _FULL
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return _READONLY
    except OSError:
        return None
    return None


def _file_of(conn: sqlite3.Connection | None) -> Path | None:
    if conn is None:
        return None
    try:
        row = conn.execute("PRAGMA database_list").fetchone()
    except sqlite3.Error:
        return None
    return Path(row[2]) if row and row[2] else None


@contextmanager
def database_errors(
    path: Path | None = None, conn: sqlite3.Connection | None = None
) -> Iterator[None]:
    """Turn the sqlite3 errors a person can act on into DatabaseError; others pass unchanged.
    The message names path (or the file conn has open)."""
    try:
        yield
    except sqlite3.Error as e:
        translated = database_error(e, path or _file_of(conn))
        if translated is None:
            raise
        raise translated from None


# -- opening ------------------------------------------------------------------------------------


def _lettermine_state(conn: sqlite3.Connection, target: Path) -> int | None:
    """How many lettermine migrations the database has had: None for a database with no
    tables (new or empty); DatabaseError for one that is another application's, or that a
    newer lettermine made (its schema is beyond what this code knows)."""
    tables = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    if not tables:
        return None
    applied = 0
    if "_sqlite_migrations" in tables:
        applied = conn.execute(
            "SELECT count(*) FROM _sqlite_migrations WHERE migration_set = 'lettermine'"
        ).fetchone()[0]
    if not applied:
        listed = ", ".join(shown(t) for t in sorted(tables)[:4])
        listed += ", ..." if len(tables) > 4 else ""
        raise DatabaseError(
            f"{shown(target)}: is not a lettermine database (it holds other tables: {listed}); "
            "lettermine leaves it alone: give another file with --db"
        )
    version = max(applied, conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise DatabaseError(
            f"{shown(target)}: made by a newer lettermine (schema version {version}; this one "
            f"knows up to {SCHEMA_VERSION}); it is left as it is: upgrade lettermine to use it"
        )
    return int(applied)


def _missing(target: Path) -> DatabaseError:
    return DatabaseError(
        f"no database at {shown(target)}: ingest letters first ('lettermine ingest FILES'), "
        "or give --db / set LETTERMINE_DB"
    )


def open_db(path: Path | str | None = None, *, create: bool = True) -> Database:
    """The migrated database at path (created if missing, unless create is False), in WAL mode
    with a busy timeout. DatabaseError for a file that is not lettermine's database, or that a
    newer lettermine made: either is refused before anything in it is changed."""
    from sqlite_utils import Database

    from lettermine.migrations import migrations

    target = _usable(db_path(path))  # a folder, FIFO or device is refused
    if not target.exists():
        if not create:
            raise _missing(target)
        if target.parent and not target.parent.exists():
            raise DatabaseError(f"{shown(target)}: folder {shown(target.parent)} does not exist")
    with database_errors(target):
        conn = _sqlite3_connect(target)
        try:
            _configure(conn)
            applied = _lettermine_state(conn, target)
            if applied is None and not create:
                raise DatabaseError(
                    f"{shown(target)}: holds no lettermine data yet: ingest letters first "
                    "('lettermine ingest FILES')"
                )
            conn.execute("PRAGMA journal_mode = WAL")
            db = Database(conn)
            if migrations.pending(db):
                _migrate(db, target)
        except BaseException:
            conn.close()
            raise
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
            problem = integrity_problem(db.conn)
            if problem:
                raise DatabaseError(
                    f"{shown(target)}: failed its integrity check ({problem}), so it was not "
                    "upgraded; restore it from a backup ('lettermine db backup', or a "
                    ".before-migration copy)"
                )
            _backup_other_connection(target, _backup_path(target))
        migrations.apply(db)
        db.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _backup_other_connection(target: Path, dest: Path) -> None:
    # VACUUM INTO cannot run inside a transaction; a second connection reads the last committed
    # state (WAL lets it read while this process holds the write lock), which is the old schema.
    other = _sqlite3_connect(target)
    try:
        _configure(other)
        backup(other, dest)
    finally:
        other.close()


def connect(path: Path | str | None = None, *, create: bool = False) -> sqlite3.Connection:
    """A plain sqlite3 connection to a lettermine database, for fast reads and the tracker's
    writes; migrates first (via open_db) if needed. A missing or empty database is an error
    unless create is True: only ingesting letters (or a caller that says so) makes one."""
    target = _usable(db_path(path))
    if target.is_file():
        with database_errors(target):
            conn = sqlite3.connect(target, timeout=busy_timeout_ms() / 1000)
            try:
                _configure(conn)
                applied = _lettermine_state(conn, target)
                version = conn.execute("PRAGMA user_version").fetchone()[0]
            except BaseException:
                conn.close()
                raise
            if applied == SCHEMA_VERSION == version:
                conn.row_factory = sqlite3.Row
                return conn
            conn.close()
    db = open_db(target, create=create)
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


def integrity_problem(conn: sqlite3.Connection) -> str | None:
    """The first problem SQLite's quick_check finds in the database file, or None if sound."""
    with database_errors():
        rows = conn.execute("PRAGMA quick_check(1)").fetchall()
    if not rows:
        return "no answer"
    first = " ".join(str(rows[0][0]).replace("*** in database main ***", "").split()) or "?"
    return None if first == "ok" else first


def backup(conn: sqlite3.Connection, dest: Path) -> Path:
    """A consistent copy of the database, safe while others use it (VACUUM INTO).

    Written to a temporary file beside dest, then linked to its name: a failure (a full disk, a
    folder that cannot be written) leaves no file behind, and an existing file is never replaced.
    """
    dest = Path(dest)
    if os.path.lexists(dest):
        raise DatabaseError(f"{shown(dest)}: already exists; choose another backup file")
    if not dest.parent.is_dir():
        raise DatabaseError(f"{shown(dest)}: folder {shown(dest.parent)} does not exist")
    # SQLite takes file names as UTF-8 text: the copy is made under a UTF-8 name beside dest.
    temp = dest.with_name(f".lettermine-backup-{os.getpid()}.part")
    try:
        try:
            conn.execute("VACUUM INTO ?", [str(temp)])
        except sqlite3.Error as e:
            # Damage is the database's; a full disk or a folder that cannot be written, the copy's.
            damaged = (getattr(e, "sqlite_errorcode", 0) & 0xFF) in (_CORRUPT, _NOTADB)
            translated = database_error(e, _file_of(conn) if damaged else dest)
            if translated is None:
                raise
            raise translated from None
        try:
            os.link(temp, dest)  # fails if dest appeared meanwhile: never replaces a file
        except FileExistsError:
            raise DatabaseError(
                f"{shown(dest)}: already exists; choose another backup file"
            ) from None
        except OSError as e:
            raise DatabaseError(
                f"{shown(dest)}: the backup cannot be written ({e.strerror})"
            ) from None
    finally:
        temp.unlink(missing_ok=True)
    return dest


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One all-or-nothing write, taking the write lock at the start so writers queue, not fail."""
    with database_errors(conn=conn):
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")  # may fail too (a full disk): rolled back like the rest
        except BaseException:
            _rollback(conn)
            raise


def _rollback(conn: sqlite3.Connection) -> None:
    # After a disk error SQLite may already have rolled back, or the rollback may fail as well:
    # either way the original error is the one to report.
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def optimize_search_index(conn: sqlite3.Connection) -> None:
    """Merge the search index into one segment (FTS5 'optimize'): run it after a batch of writes.

    Each transaction that writes units adds a segment to units_fts, and FTS5's automerge leaves a
    couple of dozen after a few thousand letters; every search looks each word up in each one.
    Merged, the median search does ~8% less work, a rare word's 10-35% less (callgrind, 100,000
    units); it takes ~0.3 s per 100,000 units, and next to nothing when already merged.
    """
    with write_transaction(conn):
        conn.execute("INSERT INTO units_fts (units_fts) VALUES ('optimize')")
