"""The people who may use the web view: names, roles and passwords kept as scrypt hashes.

No web library here: `lettermine users ...` and the server's sign-in both use these functions.
A password made by lettermine (a new user's, or a reset) is a one-time password: it is shown
once, and its owner must choose their own at the first sign-in.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import sqlite3
import unicodedata
from typing import Any

from lettermine.db import write_transaction
from lettermine.errors import InvalidInput, NotFound

ROLES: tuple[str, ...] = ("editor", "viewer")
ROLE_HELP = "editor: reads and records progress on actions; viewer: reads only"

# scrypt at one of OWASP's recommended settings (N=2^15, r=8, p=3: 32 MiB, ~0.1-0.3 s). The
# parameters are stored in each hash, so raising them later leaves old passwords working.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 3
SCRYPT_MAXMEM = 64 * 1024 * 1024
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # longer input is refused before it is hashed
MAX_NAME = 100

# A hash of a password nobody has, checked when the name is unknown, so that a wrong name takes
# as long to refuse as a wrong password.
_NOBODY: list[str] = []


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """A salted scrypt hash of a password: 'scrypt$N$r$p$salt$hash' (base64)."""
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        maxmem=SCRYPT_MAXMEM,
        dklen=32,
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether a password matches a stored hash (in constant time for the comparison)."""
    if len(password) > MAX_PASSWORD:
        return False
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key)
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=SCRYPT_MAXMEM,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def new_stamp() -> str:
    """A fresh session stamp: stored with each new password and carried by its sessions."""
    return secrets.token_hex(8)


def one_time_password() -> str:
    """A random password to give a person once: 4 groups of 4 letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
    raw = "".join(secrets.choice(alphabet) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def check_name(name: str) -> str:
    """A user name as stored: trimmed, printable, at most MAX_NAME characters."""
    clean = " ".join(name.split())
    if not clean:
        raise InvalidInput("a user needs a name")
    if len(clean) > MAX_NAME:
        raise InvalidInput(f"a user name has at most {MAX_NAME} characters")
    if any(unicodedata.category(ch)[0] == "C" for ch in clean):
        raise InvalidInput("a user name cannot hold control characters")
    return clean


def check_role(role: str) -> str:
    """A role code, checked: editor or viewer."""
    code = role.strip().lower()
    if code not in ROLES:
        raise InvalidInput(f"unknown role '{role}' (use editor or viewer)")
    return code


def check_new_password(password: str, name: str) -> str:
    """A password a person chose, checked for length and for not being their name."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"a password has at most {MAX_PASSWORD} characters")
    if password.strip().casefold() == name.strip().casefold():
        raise InvalidInput("a password cannot be the user's name")
    return password


def _user(row: sqlite3.Row | tuple[Any, ...] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    keys = ("name", "role", "must_change", "created", "password_set", "last_sign_in")
    user = dict(zip(keys, tuple(row)[:6], strict=True))
    user["must_change"] = bool(user["must_change"])
    return user


_COLUMNS = "name, role, must_change, created, password_set, last_sign_in"


def get_user(conn: sqlite3.Connection, name: str) -> dict[str, Any]:
    """One user (without the password hash); NotFound if there is none of that name."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE name = ?", [name.strip()]).fetchone()
    user = _user(row)
    if user is None:
        raise NotFound(f"no user '{name}' (see 'lettermine users list')")
    return user


def list_users(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every user, by name, without password hashes."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM users ORDER BY name COLLATE NOCASE").fetchall()
    return [u for u in (_user(r) for r in rows) if u is not None]


def add_user(conn: sqlite3.Connection, name: str, role: str) -> str:
    """Add a user with a role; their one-time password (shown once, never stored as it is)."""
    clean, code = check_name(name), check_role(role)
    password = one_time_password()
    stored = hash_password(password)
    now = _now()
    with write_transaction(conn):
        taken = conn.execute("SELECT name FROM users WHERE name = ?", [clean]).fetchone()
        if taken:
            raise InvalidInput(f"there is already a user '{taken[0]}'")
        conn.execute(
            """INSERT INTO users (name, role, password_hash, must_change, session_stamp,
               created, password_set) VALUES (?, ?, ?, 1, ?, ?, ?)""",
            [clean, code, stored, new_stamp(), now, now],
        )
    return password


def remove_user(conn: sqlite3.Connection, name: str) -> None:
    """Remove a user: their sessions end at once. What they recorded keeps their name."""
    with write_transaction(conn):
        user = get_user(conn, name)
        conn.execute("DELETE FROM users WHERE name = ?", [user["name"]])


def set_role(conn: sqlite3.Connection, name: str, role: str) -> None:
    """Change a user's role; it applies to their next page, signed in or not."""
    code = check_role(role)
    with write_transaction(conn):
        user = get_user(conn, name)
        conn.execute("UPDATE users SET role = ? WHERE name = ?", [code, user["name"]])


def reset_password(conn: sqlite3.Connection, name: str) -> str:
    """Give a user a new one-time password (their sessions end); the password."""
    password = one_time_password()
    stored = hash_password(password)
    with write_transaction(conn):
        user = get_user(conn, name)
        conn.execute(
            """UPDATE users SET password_hash = ?, must_change = 1, session_stamp = ?,
               password_set = ? WHERE name = ?""",
            [stored, new_stamp(), _now(), user["name"]],
        )
    return password


def stored_hash(conn: sqlite3.Connection, name: str) -> tuple[dict[str, Any], str] | None:
    """A user (with their session stamp) and their password hash, for signing in; None if
    there is no such user."""
    row = conn.execute(
        f"SELECT {_COLUMNS}, password_hash, session_stamp FROM users WHERE name = ?",
        [name.strip()],
    ).fetchone()
    user = _user(row)
    if user is None or row is None:
        return None
    user["stamp"] = str(tuple(row)[7])
    return user, str(tuple(row)[6])


def authenticate(found: tuple[dict[str, Any], str] | None, password: str) -> dict[str, Any] | None:
    """The user (with their session stamp) if the password matches what stored_hash() found,
    else None. Slow on purpose (scrypt): call it off the server's event loop.

    An unknown name costs the same hashing as a wrong password, so timing does not tell
    which names exist.
    """
    if found is None:
        if not _NOBODY:
            _NOBODY.append(hash_password(secrets.token_urlsafe(16)))
        verify_password(password, _NOBODY[0])
        return None
    user, stored = found
    if not verify_password(password, stored):
        return None
    return user


def change_password(conn: sqlite3.Connection, name: str, new_hash: str, *, old_stamp: str) -> str:
    """Store the hash of a password a user chose (see check_new_password, hash_password);
    their new session stamp.

    old_stamp is the session stamp of the password being replaced: if it changed meanwhile
    (reset by an administrator, or changed in another session), nothing is written.
    """
    stamp = new_stamp()
    with write_transaction(conn):
        row = conn.execute(
            "SELECT name, session_stamp FROM users WHERE name = ?", [name.strip()]
        ).fetchone()
        if row is None:
            raise NotFound(f"no user '{name}'")
        if not hmac.compare_digest(str(row[1]), old_stamp):
            raise InvalidInput("the password was changed meanwhile: sign in again")
        conn.execute(
            """UPDATE users SET password_hash = ?, must_change = 0, session_stamp = ?,
               password_set = ? WHERE name = ?""",
            [new_hash, stamp, _now(), row[0]],
        )
    return stamp


def record_sign_in(conn: sqlite3.Connection, name: str) -> None:
    """Note when a user last signed in (shown by 'lettermine users list')."""
    with write_transaction(conn):
        conn.execute("UPDATE users SET last_sign_in = ? WHERE name = ?", [_now(), name])


def current(conn: sqlite3.Connection, name: str) -> tuple[str, str] | None:
    """A user's role and session stamp now, or None if there is no such user: read on every
    request, so a removed user or a changed role or password takes effect at once. Reads no
    password hash."""
    row = conn.execute("SELECT role, session_stamp FROM users WHERE name = ?", [name]).fetchone()
    return None if row is None else (str(row[0]), str(row[1]))
