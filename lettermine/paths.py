"""Paths from the user and the file system: what we may read, and names printed safely.

A file name is bytes to the system. Names that are not UTF-8 reach Python as lone surrogates
('\\udcff' for the byte 0xff); they open files fine but cannot be printed, stored in SQLite or
written to JSON. A name can also carry control characters (an escape sequence that retitles a
terminal). `shown` renders any name or message so it prints anywhere, undecodable bytes as
`\\xff` and control characters as `\\x1b`: every path that reaches the user goes through it.

Reading: only regular files are opened for their content, and they are opened without blocking
and checked on the open descriptor, so a FIFO named `x.txt` is refused, never waited on, and a
file swapped for one between a check and the read is caught. Folders are walked without
following symbolic links out of them; what cannot be read is named, never passed over silently.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lettermine.errors import LettermineError
from lettermine.escapes import visible


class NotReadable(LettermineError):
    "A path that is not a regular file or folder we may read, or cannot be read"


def shown(value: object, *, keep_newlines: bool = False) -> str:
    """Text or a path as it can be printed and stored anywhere.

    Bytes that were not UTF-8 become `\\xNN`, control characters `\\xNN` (or `\\uNNNN`), other
    lone surrogates `\\uNNNN`; everything else is kept (lettermine.escapes decides). With
    keep_newlines, '\\n' stays a newline (for messages of more than one line).
    """
    text = os.fspath(value) if isinstance(value, os.PathLike) else str(value)
    return visible(text, keep="\n" if keep_newlines else "")


def named(path: Path) -> str:
    """A file's name (its last part) as it can be printed: how messages about files begin."""
    return shown(path.name or path)


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISLNK, "a symbolic link"),
)


def kind_of(mode: int) -> str:
    """What a file-system entry is, in words ('a FIFO (named pipe)'), from its st_mode."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def read_file(path: Path, *, limit: int | None = None, label: str | None = None) -> bytes:
    """The bytes of a regular file, or NotReadable naming it ('<label>: <why>').

    Opened with O_NONBLOCK and checked on the descriptor: a FIFO, device or socket is refused
    before a byte is read (opening a FIFO this way never waits for a writer). With limit, a
    file over that many bytes is refused before it is read.
    """
    label = label if label is not None else shown(path)
    flags = os.O_RDONLY
    for name in ("O_NONBLOCK", "O_NOCTTY", "O_CLOEXEC", "O_BINARY"):
        flags |= getattr(os, name, 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise NotReadable(f"{label}: is a folder, not a file") from None
    except FileNotFoundError:
        if os.path.islink(path):
            raise NotReadable(f"{label}: a symbolic link that leads nowhere") from None
        raise NotReadable(f"{label}: no such file") from None
    except OSError as e:
        raise NotReadable(f"{label}: cannot be read ({_reason(e)})") from None
    try:
        info = os.fstat(fd)
    except OSError as e:
        os.close(fd)
        raise NotReadable(f"{label}: cannot be read ({_reason(e)})") from None
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise NotReadable(f"{label}: not a regular file ({kind_of(info.st_mode)})")
    if limit is not None and info.st_size > limit:
        os.close(fd)
        raise NotReadable(
            f"{label}: {info.st_size / 2**20:.0f} MB is too large "
            f"(the limit is {limit // 2**20} MB)"
        )
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read() if limit is None else handle.read(limit + 1)
        except OSError as e:
            raise NotReadable(f"{label}: cannot be read ({_reason(e)})") from None
    if limit is not None and len(data) > limit:  # it grew after the check
        raise NotReadable(f"{label}: too large (the limit is {limit // 2**20} MB)")
    return data


def check_target(path: Path) -> None:
    """Refuse to write over something that is not a regular file (a FIFO, device, folder).

    Writing to a FIFO blocks until someone reads it, and a device is nobody's document.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as e:
        raise NotReadable(f"{shown(path)}: cannot be used ({_reason(e)})") from None
    if not stat.S_ISREG(info.st_mode):
        raise NotReadable(f"{shown(path)}: {kind_of(info.st_mode)}, not a file that can be written")


@dataclass
class Walk:
    """What walking a folder found, every entry accounted for."""

    files: list[Path] = field(default_factory=list)  # regular files (or links to one inside)
    special: list[tuple[Path, str]] = field(default_factory=list)  # FIFOs, sockets, devices
    links: list[tuple[Path, str]] = field(default_factory=list)  # symbolic links not followed
    unreadable: list[tuple[Path, str]] = field(default_factory=list)  # folders or entries


def _inside(target: str, root: str) -> bool:
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def walk(root: Path, *, hidden: tuple[str, ...] = (".",)) -> Walk:
    """Every file under a folder and its subfolders, in name order, with what was left.

    Entries whose name starts with one of `hidden` are passed over silently. A symbolic link to
    a file inside the folder is taken as that file; a link that leads out of the folder, to a
    folder (walked already, or a loop), or nowhere is not followed and is returned in `links`.
    A folder that cannot be listed is returned in `unreadable` and the walk goes on.
    """
    found = Walk()
    real_root = os.path.realpath(root)
    for entry in _entries(root, found, hidden):
        path = Path(entry.path)
        try:
            if entry.is_symlink():
                _link(path, real_root, found)
            elif entry.is_dir(follow_symlinks=False):
                continue  # _entries walks into it
            elif entry.is_file(follow_symlinks=False):
                found.files.append(path)
            else:
                mode = entry.stat(follow_symlinks=False).st_mode
                found.special.append((path, kind_of(mode)))
        except OSError as e:
            found.unreadable.append((path, f"cannot be read ({_reason(e)})"))
    return found


def _entries(folder: Path, found: Walk, hidden: tuple[str, ...]) -> Iterator[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError as e:
        found.unreadable.append((folder, f"folder cannot be read ({_reason(e)})"))
        return
    for entry in entries:
        if entry.name.startswith(hidden):
            continue
        yield entry
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_folder = False
        if is_folder:
            yield from _entries(Path(entry.path), found, hidden)


def _link(path: Path, real_root: str, found: Walk) -> None:
    target = os.path.realpath(path)
    try:
        info = os.stat(target)
    except OSError:
        found.links.append((path, "leads nowhere"))
        return
    if not _inside(target, real_root):
        found.links.append((path, "leads out of the folder"))
    elif stat.S_ISDIR(info.st_mode):
        found.links.append((path, "leads to a folder"))
    elif stat.S_ISREG(info.st_mode):
        found.files.append(path)
    else:
        found.special.append((path, kind_of(info.st_mode)))
