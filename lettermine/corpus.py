"""Where the shared corpus of real Ofsted letters lives, for training, tests and benchmarks.

`$LETTERMINE_CORPUS` if set (an empty or missing folder means "no corpus": CI sets it so to run
the suite as a fresh clone with nothing beside it), else `../shared/corpus` beside the project.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def corpus_dir() -> Path:
    """The corpus folder (it may not exist: callers check and skip)."""
    configured = os.environ.get("LETTERMINE_CORPUS")
    return Path(configured) if configured else ROOT.parent / "shared" / "corpus"


def gold_dir() -> Path:
    """The labelled units: `<corpus>/gold`."""
    return corpus_dir() / "gold"
