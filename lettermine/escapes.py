"""Control characters made visible: the one place that decides what may not reach a terminal.

Text shown to a person (a letter's text, a title, a file name, an error message) can carry
characters a terminal acts on: ESC and the other C0 controls (an escape sequence retitles the
window, clears the screen or hides text), DEL and the C1 controls (0x9b is a one-byte CSI), the
bidirectional embeddings, overrides, isolates and marks that reorder the text around them
('gpj.exe' printed as 'exe.jpg'), the line and paragraph separators, and the lone surrogates
that carry the bytes of a file name that was not UTF-8 (which cannot be encoded at all).
Each is written as a visible escape: `\\x1b`, `\\u202e`, and an undecodable byte as the byte,
`\\xff`. Tab and newline are kept where the caller says so.

`paths.shown` (names and messages) and `cli.output`'s filter over stdout and stderr (everything
the command line prints) both call visible(); JSON output uses json_visible().
"""

from __future__ import annotations

import functools
import re

# Always made visible: C0 controls (but tab and newline, which the caller may keep), DEL and C1,
# Arabic letter mark, LRM/RLM, line/paragraph separators, bidi embeddings/overrides/isolates,
# surrogates.
_ABOVE_C0 = r"\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_C0 = r"\x00-\x08\x0b-\x1f"
# Inside JSON text: what json.dumps leaves as it is (it escapes the C0 controls itself).
_JSON = re.compile(f"[{_ABOVE_C0}]")


@functools.cache
def _pattern(keep: str) -> re.Pattern[str]:
    also = "".join(esc for ch, esc in (("\t", r"\t"), ("\n", r"\n")) if ch not in keep)
    return re.compile(f"[{also}{_C0}{_ABOVE_C0}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, as surrogateescape carries it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, keep: str = "") -> str:
    """text with every character a terminal would act on written as a visible escape; the
    characters in `keep` (tab, newline or both) are left as they are."""
    return _pattern(keep).sub(_escape, text)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_visible(text: str) -> str:
    """JSON text (from json.dumps) with the same characters escaped in JSON's own way."""
    return _JSON.sub(_json_escape, text)
