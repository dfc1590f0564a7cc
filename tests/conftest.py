"""Shared fixtures: an isolated database per test, a CLI runner, the shared corpus."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lettermine.corpus import corpus_dir
from lettermine.read.extract import read_text
from lettermine.read.parse import parse_letter
from lettermine.records import Letter

ROOT = Path(__file__).resolve().parents[1]
LETTERS = ROOT / "letters"
CORPUS = corpus_dir()  # $LETTERMINE_CORPUS, else ../shared/corpus

# An empty folder is no corpus (CI points $LETTERMINE_CORPUS at one to run as a fresh clone).
needs_corpus = pytest.mark.skipif(
    not (CORPUS.is_dir() and any(CORPUS.iterdir())),
    reason="the corpus is absent (corpus tests need the real letters)",
)


@pytest.fixture(autouse=True)
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own database file; a real one is never touched."""
    path = tmp_path / "lettermine.db"
    monkeypatch.setenv("LETTERMINE_DB", str(path))
    return path


@pytest.fixture(autouse=True)
def _no_cached_results_under_mutation(request: pytest.FixtureRequest) -> None:
    """Under bench/mutation.py, each mutant runs in a fork of a process that has run the tests
    once: a test module's cached parse (`@cache def ilacs()`) would hold what the unmutated code
    gave, and hide the mutant. There, every such cache is emptied before each test, except the
    ones a module names in MUTATION_KEEPS (a loaded model, kept for speed)."""
    if not os.environ.get("LETTERMINE_MUTATION"):
        return
    keep = getattr(request.module, "MUTATION_KEEPS", ())
    for name, value in vars(request.module).items():
        if name not in keep and callable(getattr(value, "cache_clear", None)):
            value.cache_clear()
    _text.cache_clear()  # and this module's session caches of the corpus
    _letter.cache_clear()


@pytest.fixture(autouse=True)
def _read_in_process_too_for_mutmut_stats(monkeypatch: pytest.MonkeyPatch) -> None:
    """mutmut learns which tests call a function by recording the calls in its own process; a
    PDF or Word file is read in a child process (read.bounded), whose record is lost, so every
    reading function looked untested. While mutmut records ("stats"), each document is also
    read in-process first (the same functions, called the same way); mutants themselves are
    read in the child, as in production."""
    if not os.environ.get("LETTERMINE_MUTATION"):
        return
    from mutmut.mutation.trampoline import get_mutant_under_test

    if get_mutant_under_test() != "stats":
        return
    from lettermine.read import extract

    bounded = extract.read_bounded

    def recorded(read: Callable[[Path], str], path: Path) -> str:
        try:
            read(path)
        except Exception:
            pass  # the bounded reading below raises it again, as the test expects
        return bounded(read, path)

    monkeypatch.setattr(extract, "read_bounded", recorded)


@pytest.fixture
def runner() -> CliRunner:
    """A CLI runner that keeps stdout and stderr apart."""
    return CliRunner()


@pytest.fixture(scope="session")
def web_seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed scenario for `lettermine serve` (sample letters, actions, an editor and a
    viewer), built once; copy it before changing it (tests/web_helpers.copy_db)."""
    from web_helpers import build_seed

    path = tmp_path_factory.mktemp("web-seed") / "seed.db"
    build_seed(path)
    return path


# --- Corpus files read once per test session ------------------------------------------------------
# Several corpus tests read the same PDFs (conservation, SIF, ILACS, JTAI, SEND, focused visits,
# labels); extracting and parsing each once saves most of their time.


def corpus_text(path: Path) -> str:
    """extract.read_text of a file, read once per session (a str: no test can change it)."""
    return _text(path.resolve())


def corpus_letter(path: Path) -> Letter:
    """parse_letter of corpus_text(path), parsed once per session; each call gets its own copy."""
    return copy.deepcopy(_letter(path.resolve()))


@cache
def _text(path: Path) -> str:
    return read_text(path)


@cache
def _letter(path: Path) -> Letter:
    return parse_letter(_text(path))
