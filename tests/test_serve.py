"""`lettermine serve` as a process: it starts, answers, stops cleanly on SIGTERM, and refuses
what it cannot serve with the command line's one-line errors."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from web_helpers import copy_db

from lettermine.web.app import network_warning


def _serve(db: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "lettermine", "serve", "--db", str(db), "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _url(process: subprocess.Popen[str]) -> str:
    assert process.stderr is not None
    for _ in range(10):
        line = process.stderr.readline()
        found = re.search(r" at (http://\S+) ", line)
        if found:
            return found.group(1)
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"no 'Serving ... at URL' line (exit {process.poll()})")


def test_serves_and_stops_cleanly_on_sigterm(web_seed: Path, tmp_path: Path) -> None:
    db = copy_db(web_seed, tmp_path / "tracker.db")
    process = _serve(db)
    try:
        url = _url(process)
        assert url.startswith("http://127.0.0.1:")  # this machine only, unless told otherwise
        with urllib.request.urlopen(url + "-/login", timeout=60) as page:
            assert page.status == 200 and b"Sign in" in page.read()
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert err.strip().endswith("Stopped (SIGTERM).")
    assert "Traceback" not in err
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _one_line_error(process: subprocess.Popen[str]) -> str:
    try:
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:  # it served instead of refusing
            process.kill()
            process.communicate()
    assert process.returncode == 1, err
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    return lines[0]


def test_a_port_in_use_is_a_one_line_error(web_seed: Path, tmp_path: Path) -> None:
    db = copy_db(web_seed, tmp_path / "tracker.db")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        process = subprocess.Popen(
            [sys.executable, "-m", "lettermine", "serve", "--db", str(db), "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = _one_line_error(process)
    assert f"cannot listen on 127.0.0.1:{port}" in line and "another --port" in line


def test_a_bad_today_is_a_one_line_error(web_seed: Path, tmp_path: Path) -> None:
    db = copy_db(web_seed, tmp_path / "tracker.db")
    assert "--today" in _one_line_error(_serve(db, "--today", "31/31/2024"))


# lettermine.db refuses a missing or foreign database (connect(create=False)); serve relies on it
# rather than checking twice.


def test_a_foreign_database_is_refused_untouched(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    line = _one_line_error(_serve(other))
    assert "not a lettermine database" in line
    assert other.read_bytes() == before


def test_a_missing_database_is_the_clis_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    line = _one_line_error(_serve(missing))
    assert "no database at" in line
    assert not missing.exists()


def test_the_network_filesystem_warning_says_what_to_do(tmp_path: Path) -> None:
    text = network_warning(tmp_path / "t.db", "cifs")
    assert "network filesystem (cifs)" in text and "lettermine serve" in text


@pytest.mark.skipif(not Path("/proc/mounts").exists(), reason="needs Linux's /proc/mounts")
def test_no_warning_for_a_local_disk(web_seed: Path, tmp_path: Path) -> None:
    db = copy_db(web_seed, tmp_path / "tracker.db")
    process = _serve(db)
    try:
        _url(process)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    assert "network filesystem" not in err
