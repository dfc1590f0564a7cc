"""Shared by the web tests: the seed scenario with two users, and a cookie-keeping client."""

from __future__ import annotations

import asyncio
import importlib.util
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2024-02-01"  # the seed scenario's "today": some actions on track, some behind
EDITOR, VIEWER = "Head of Service", "Board Member"
PASSWORDS = {EDITOR: "editor passphrase 1", VIEWER: "viewer passphrase 2"}
EH1 = "A referral pathway from health services to early help, agreed with the ICB"


@contextmanager
def cheap_hashes() -> Iterator[None]:
    """scrypt at a test's cost (N=2^10, p=1) while the block runs. Each hash keeps its own
    parameters, so a password hashed cheaply is checked cheaply, and nothing else changes:
    the production parameters have a test of their own (test_users)."""
    from lettermine.web import users

    kept = users.SCRYPT_N, users.SCRYPT_P
    users.SCRYPT_N, users.SCRYPT_P = 2**10, 1
    try:
        yield
    finally:
        users.SCRYPT_N, users.SCRYPT_P = kept


def build_seed(db: Path) -> None:
    """The demo scenario (scripts/demo_documents.py) with an editor and a viewer who have
    chosen their passwords (hashed cheaply: sign-in is in most web tests)."""
    with cheap_hashes():
        _build_seed(db)


def _build_seed(db: Path) -> None:
    from lettermine.web import users

    spec = importlib.util.spec_from_file_location(
        "demo_documents", ROOT / "scripts/demo_documents.py"
    )
    assert spec and spec.loader
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    conn: sqlite3.Connection = demo.seed(db)
    for name, role in ((EDITOR, "editor"), (VIEWER, "viewer")):
        users.add_user(conn, name, role)
        stamp = users.current(conn, name)[1]  # type: ignore[index]
        users.change_password(conn, name, users.hash_password(PASSWORDS[name]), old_stamp=stamp)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def copy_db(source: Path, dest: Path) -> Path:
    """A consistent single-file copy of a database."""
    src = sqlite3.connect(source)
    src.execute("VACUUM INTO ?", [str(dest)])
    src.close()
    return dest


def action_id(conn: sqlite3.Connection, title: str = EH1) -> int:
    return int(conn.execute("SELECT id FROM actions WHERE title = ?", [title]).fetchone()[0])


def csrf(html: str) -> str:
    found = re.search(r'name="csrftoken" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


class Web:
    """Datasette with lettermine's plugin, in this process, and a client that keeps cookies
    as a browser does."""

    def __init__(self, db: Path, today: str | None = TODAY) -> None:
        from lettermine.web.app import make_datasette

        self.datasette = make_datasette(db, today=today)
        self.loop = asyncio.new_event_loop()
        self.client = self.new_client()

    def new_client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.datasette.app())
        return httpx.AsyncClient(transport=transport, base_url="http://localhost")

    def get(self, path: str, client: httpx.AsyncClient | None = None, **kw: Any) -> httpx.Response:
        return self.loop.run_until_complete((client or self.client).get(path, **kw))

    def post(
        self, path: str, data: dict[str, str], client: httpx.AsyncClient | None = None
    ) -> httpx.Response:
        return self.loop.run_until_complete((client or self.client).post(path, data=data))

    def sign_in(
        self, name: str, password: str | None = None, client: httpx.AsyncClient | None = None
    ) -> httpx.Response:
        page = self.get("/-/login", client)
        return self.post(
            "/-/login",
            {
                "csrftoken": csrf(page.text),
                "name": name,
                "password": password or PASSWORDS[name],
                "next": "/",
            },
            client,
        )

    def close(self) -> None:
        from lettermine.web.site import Site

        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()
        Site.of(self.datasette).close()
        for database in self.datasette.databases.values():
            database.close()
