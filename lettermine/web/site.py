"""What lettermine's plugin keeps for one Datasette instance: its database, its day, its writer.

Reads run on Datasette's own read connections (read-only, a pool of threads). Writes run on one
thread of lettermine's own, with a connection made by lettermine.db.connect, so they queue in
this process and are configured exactly as the command line's (busy timeout, foreign keys).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lettermine.db import connect

if TYPE_CHECKING:
    import sqlite3

    from datasette.app import Datasette

T = TypeVar("T")

_ATTRIBUTE = "_lettermine_site"
FAILED_SIGN_INS = 5  # per name, within FAILURE_WINDOW seconds, before sign-in is refused
FAILURE_WINDOW = 15 * 60


@dataclass(eq=False)
class Site:
    datasette: Datasette
    name: str  # the database's name in Datasette (its URL path)
    path: Path
    today: str | None = None  # fixed by --today; else each day's own date
    writer: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="lettermine-write")
    )
    # scrypt takes 32 MiB and a fraction of a second: at most two at once, off the event loop.
    hasher: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(2, thread_name_prefix="lettermine-hash")
    )
    failures: dict[str, list[float]] = field(default_factory=dict)
    _local: threading.local = field(default_factory=threading.local)
    _connections: list[sqlite3.Connection] = field(default_factory=list)

    def attach(self) -> Site:
        setattr(self.datasette, _ATTRIBUTE, self)
        return self

    @staticmethod
    def find(datasette: Datasette) -> Site | None:
        """The site of a Datasette instance, or None for one lettermine did not make."""
        site = getattr(datasette, _ATTRIBUTE, None)
        return site if isinstance(site, Site) else None

    @staticmethod
    def of(datasette: Datasette) -> Site:
        site = Site.find(datasette)
        if site is None:
            raise RuntimeError("not a Datasette instance made by lettermine.web.app")
        return site

    def day(self) -> dt.date:
        """The date RAG is judged on and changes are recorded as, by default."""
        return dt.date.fromisoformat(self.today) if self.today else dt.date.today()

    async def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """fn(conn, *args, **kwargs) on one of Datasette's read-only connections."""
        database = self.datasette.get_database(self.name)
        result: T = await database.execute_fn(lambda conn: fn(conn, *args, **kwargs))
        return result

    async def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """fn(conn, *args, **kwargs) on lettermine's own connection, one write at a time."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.writer, partial(self._write, fn, args, kwargs))

    def _write(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self.path)
            self._connections.append(conn)
        return fn(conn, *args, **kwargs)

    async def slow(self, fn: Callable[..., T], *args: Any) -> T:
        """A password hash or check, on the hashing threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.hasher, partial(fn, *args))

    def has_users(self) -> bool:
        conn = connect(self.path)
        try:
            return conn.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None
        finally:
            conn.close()

    # -- failed sign-ins, per name, in this process -------------------------------------------

    def refused(self, name: str) -> int:
        """Minutes to wait before this name may try to sign in again (0: it may now)."""
        now = time.monotonic()
        recent = [t for t in self.failures.get(name.casefold(), []) if now - t < FAILURE_WINDOW]
        self.failures[name.casefold()] = recent
        if len(recent) < FAILED_SIGN_INS:
            return 0
        return max(1, round((FAILURE_WINDOW - (now - recent[0])) / 60))

    def failed(self, name: str) -> None:
        self.failures.setdefault(name.casefold(), []).append(time.monotonic())

    def succeeded(self, name: str) -> None:
        self.failures.pop(name.casefold(), None)

    def close(self) -> None:
        """Stop the worker threads (after the server has stopped)."""
        self.writer.submit(self._close_connections).result()
        self.writer.shutdown()
        self.hasher.shutdown()

    def _close_connections(self) -> None:
        for conn in self._connections:
            conn.close()
        self._connections.clear()
        self._local.conn = None
