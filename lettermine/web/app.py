"""`lettermine serve`: Datasette on the tracker's database with lettermine's plugin, run by uvicorn.

Datasette and uvicorn are imported inside functions: `lettermine --help` never loads them.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lettermine.db import connect, db_path
from lettermine.errors import LettermineError

if TYPE_CHECKING:
    from datasette.app import Datasette

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
STATIC_MOUNT = "-/lettermine/static"

# Filesystems whose locking SQLite's WAL mode cannot rely on ("all processes using a database
# must be on the same host computer"), as /proc/mounts names them.
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "ncpfs",
        "afs",
        "coda",
        "9p",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "ocfs2",
        "gfs2",
        "davfs",
        "sshfs",
        "beegfs",
    }
)
# FUSE filesystems are named fuse.<program>; these reach another machine.
NETWORK_FUSE = frozenset(
    {"sshfs", "glusterfs", "cephfs", "davfs2", "s3fs", "rclone", "gcsfuse", "smbnetfs", "curlftpfs"}
)

SECRET_ENV = "LETTERMINE_SECRET"


class ServeError(LettermineError):
    "The server cannot start"


def _unescape_mount(field_: str) -> str:
    # /proc/mounts writes space, tab, newline and backslash in octal: \040 \011 \012 \134.
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field_ = field_.replace(code, char)
    return field_


def network_filesystem(path: Path, mounts: Path = Path("/proc/mounts")) -> str | None:
    """The type of network filesystem the file lies on (nfs, cifs ...), or None if local or
    unknown (no /proc/mounts: not Linux)."""
    try:
        lines = mounts.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    target = Path(os.path.realpath(path))
    best, fs_type = -1, ""
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        point = Path(_unescape_mount(parts[1]))
        if (target == point or point in target.parents) and len(str(point)) > best:
            best, fs_type = len(str(point)), parts[2]
    if fs_type in NETWORK_FILESYSTEMS:
        return fs_type
    if fs_type.startswith("fuse.") and fs_type[5:] in NETWORK_FUSE:
        return fs_type
    return None


def network_warning(path: Path, fs_type: str) -> str:
    """The one warning `serve` gives about a database on a network filesystem."""
    return (
        f"{path} is on a network filesystem ({fs_type}). SQLite cannot lock a database there "
        "safely: two computers writing to it can corrupt it. Keep the database on this "
        "machine's own disk, run 'lettermine serve' here, and let everyone else use the "
        "browser (the command line only on this machine)."
    )


@dataclass
class Server:
    """What `lettermine serve` will run: the database, the address and the Datasette app."""

    path: Path
    host: str
    port: int
    datasette: Datasette
    sock: socket.socket
    warnings: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"


def check_today(today: str | None) -> str | None:
    """A --today date, checked (YYYY-MM-DD), or None for each day's own date."""
    if today is None:
        return None
    from lettermine.dates import as_date

    day = as_date(today, "--today")
    return day.isoformat() if day else None


def make_datasette(path: Path, *, today: str | None = None, secret: str | None = None) -> Datasette:
    """Datasette on one lettermine database, with lettermine's plugin, metadata and pages."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    from lettermine.web import plugin
    from lettermine.web.metadata import metadata
    from lettermine.web.site import Site

    if not pm.is_registered(plugin):
        pm.register(plugin, name="lettermine")
    path = Path(path).resolve()
    name = path.stem  # the name Datasette gives the database (its URL path)
    ds = Datasette(
        files=[str(path)],
        metadata=metadata(name),
        template_dir=str(TEMPLATES),
        static_mounts=[(STATIC_MOUNT, str(STATIC))],
        settings={
            "allow_download": False,  # the file holds password hashes
            "default_allow_sql": True,  # for signed-in users only (plugin.permission_allowed)
            "sql_time_limit_ms": 3000,
            "default_cache_ttl": 0,  # pages show who is signed in and what they may do
            "num_sql_threads": 4,
        },
        secret=secret or os.environ.get(SECRET_ENV) or secrets.token_hex(32),
    )
    if name not in ds.databases:
        raise ServeError(f"{path}: Datasette named the database otherwise ({list(ds.databases)})")
    Site(datasette=ds, name=name, path=path, today=check_today(today)).attach()
    return ds


def _bind(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise ServeError(f"cannot listen on {host}: {e.strerror}; check --host") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as e:
        sock.close()
        raise ServeError(
            f"cannot listen on {host}:{port}: {e.strerror}; choose another --port or --host"
        ) from None
    sock.listen(128)
    return sock


def prepare(
    db: Path | str | None, *, host: str = "127.0.0.1", port: int = 8001, today: str | None = None
) -> Server:
    """Check the database (a lettermine database, migrated) and the address; the Server."""
    path = db_path(db)
    check_today(today)
    connect(path).close()  # refuses a missing or foreign database; applies migrations
    warnings = []
    fs_type = network_filesystem(path)
    if fs_type:
        warnings.append(network_warning(path, fs_type))
    ds = make_datasette(path, today=today)
    from lettermine.web.site import Site

    if not Site.of(ds).has_users():
        warnings.append(
            "no users yet: nobody can sign in. Add one with "
            "'lettermine users add NAME --role editor'"
        )
    sock = _bind(host, port)
    return Server(
        path=path, host=host, port=sock.getsockname()[1], datasette=ds, sock=sock, warnings=warnings
    )


def run(server: Server) -> str | None:
    """Serve until Ctrl-C or SIGTERM; the name of the signal that stopped it."""
    import uvicorn

    config = uvicorn.Config(
        server.datasette.app(),
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
        server_header=False,
    )
    stopped: list[int] = []

    def note(sig: int, _frame: Any) -> None:
        stopped.append(sig)

    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises the signal again for the
    # handler that was there before: this one, so the process ends with status 0, not killed.
    previous = {sig: signal.signal(sig, note) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        uvicorn.Server(config).run(sockets=[server.sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.sock.close()
        from lettermine.web.site import Site

        Site.of(server.datasette).close()
    return signal.Signals(stopped[0]).name if stopped else None
