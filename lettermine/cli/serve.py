"""The web view and who may use it: `lettermine serve`, `lettermine users add|list|remove|...`."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from lettermine.cli import DbOption, JsonOption, app, reported_errors
from lettermine.cli.output import print_json, print_table

users_app = typer.Typer(
    name="users",
    help="The people who may use 'lettermine serve', and their roles.",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")


class Role(str, Enum):
    editor = "editor"
    viewer = "viewer"


RoleHelp = "editor: reads and records progress on actions; viewer: reads only."
UserName = Annotated[str, typer.Argument(metavar="NAME", help="The user's name, as they sign in.")]


@app.command()
def serve(
    *,
    db: DbOption = None,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. The default answers this machine only; put a reverse "
            "proxy with HTTPS in front to serve others (see README).",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port (0: any free port).")
    ] = 8001,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            envvar="LETTERMINE_TODAY",
            metavar="YYYY-MM-DD",
            help="Judge RAG and date changes as at this date (default: each day's date).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the tracker in a browser: improvement board, letters, actions, search, downloads.

    Datasette with lettermine's plugin, on this database. Sign-in is required: add people with
    'lettermine users add'. Stops cleanly on Ctrl-C or SIGTERM.

    Example: lettermine serve --db lettermine.db --port 8001
    """
    from lettermine.web.app import prepare, run

    with reported_errors():
        server = prepare(db, host=host, port=port, today=today)
    for warning in server.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    typer.echo(f"Serving {server.path} at {server.url} (Ctrl-C or SIGTERM stops)", err=True)
    stopped_by = run(server)
    typer.echo(f"Stopped{f' ({stopped_by})' if stopped_by else ''}.", err=True)


@users_app.command("add")
def users_add(
    name: UserName,
    *,
    role: Annotated[Role, typer.Option("--role", help=RoleHelp)],
    db: DbOption = None,
) -> None:
    """Add a user and print their one-time password (they choose their own at first sign-in).

    Example: lettermine users add "Head of Service" --role editor
    """
    from lettermine.db import connect
    from lettermine.web.users import add_user

    with reported_errors():
        password = add_user(connect(db), name, role.value)
    typer.echo(
        f"Added {name.strip()} ({role.value}). One-time password (shown once; they choose "
        "their own at first sign-in):",
        err=True,
    )
    typer.echo(password)


@users_app.command("list")
def users_list(*, db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the users, their roles and when they last signed in (never their passwords).

    Example: lettermine users list
    """
    from lettermine.db import connect
    from lettermine.web.users import list_users

    with reported_errors():
        users = list_users(connect(db))
    if as_json:
        print_json(users)
        return
    rows = [{**u, "password": "one-time (unused)" if u["must_change"] else "chosen"} for u in users]
    print_table(
        rows,
        ["name", "role", "password", "created", "last_sign_in"],
        headers=["name", "role", "password", "added", "last sign-in"],
    )


@users_app.command("remove")
def users_remove(name: UserName, *, db: DbOption = None) -> None:
    """Remove a user; their sessions end at once. What they recorded keeps their name.

    Example: lettermine users remove "Head of Service"
    """
    from lettermine.db import connect
    from lettermine.web.users import remove_user

    with reported_errors():
        remove_user(connect(db), name)


@users_app.command("role")
def users_role(
    name: UserName,
    role: Annotated[Role, typer.Argument(help=RoleHelp)],
    *,
    db: DbOption = None,
) -> None:
    """Change a user's role; it applies from their next page.

    Example: lettermine users role "Head of Service" viewer
    """
    from lettermine.db import connect
    from lettermine.web.users import set_role

    with reported_errors():
        set_role(connect(db), name, role.value)


@users_app.command("password")
def users_password(name: UserName, *, db: DbOption = None) -> None:
    """Give a user a new one-time password (for a forgotten one); their sessions end.

    Example: lettermine users password "Head of Service"
    """
    from lettermine.db import connect
    from lettermine.web.users import reset_password

    with reported_errors():
        password = reset_password(connect(db), name)
    typer.echo(f"New one-time password for {name.strip()} (shown once):", err=True)
    typer.echo(password)
