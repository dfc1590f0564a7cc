"""Printing data on stdout: aligned text tables, JSON and CSV. Messages go to stderr.

Everything the command line writes passes through printable(): `guard_streams()` (run before
any command) puts a filter over stdout and stderr, so a letter, title or argument carrying
terminal escapes (ESC, BEL, C1 controls, bidi overrides) prints them as visible text such as
`\\x1b` instead of retitling the window, hiding text or reordering a line (lettermine.escapes,
shared with paths.shown, decides which characters). JSON escapes them in
JSON's own way, and CSV cells are made safe for spreadsheets by lettermine.spreadsheet.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from lettermine.escapes import json_visible, visible
from lettermine.spreadsheet import cell_text


def printable(text: str) -> str:
    """Text safe to show on a terminal: control characters written as visible escapes (tab and
    newline kept); lettermine.escapes decides which."""
    return visible(text, keep="\t\n")


class _Printable:
    """A text stream writing through printable(); everything else is the wrapped stream's."""

    def __init__(self, stream: TextIO) -> None:
        self.wrapped = stream

    def write(self, text: str) -> int:
        # bytes raise TypeError here, as a text stream's write does (click relies on that)
        self.wrapped.write(printable(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":  # no way round the filter
            raise AttributeError(name)
        return getattr(self.wrapped, name)


def guard_streams() -> None:
    """Put the printable() filter over sys.stdout and sys.stderr (once)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, _Printable):
            setattr(sys, name, _Printable(stream))


def unguarded(stream: TextIO) -> TextIO:
    """The stream under the filter, for text lettermine styles itself after printable()."""
    return stream.wrapped if isinstance(stream, _Printable) else stream


def _finite(data: Any) -> Any:
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite(v) for v in data]
    return data


def print_json(data: Any) -> None:
    """JSON on stdout, UTF-8 kept readable; never NaN or Infinity (not JSON): null instead."""
    try:
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str, allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(data), indent=2, ensure_ascii=False, default=str)
    sys.stdout.write(json_visible(text) + "\n")


def print_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """CSV on stdout with a header row, every cell safe to open in a spreadsheet."""
    from lettermine.spreadsheet import write_csv

    write_csv(sys.stdout, columns, ([row.get(c) for c in columns] for row in rows))


def print_table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    *,
    headers: Sequence[str] | None = None,
    max_width: int = 60,
) -> None:
    """An aligned plain-text table on stdout; long cells are cut with an ellipsis."""
    heads = list(headers or columns)
    body = [[_clip(cell_text(r.get(c)), max_width) for c in columns] for r in rows]
    widths = [max([len(h)] + [len(line[i]) for line in body]) for i, h in enumerate(heads)]
    out = sys.stdout
    out.write("  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for line in body:
        out.write("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() + "\n")


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
