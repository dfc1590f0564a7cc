"""Reading a document in a child process held to a memory and a time bound.

What no check made before reading can bound (a form drawing its text a thousand times, a page
that keeps pdfium busy for ever, a crash on a damaged file) is held in by reading PDF and Word
files in a child process: one forked once per process (the reader) that reads document after
document, its data segment held to MAX_MEMORY more than it had when it started (a 55-page report
needs 30 MB), killed after MAX_SECONDS and a little grace. A document on which the reader runs
out of memory or dies is read once more by a new reader before it is refused, so what an earlier
document left behind in the reader's memory never costs a later one its text; a new reader takes
over after such a failure. Forking a child per document cost about as much as reading the
document when the process had the theme model loaded (a copy of its page tables each time).
Linux only; elsewhere documents are read in the process itself and the checks in read.extract
remain.
"""

from __future__ import annotations

import marshal
import os
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from lettermine.errors import UnreadableLetter

MAX_SECONDS = 60.0  # reading one document (the corpus takes 30 ms a PDF)
MAX_MEMORY = 256 * 2**20
FORK = sys.platform.startswith("linux") and hasattr(os, "fork")
_HEADER = 8  # bytes of a message's length, before the message (marshal)


def too_much(name: str, reason: str) -> UnreadableLetter:
    return UnreadableLetter(f"{name}: {reason}, far beyond any letter: not read")


def read_bounded(read: Callable[[Path], str], path: Path) -> str:
    """read(path) in the reader: its text, or the UnreadableLetter it raised; UnreadableLetter
    too if it ran out of memory or time, or died (pdfium aborts when refused memory, and may
    crash on a damaged file). Another exception in the reader is a bug: RuntimeError with the
    reader's traceback. `read` must be a module-level function of its module (the reader finds
    it by module and name)."""
    if not FORK:
        return read(path)
    reader = _reader()
    fresh = reader.served == 0  # a reader that has read nothing else
    try:
        kind, value = reader.ask(read, path)
        if kind == "memory" and not fresh:
            fresh = True
            kind, value = _reader().ask(read, path)
    except _Died as died:
        if died.status is None or fresh:
            raise died.error(path.name) from None
        try:
            kind, value = _reader().ask(read, path)
        except _Died as again:
            raise again.error(path.name) from None
    if kind == "text":
        return str(value)
    if kind == "unreadable":
        raise UnreadableLetter(value)
    if kind == "memory":
        raise too_much(path.name, f"it needs more than {MAX_MEMORY // 2**20} MB of memory")
    raise RuntimeError(f"reading {path.name} failed:\n{value}")


def close_reader() -> None:
    """End this process's reader, if it has one (it also ends when this process does)."""
    global _READER
    if _READER is not None and _READER.owner == os.getpid():
        _READER.close()
    _READER = None


class _Died(Exception):
    def __init__(self, status: int | None) -> None:
        self.status = status  # None: out of time

    def error(self, name: str) -> UnreadableLetter:
        if self.status is None:
            return too_much(name, f"reading it took more than {MAX_SECONDS:g} s")
        return UnreadableLetter(
            f"{name}: the reader stopped on it ({_signal_name(self.status)}): it needs more "
            "memory than any letter, or it is damaged: not read"
        )


class _Reader:
    """A forked child reading documents one at a time: requests down one pipe, answers up
    another, each a length and a marshal of (function name, path) or (kind, value)."""

    def __init__(self) -> None:
        self.owner = os.getpid()
        self.served = 0  # documents read to the end
        requests, self._to_child = os.pipe()
        self._from_child, answers = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns
            os.close(self._to_child)
            os.close(self._from_child)
            _serve(requests, answers)
        os.close(requests)
        os.close(answers)

    def ask(self, read: Callable[[Path], str], path: Path) -> tuple[str, str]:
        """What the reader says of read(path); _Died if it died or ran out of time (it is
        then gone, and the next document gets a new reader)."""
        try:
            _send(self._to_child, (read.__module__, read.__qualname__, str(path)))
            answer = _receive(self._from_child, MAX_SECONDS + 5)
        except BrokenPipeError:
            answer = None
        except BaseException:  # interrupted: the reader is in an unknown state
            self.close(kill=True)
            raise
        if answer is None or isinstance(answer, bool):
            status = self.close(kill=True)
            raise _Died(None if answer is True else status)
        assert isinstance(answer, tuple)
        kind, value = str(answer[0]), str(answer[1])
        if kind in ("memory", "bug"):
            self.close()  # it has exited: its memory may be in any state
        elif kind in ("text", "unreadable"):
            self.served += 1
        return kind, value

    def close(self, *, kill: bool = False) -> int:
        """End the reader and wait for it: its exit code (a signal's as negative)."""
        global _READER
        if _READER is self:
            _READER = None
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        if kill:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return 0
        return os.waitstatus_to_exitcode(status)


_READER: _Reader | None = None


def _reader() -> _Reader:
    global _READER
    if _READER is None or _READER.owner != os.getpid():  # none yet, or a parent's (forked)
        _READER = _Reader()
    return _READER


def _serve(requests: int, answers: int) -> None:
    """The reader's life: read each document asked for, until the pipe closes."""
    import faulthandler
    import resource

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    faulthandler.disable()  # pdfium aborting when refused memory is expected: no dump
    try:
        limit = _data_size() + MAX_MEMORY
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
        while True:
            request = _receive(requests, None)
            if not isinstance(request, tuple):
                break
            module, name, path = request
            try:
                read = getattr(sys.modules[module], name)
                result: tuple[str, str] = ("text", read(Path(path)))
            except UnreadableLetter as e:
                result = ("unreadable", str(e))
            except MemoryError:
                result = ("memory", "")
            except BaseException:  # a bug: its traceback goes to the parent
                result = ("bug", traceback.format_exc())
            _send(answers, result)
            if result[0] in ("memory", "bug"):
                break
    finally:
        os._exit(0)  # no atexit handlers, no flushing the parent's buffers or database


def _send(fd: int, message: tuple[str, ...]) -> None:
    data = marshal.dumps(message)
    payload = memoryview(len(data).to_bytes(_HEADER, "little") + data)
    while payload:
        payload = payload[os.write(fd, payload) :]


def _receive(fd: int, seconds: float | None) -> object:
    """The next message on fd; None if it closed first, True if the time ran out first."""
    end = None if seconds is None else time.monotonic() + seconds
    chunks: list[bytes] = []
    got, want = 0, _HEADER
    header = True
    while True:
        while got < want:
            if end is not None:
                ready, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
                if not ready:
                    return True
            chunk = os.read(fd, min(want - got, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            got += len(chunk)
        data = b"".join(chunks)
        if not header:
            return marshal.loads(data)
        header, chunks, got, want = False, [], 0, int.from_bytes(data, "little")


def _data_size() -> int:
    # The process's data segment now (VmData): the reader may grow MAX_MEMORY beyond it.
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def _signal_name(code: int) -> str:
    if code >= 0:
        return f"exit status {code}"
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"
