"""Load check of `lettermine serve`: readers and editors at once, on loopback, for a bounded time.

    nice python bench/serve.py [--letters 500] [--readers 20] [--editors 2] [--seconds 60]
                               [--think 1.0] [--cache DIR]

Builds (once, cached in --cache) the seed scenario (scripts/demo_documents.py: the North East
Lincolnshire sample letters with their actions) grown to --letters letters with the corpus's
real PDFs (../shared/corpus; invented variants of the Brackwater sample letter top it up if the
corpus is short or absent). On a copy of it, starts `lettermine serve` on 127.0.0.1 with a free
port, signs in every reader (a viewer) and editor, then for --seconds:

- each reader asks for a page, waits a think time (uniform 0..2 x --think seconds), asks again:
  the board (its own authority or another), a letter, an action, a search;
- each editor opens an open action of the seed and records a progress update through its form
  (CSRF token and all), with a note no other update carries.

Prints requests, errors, p50/p95/max page time per kind of page and overall, then checks the
history: every update the server accepted is in action_history exactly once, none that it did
not accept. Targets: p95 <= 300 ms, 0 errors, every update exactly once.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import os
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
TARGET_P95_MS = 300.0
QUERIES = (
    "changes of social worker",
    "supervision",
    "caseloads",
    "care leavers",
    "early help",
    "management oversight",
    "child protection plans",
    '"pathway plans"',
    "return home interviews",
    "private fostering",
    "disabled children",
    "placement sufficiency",
    "neglect",
    "PLO",
)
PASSWORD = "bench passphrase 1"


def _demo() -> object:
    spec = importlib.util.spec_from_file_location("demo", ROOT / "scripts/demo_documents.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(path: Path, letters: int) -> None:
    """The seed scenario grown to `letters` letters."""
    from lettermine.corpus import corpus_dir
    from lettermine.errors import LettermineError
    from lettermine.ingest import Classifier, ingest_file
    from lettermine.read.extract import read_text

    started = time.perf_counter()
    conn = _demo().seed(path)  # type: ignore[attr-defined]
    classifier = Classifier(enabled=True)

    def count() -> int:
        return int(conn.execute("SELECT count(*) FROM letters").fetchone()[0])

    corpus = corpus_dir()
    files = sorted(corpus.glob("*/pdf/*.pdf")) if corpus.is_dir() else []
    refused = 0
    for pdf in files:
        if count() >= letters:
            break
        try:
            ingest_file(conn, pdf, classifier)
        except LettermineError:
            refused += 1
    sample = read_text(ROOT / "letters/brackwater-2023-01-inspection.pdf")
    with tempfile.TemporaryDirectory() as folder:
        n = 0
        while count() < letters:
            n += 1
            variant = Path(folder) / f"benchmark-vale-{n}.txt"
            variant.write_text(sample.replace("Brackwater", f"Benchmark Vale {n}"), "utf-8")
            ingest_file(conn, variant, classifier)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    units = conn.execute("SELECT count(*) FROM units").fetchone()[0]
    print(
        f"built {path}: {count()} letters ({len(files)} corpus PDFs tried, {refused} refused, "
        f"{n} invented variants), {units} units, in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    conn.close()


def prepare(cache: Path, letters: int, work: Path, readers: int, editors: int) -> Path:
    from lettermine.schema import SCHEMA_VERSION
    from lettermine.web import users

    cache.mkdir(parents=True, exist_ok=True)
    name = f"seed-{letters}-schema{SCHEMA_VERSION}"  # a new schema builds afresh
    cached = cache / f"{name}.db"
    if not cached.exists():
        partial = cache / f"{name}.building.db"
        for stale in cache.glob(f"{name}.building.db*"):
            stale.unlink()
        build(partial, letters)
        partial.rename(cached)
    db = work / "serve.db"
    source = sqlite3.connect(cached)
    source.execute("VACUUM INTO ?", [str(db)])
    source.close()
    conn = sqlite3.connect(db)
    stored = users.hash_password(PASSWORD)  # one hash for every bench user: setup stays quick
    for i in range(readers):
        _add(conn, f"reader {i}", "viewer", stored)
    for i in range(editors):
        _add(conn, f"editor {i}", "editor", stored)
    conn.commit()
    conn.close()
    return db


def _add(conn: sqlite3.Connection, name: str, role: str, stored: str) -> None:
    from lettermine.web.users import new_stamp

    conn.execute(
        """INSERT INTO users (name, role, password_hash, must_change, session_stamp, created,
           password_set) VALUES (?, ?, ?, 0, ?, datetime('now'), datetime('now'))""",
        [name, role, stored, new_stamp()],
    )


class Client:
    """One person's browser: a keep-alive connection and the cookies the server set."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()  # one retry on a fresh connection (a keep-alive the server closed)
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, text

    def sign_in(self, name: str) -> None:
        _, page = self.request("GET", "/-/login")
        status, _ = self.request(
            "POST",
            "/-/login",
            {"csrftoken": _token(page), "name": name, "password": PASSWORD, "next": "/"},
        )
        if status != 302:
            raise SystemExit(f"sign-in of {name} failed: HTTP {status}")


def _token(page: str) -> str:
    found = re.search(r'name="csrftoken" value="([^"]+)"', page)
    if not found:
        raise SystemExit("no CSRF token in the page")
    return found.group(1)


class Run:
    def __init__(self, args: argparse.Namespace, port: int, db: Path) -> None:
        self.args, self.port = args, port
        self.deadline = 0.0
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.accepted: list[str] = []  # notes of the updates the server accepted
        self.refused: list[str] = []
        self.tag = f"bench {uuid.uuid4().hex[:8]}"
        conn = sqlite3.connect(db)
        self.letters = [r[0] for r in conn.execute("SELECT id FROM letters")]
        self.actions = [r[0] for r in conn.execute("SELECT id FROM actions")]
        self.open_actions = [
            r[0]
            for r in conn.execute("SELECT id FROM actions WHERE status NOT IN ('done', 'verified')")
        ]
        self.authorities = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT authority FROM letters WHERE authority IS NOT NULL"
            )
        ]
        conn.close()

    def _timed(
        self, client: Client, kind: str, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        started = time.perf_counter()
        try:
            status, text = client.request(method, path, form)
        except (http.client.HTTPException, OSError) as e:
            with self.lock:
                self.errors.append(f"{kind} {path}: {e!r}")
            return 0, ""
        elapsed = (time.perf_counter() - started) * 1000
        expected = 302 if method == "POST" else 200
        with self.lock:
            self.times[kind].append(elapsed)
            if status != expected:
                self.errors.append(f"{kind} {path}: HTTP {status}")
        return status, text

    def _think(self, rng: random.Random) -> None:
        pause = rng.uniform(0, 2 * self.args.think)
        time.sleep(max(0.0, min(pause, self.deadline - time.monotonic())))

    def reader(self, client: Client, seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < self.deadline:
            roll = rng.random()
            if roll < 0.30:
                kind, path = "board", "/"
            elif roll < 0.40:
                kind, path = "board", "/?" + urlencode({"la": rng.choice(self.authorities)})
            elif roll < 0.65:
                kind, path = "letter", f"/-/lettermine/letters/{rng.choice(self.letters)}"
            elif roll < 0.85:
                kind, path = "action", f"/-/lettermine/actions/{rng.choice(self.actions)}"
            else:
                kind = "search"
                path = "/-/lettermine/search?" + urlencode({"q": rng.choice(QUERIES)})
            self._timed(client, kind, "GET", path)
            self._think(rng)

    def editor(self, client: Client, number: int) -> None:
        rng = random.Random(1000 + number)
        i = 0
        while time.monotonic() < self.deadline:
            action = rng.choice(self.open_actions)
            status, page = self._timed(client, "action", "GET", f"/-/lettermine/actions/{action}")
            if status != 200:
                self._think(rng)
                continue
            i += 1
            note = f"{self.tag} editor {number} update {i}"
            form = {
                "csrftoken": _token(page),
                "change": "progress",
                "percent": str(rng.randint(1, 99)),
                "note": note,
            }
            status, _ = self._timed(
                client, "update", "POST", f"/-/lettermine/actions/{action}/update", form
            )
            with self.lock:
                (self.accepted if status == 302 else self.refused).append(note)
            self._think(rng)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=500)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--editors", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=1.0, help="mean think time, seconds")
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "lettermine-bench-serve"
    )
    args = parser.parse_args()
    if not 0 < args.seconds <= 600 or not 0 <= args.readers <= 200 or not 0 <= args.editors <= 20:
        parser.error("bounded on purpose: --seconds 1-600, --readers 0-200, --editors 0-20")

    with tempfile.TemporaryDirectory(prefix="lettermine-bench-serve-") as folder:
        db = prepare(args.cache, args.letters, Path(folder), args.readers, args.editors)
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lettermine",
                "serve",
                "--db",
                str(db),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
            ],
            stderr=subprocess.PIPE,
            text=True,
            env={k: v for k, v in os.environ.items() if k != "LETTERMINE_TODAY"},
        )
        try:
            port = _port(server)
            run = Run(args, port, db)
            readers = [Client(port) for _ in range(args.readers)]
            editors = [Client(port) for _ in range(args.editors)]
            for i, client in enumerate(readers):
                client.sign_in(f"reader {i}")
            for i, client in enumerate(editors):
                client.sign_in(f"editor {i}")
            threads = [
                threading.Thread(target=run.reader, args=(c, i)) for i, c in enumerate(readers)
            ]
            threads += [
                threading.Thread(target=run.editor, args=(c, i)) for i, c in enumerate(editors)
            ]
            run.deadline = time.monotonic() + args.seconds
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
        finally:
            server.send_signal(signal.SIGTERM)
            _, err = server.communicate(timeout=60)
        _report(run, args, db, elapsed, server.returncode, err)


def _port(server: subprocess.Popen[str]) -> int:
    assert server.stderr is not None
    for _ in range(10):
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", server.stderr.readline())
        if found:
            return int(found.group(1))
    raise SystemExit("the server did not start")


def _report(
    run: Run, args: argparse.Namespace, db: Path, elapsed: float, code: int | None, err: str
) -> None:
    conn = sqlite3.connect(db)
    letters = conn.execute("SELECT count(*) FROM letters").fetchone()[0]
    units = conn.execute("SELECT count(*) FROM units").fetchone()[0]
    notes = [
        r[0]
        for r in conn.execute("SELECT note FROM action_history WHERE note LIKE ? || '%'", [run.tag])
    ]
    authors = {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT author FROM action_history WHERE note LIKE ? || '%'", [run.tag]
        )
    }
    conn.close()
    every = [t for values in run.times.values() for t in values]
    print(
        f"lettermine serve load check: {letters} letters, {units} units; {args.readers} readers "
        f"and {args.editors} editors for {elapsed:.1f} s, think time 0-{2 * args.think:g} s "
        f"(mean {args.think:g} s), loopback"
    )
    print(f"{'page':<8} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind in ("board", "letter", "action", "search", "update"):
        values = run.times.get(kind, [])
        if values:
            print(
                f"{kind:<8} {len(values):>8} {statistics.median(values):>8.0f} "
                f"{_percentile(values, 95):>8.0f} {max(values):>8.0f}"
            )
    p95 = _percentile(every, 95) if every else float("nan")
    print(
        f"{'all':<8} {len(every):>8} {statistics.median(every):>8.0f} {p95:>8.0f} "
        f"{max(every):>8.0f}   ({len(every) / elapsed:.1f} requests/s)"
    )
    print(f"errors: {len(run.errors)}" + "".join(f"\n  {e}" for e in run.errors[:10]))
    counts: dict[str, int] = defaultdict(int)
    for note in notes:
        counts[note] += 1
    missing = [n for n in run.accepted if counts[n] == 0]
    doubled = [n for n, c in counts.items() if c > 1]
    unasked = [n for n in counts if n not in set(run.accepted)]
    print(
        f"updates: {len(run.accepted)} accepted, {len(run.refused)} refused; in the history: "
        f"{len(notes)} rows, {len(missing)} missing, {len(doubled)} twice or more, "
        f"{len(unasked)} not accepted; authors {sorted(a or '' for a in authors)}"
    )
    print(
        f"server: exit status {code} after SIGTERM"
        + ("" if "Traceback" not in err else " (a traceback on stderr)")
    )
    ok = (
        p95 <= TARGET_P95_MS
        and not run.errors
        and not missing
        and not doubled
        and not unasked
        and not run.refused
        and code == 0
    )
    print(
        f"target p95 <= {TARGET_P95_MS:g} ms, 0 errors, every update once: "
        f"{'met' if ok else 'NOT MET'}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
