"""Users of the web view: roles, one-time passwords, scrypt hashes, the `users` commands."""

from __future__ import annotations

import base64
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner
from web_helpers import cheap_hashes

from lettermine.cli import app
from lettermine.db import connect
from lettermine.errors import InvalidInput, NotFound
from lettermine.web import users


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    return connect(db_path, create=True)


@pytest.fixture(autouse=True)
def cheap(request: pytest.FixtureRequest) -> Iterator[None]:
    """scrypt at a test's cost, but for the test of the production parameters."""
    if request.node.name == "test_a_hash_is_salted_scrypt_at_owasp_strength":
        yield
        return
    with cheap_hashes():
        yield


def test_a_hash_is_salted_scrypt_at_owasp_strength() -> None:
    stored = users.hash_password("a long passphrase")
    scheme, n, r, p, salt, key = stored.split("$")
    # One of OWASP's recommended scrypt settings (N=2^15, r=8, p=3), 16 bytes of salt.
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", 2**15, 8, 3)
    assert len(base64.b64decode(salt)) == 16 and len(base64.b64decode(key)) == 32
    assert users.verify_password("a long passphrase", stored)


def test_a_hash_checks_only_its_password() -> None:
    first, second = (
        users.hash_password("a long passphrase"),
        users.hash_password("a long passphrase"),
    )
    assert first.startswith("scrypt$") and first != second  # salted
    assert "a long passphrase" not in first
    assert users.verify_password("a long passphrase", first)
    assert users.verify_password("a long passphrase", second)
    assert not users.verify_password("a long passphrasE", first)
    assert not users.verify_password("a long passphrase", "pbkdf2$1$x$y$z$w")
    assert not users.verify_password("a long passphrase", "not a hash")


def test_one_time_passwords_are_long_random_and_unambiguous() -> None:
    made = {users.one_time_password() for _ in range(50)}
    assert len(made) == 50
    for password in made:
        assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", password)
        assert not set(password) & set("01ilo")


def test_add_keeps_only_a_hash_and_asks_for_a_new_password(conn: sqlite3.Connection) -> None:
    password = users.add_user(conn, "  Head  of Service ", "Editor")
    (stored,) = conn.execute("SELECT password_hash FROM users").fetchone()
    assert password not in stored and users.verify_password(password, stored)
    user = users.get_user(conn, "head of service")  # names are matched without case
    assert user["name"] == "Head of Service" and user["role"] == "editor"
    assert user["must_change"] is True
    assert "password_hash" not in user
    found = users.stored_hash(conn, "HEAD OF SERVICE")
    signed = users.authenticate(found, password)
    assert signed is not None and signed["stamp"] == users.current(conn, "Head of Service")[1]
    assert users.authenticate(found, "wrong password") is None
    assert users.authenticate(None, password) is None


@pytest.mark.parametrize(
    ("name", "role", "message"),
    [
        ("", "editor", "needs a name"),
        ("x" * 101, "editor", "at most 100"),
        ("Bell\x07", "editor", "control characters"),
        ("Ann", "admin", "unknown role 'admin'"),
    ],
)
def test_bad_users_are_refused(
    conn: sqlite3.Connection, name: str, role: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        users.add_user(conn, name, role)
    assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 0


def test_a_name_is_taken_once(conn: sqlite3.Connection) -> None:
    users.add_user(conn, "Ann Lee", "viewer")
    with pytest.raises(InvalidInput, match="already a user 'Ann Lee'"):
        users.add_user(conn, "ANN LEE", "editor")


def test_role_remove_and_reset(conn: sqlite3.Connection) -> None:
    users.add_user(conn, "Ann Lee", "viewer")
    stamp = users.current(conn, "Ann Lee")[1]
    users.set_role(conn, "ann lee", "editor")
    assert users.current(conn, "Ann Lee") == ("editor", stamp)
    new = users.reset_password(conn, "Ann Lee")
    role, new_stamp = users.current(conn, "Ann Lee")
    assert new_stamp != stamp  # a reset ends the old sessions
    assert users.authenticate(users.stored_hash(conn, "Ann Lee"), new) is not None
    users.remove_user(conn, "Ann Lee")
    assert users.current(conn, "Ann Lee") is None
    for change in (
        lambda: users.set_role(conn, "Ann Lee", "viewer"),
        lambda: users.remove_user(conn, "Ann Lee"),
        lambda: users.reset_password(conn, "Ann Lee"),
    ):
        with pytest.raises(NotFound, match="no user 'Ann Lee'"):
            change()


def test_a_chosen_password_replaces_the_one_time_one(conn: sqlite3.Connection) -> None:
    once = users.add_user(conn, "Ann Lee", "editor")
    stamp = users.current(conn, "Ann Lee")[1]
    new_stamp = users.change_password(
        conn, "Ann Lee", users.hash_password("a passphrase of mine"), old_stamp=stamp
    )
    assert users.current(conn, "Ann Lee")[1] == new_stamp != stamp
    found = users.stored_hash(conn, "Ann Lee")
    assert users.authenticate(found, once) is None
    signed = users.authenticate(found, "a passphrase of mine")
    assert signed is not None and signed["must_change"] is False
    # A form opened before the change cannot overwrite it.
    with pytest.raises(InvalidInput, match="changed meanwhile"):
        users.change_password(conn, "Ann Lee", users.hash_password("x" * 12), old_stamp=stamp)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 10"),
        ("Ann Lee   ", "cannot be the user's name"),
        ("x" * 2000, "at most"),
    ],
)
def test_weak_passwords_are_refused(password: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        users.check_new_password(password, "Ann Lee")


def test_the_users_commands(db_path: Path) -> None:
    runner = CliRunner()
    connect(db_path, create=True).close()
    added = runner.invoke(app, ["users", "add", "Head of Service", "--role", "editor"])
    assert added.exit_code == 0, added.output
    password = added.stdout.strip()
    assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", password)
    assert "one-time password" in added.stderr.lower()
    listed = runner.invoke(app, ["users", "list"])
    assert listed.exit_code == 0, listed.output
    assert "Head of Service" in listed.stdout and "editor" in listed.stdout
    assert "one-time" in listed.stdout and password not in listed.stdout
    assert runner.invoke(app, ["users", "role", "Head of Service", "viewer"]).exit_code == 0
    as_json = runner.invoke(app, ["users", "list", "--json"])
    assert '"role": "viewer"' in as_json.stdout and "hash" not in as_json.stdout
    reset = runner.invoke(app, ["users", "password", "Head of Service"])
    assert reset.exit_code == 0 and reset.stdout.strip() != password
    assert runner.invoke(app, ["users", "remove", "Head of Service"]).exit_code == 0
    assert "Head of Service" not in runner.invoke(app, ["users", "list"]).stdout


def test_users_commands_bad_input(db_path: Path) -> None:
    runner = CliRunner()
    connect(db_path, create=True).close()
    missing = runner.invoke(app, ["users", "remove", "Nobody"])
    assert missing.exit_code == 1
    assert missing.stderr.strip().splitlines() == [
        "Error: no user 'Nobody' (see 'lettermine users list')"
    ]
    assert runner.invoke(app, ["users", "add", "Ann", "--role", "admin"]).exit_code == 2
    assert runner.invoke(app, ["users", "role", "Ann", "owner"]).exit_code == 2
