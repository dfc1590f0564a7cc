"""lettermine's Datasette plugin: who is signed in, what they may do, the pages, the guards.

Registered by lettermine.web.app.make_datasette (not an entry point: it acts only on a Datasette
instance that lettermine made, and is inert on any other).

Roles: nobody sees anything without signing in; a viewer reads (the board, letters, actions,
search, downloads, Datasette's tables and read-only SQL); an editor also records changes to
actions. The users table is never shown, and its password hashes cannot be read by SQL.
Datasette's own CSV (a table's or a query's rows as .csv) is rewritten cell by cell through
lettermine.spreadsheet, as every CSV lettermine writes, so no cell begins a formula.
"""

from __future__ import annotations

import sqlite3
import traceback
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import quote

from datasette import Response
from datasette import hookimpl as _hookimpl

from lettermine.db import BUSY_TIMEOUT_MS
from lettermine.errors import LettermineError
from lettermine.web.site import Site

EDIT = "lettermine-edit"  # the permission to record changes to actions
HIDDEN_TABLES = frozenset({"users"})
F = TypeVar("F", bound=Callable[..., Any])


def hookimpl(**options: bool) -> Callable[[F], F]:
    """Datasette's hook marker, typed for mypy."""
    return cast("Callable[[F], F]", _hookimpl(**options))


READ_ACTIONS = frozenset(
    {"view-instance", "view-database", "view-table", "view-query", "execute-sql"}
)


def role_of(actor: dict[str, Any] | None) -> str | None:
    """The role of a signed-in user whose session lettermine checked, else None."""
    if not actor or not actor.get("lettermine"):
        return None
    role = actor.get("role")
    return role if isinstance(role, str) else None


@hookimpl(tryfirst=True)
def actor_from_request(datasette: Any, request: Any) -> Any:
    site = Site.find(datasette)
    if site is None:
        return None
    from lettermine.web.auth import actor_for

    return actor_for(site, request)


@hookimpl(trylast=True)  # called last, so its answer is the one Datasette keeps
def permission_allowed(datasette: Any, actor: Any, action: str, resource: Any) -> Any:
    site = Site.find(datasette)
    if site is None:
        return None
    role = role_of(actor)
    if action == EDIT:
        return role == "editor"
    if action in READ_ACTIONS:
        if role is None:
            return False
        if action == "view-database":
            return resource == site.name
        if action == "view-table":
            database, table = resource
            return database == site.name and table not in HIDDEN_TABLES
        return True
    if action in ("permissions-debug", "debug-menu"):
        return False
    return None


@hookimpl()
def forbidden(datasette: Any, request: Any, message: str) -> Any:
    site = Site.find(datasette)
    if site is None or role_of(request.actor) is not None or request.method not in ("GET", "HEAD"):
        return None  # Datasette's own 403 page
    target = request.full_path
    return Response.redirect(datasette.urls.path(f"/-/login?next={quote(target, safe='')}"))


@hookimpl()
def register_routes(datasette: Any) -> Any:
    if Site.find(datasette) is None:
        return []
    from lettermine.web import auth, pages

    return [*pages.ROUTES, *auth.ROUTES]


@hookimpl()
def menu_links(datasette: Any, actor: Any, request: Any) -> Any:
    site = Site.find(datasette)
    if site is None or role_of(actor) is None:
        return []
    path = datasette.urls.path
    return [
        {"href": path("/"), "label": "Improvement board"},
        {"href": path("/-/lettermine/search"), "label": "Search across visits"},
        {"href": datasette.urls.database(site.name), "label": "Tables and SQL"},
        {"href": path("/-/lettermine/password"), "label": "Change my password"},
    ]


@hookimpl()
def handle_exception(datasette: Any, request: Any, exception: Exception) -> Any:
    """Errors on lettermine's pages: a message a person can act on, or (for a bug) a plain
    'something went wrong' while the traceback, without local variables, goes to the log."""
    from datasette.utils.asgi import Base400
    from datasette.views.base import DatasetteError

    if Site.find(datasette) is None or isinstance(exception, (Base400, DatasetteError)):
        return None
    if isinstance(exception, LettermineError):  # the database busy, full, read-only ...
        status, message = 503, str(exception)
    else:
        traceback.print_exception(type(exception), exception, exception.__traceback__)
        status, message = 500, "Something went wrong on the server (its log says what)."

    async def inner() -> Response:
        html = await datasette.render_template(
            "error.html", {"title": "Error", "error": message, "status": status}, request=request
        )
        return Response.html(html, status=status)

    return inner


def _authorizer(action: int, arg1: str | None, arg2: str | None, *_: Any) -> int:
    # Datasette's connections run SQL people type: they may never read a password hash.
    if action == sqlite3.SQLITE_READ and (arg1 or "").lower() == "users":
        if (arg2 or "").lower() == "password_hash":
            return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


@hookimpl()
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    site = Site.find(datasette)
    if site is None or database != site.name:
        return
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.set_authorizer(_authorizer)


# -- Datasette's CSV made as safe as lettermine's own ---------------------------------------------


def _datasette_csv(scope: dict[str, Any]) -> bool:
    # A table's or a query's rows as CSV (.csv, or ?_format=csv); lettermine's own downloads
    # are written safe already (guarding them twice would add a second apostrophe).
    path = str(scope.get("path", ""))
    if path.startswith("/-/"):
        return False
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    return path.endswith(".csv") or "_format=csv" in query


def guard_csv(body: bytes) -> bytes:
    """CSV text rewritten with every cell through spreadsheet.csv_cell (UTF-8, '\\n' lines)."""
    import csv
    import io

    from lettermine.spreadsheet import write_csv

    text = body.decode("utf-8", "replace")
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    rows = list(csv.reader(io.StringIO(text[len(bom) :], newline="")))
    if not rows:
        return body
    out = io.StringIO()
    out.write(bom)
    write_csv(out, rows[0], rows[1:])
    return out.getvalue().encode("utf-8")


@hookimpl()
def asgi_wrapper(datasette: Any) -> Any:
    def wrap(app: Any) -> Any:
        async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("type") != "http" or not _datasette_csv(scope):
                await app(scope, receive, send)
                return
            start: dict[str, Any] = {}
            chunks: list[bytes] = []

            async def collect(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    start.update(message)
                    return
                if message["type"] != "http.response.body":
                    await send(message)
                    return
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = b"".join(chunks)
                headers = [
                    (k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"
                ]
                kind = {k.lower(): v for k, v in headers}.get(b"content-type", b"")
                if start.get("status") == 200 and kind.startswith((b"text/csv", b"text/plain")):
                    body = guard_csv(body)
                await send(
                    {**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]}
                )
                await send({"type": "http.response.body", "body": body})

            await app(scope, receive, collect)

        return guarded

    return wrap
