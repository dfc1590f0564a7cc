"""A council's improvement tracker replayed day by day through the CLI, for the as-at tests.

`Replay` runs lettermine commands with LETTERMINE_TODAY set to the day of each step, ingests each
letter on the day it was published, and at chosen quarter ends writes the plan and the scrutiny
report as they are on that day. `improvement_story` is the story: actions for every area (or a
closure where a later inspection overtook it), monthly progress notes and measure values, a
revised due date, a block and its lifting, an override and its clearing, work done and verified.
It picks areas from what the letters hold, so it runs on the real letters and the invented ones.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from lettermine.cli import app

OWNERS = ("Head of Safeguarding", "Principal Social Worker", "Head of Workforce",
          "Assistant Director", "Head of Children in Care", "Performance Manager")  # fmt: skip
FULL = ("ilacs", "sif")


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month."""
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month, months later (the month's last day where it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, min(day.day, month_end(year, month + 1).day))


def document_text(path: Path) -> list[str]:
    """The text of word/document.xml paragraph by paragraph, with pictures' alt text."""
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    out = []
    for para in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S):
        texts = re.findall(r"<w:t(?: [^>]*)?>(.*?)</w:t>", para, flags=re.S)
        alts = re.findall(r'descr="([^"]*)"', para)
        out.append("".join(texts) + "".join(f" [picture: {a}]" for a in alts))
    return out


@dataclass
class Replay:
    """Run the CLI as a person would, one day at a time."""

    runner: CliRunner
    folder: Path
    day: dt.date = dt.date(2000, 1, 1)
    documents: dict[tuple[str, str], Path] = field(default_factory=dict)

    def run(self, *args: str, today: dt.date | None = None) -> str:
        """Run a command on the current day; its stdout. A failure fails the test."""
        env = {"LETTERMINE_TODAY": (today or self.day).isoformat()}
        result = self.runner.invoke(app, [str(a) for a in args], env=env)
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    def ingest(self, path: Path) -> int:
        """Ingest a letter; its id."""
        before = {x["id"] for x in self.letters()}
        self.run("ingest", str(path))
        (new,) = {x["id"] for x in self.letters()} - before
        return int(new)

    def letters(self) -> list[dict[str, Any]]:
        """Every letter stored, as `letters --json` gives them (none before the first ingest:
        a read command never creates the database)."""
        from lettermine.db import db_path

        if not db_path().exists():
            return []
        return list(json.loads(self.run("letters", "--json")))

    def letter(self, letter_id: int) -> dict[str, Any]:
        """One letter with its units, as `show --json` gives it."""
        return dict(json.loads(self.run("show", str(letter_id), "--json")))

    def areas(self, letter_id: int) -> list[dict[str, Any]]:
        """A letter's areas for improvement and priority actions."""
        kinds = ("area_for_improvement", "priority_action")
        return [u for u in self.letter(letter_id)["units"] if u["kind"] in kinds]

    def add(self, title: str, units: Sequence[str], owner: str, due: dt.date) -> int:
        """Create an action starting today; its id."""
        args = ["actions", "add", "--title", title, "--owner", owner, "--start",
                self.day.isoformat(), "--due", due.isoformat()]  # fmt: skip
        for unit in units:
            args += ["--for", unit]
        return int(self.run(*args).strip())


def _title(text: str) -> str:
    words = " ".join(text.split()).rstrip(".")
    words = words[0].lower() + words[1:] if words else words
    title = f"Improve {words}" if re.match(r"the ", words) else f"Action on {words}"
    return title if len(title) <= 90 else title[:89].rsplit(" ", 1)[0] + "…"


def improvement_story(
    replay: Replay,
    letters: Sequence[tuple[dt.date, Path]],
    *,
    start: dt.date,
    end: dt.date,
    checkpoint: Callable[[dt.date], None],
    checkpoints: Sequence[dt.date],
) -> dict[str, Any]:
    """Play the tracker from start to end; checkpoint(day) runs at the end of each checkpoint day.

    `letters` are (publication date, file) of one authority's letters. Returns what was done.
    """
    pending = sorted(letters)
    actions: list[int] = []
    measures: dict[tuple[int, str], float] = {}
    percent: dict[int, int] = {}
    finished: set[int] = set()
    story: dict[str, Any] = {"letters": [], "closed_areas": []}
    uncovered: list[dict[str, Any]] = []  # areas of earlier visits left without an action
    special: dict[str, int] = {}
    day = start
    while day <= end:
        replay.day = day
        # Letters published by today are ingested today (or on the day the replay starts).
        while pending and pending[0][0] <= day:
            letter_id = replay.ingest(pending.pop(0)[1])
            story["letters"].append(letter_id)
            _answer(replay, letter_id, day == start, actions, percent, uncovered, story)
        if day == start:
            # The latest letter's first area (the workforce, in both stories) gets the measures.
            latest = story["letters"][-1]
            workforce = next(a for a in actions if f"{latest}:" in " ".join(_units(replay, a)))
            _measures(replay, workforce, measures)
        if day == month_end(day.year, day.month):
            _month_end(replay, day, actions, percent, measures, finished)
        if (day - start).days == 60:
            # The latest visit's area kept back is absorbed into the action on its first area.
            latest = story["letters"][-1]
            for unit in [u for u in uncovered if u["id"].startswith(f"{latest}:")]:
                replay.run("areas", "close", unit["id"], "--by", f"{latest}:1", "--reason",
                           "absorbed into the action on the workforce area")  # fmt: skip
                story["closed_areas"].append(unit["id"])
                uncovered.remove(unit)
        _special(replay, day, start, actions, special, finished)
        if day in checkpoints:
            checkpoint(day)
        day += dt.timedelta(days=1)
    story["actions"] = actions
    story["special"] = special
    return story


def _answer(
    replay: Replay,
    letter_id: int,
    first_day: bool,
    actions: list[int],
    percent: dict[int, int],
    uncovered: list[dict[str, Any]],
    story: dict[str, Any],
) -> None:
    """Actions for a new letter's areas, two areas to an action; closures where it overtakes."""
    areas = replay.areas(letter_id)
    full = replay.letter(letter_id)["kind"] in FULL
    if full:
        keep = len(areas) - 1 if len(areas) > 2 else len(areas)
    else:
        # Letters already published when the tracker starts keep a few areas back for now.
        keep = max(1, len(areas) - 3) if first_day else len(areas)
    for n in range(0, keep, 2):
        group = areas[n : min(n + 2, keep)]
        owner = OWNERS[len(actions) % len(OWNERS)]
        due = add_months(replay.day, 6 + 3 * (len(actions) % 3))
        action_id = replay.add(_title(group[0]["text"]), [u["id"] for u in group], owner, due)
        actions.append(action_id)
        percent[action_id] = 0
    rest = areas[keep:]
    if not full:
        uncovered += rest
        return
    name = f"{replay.day.strftime('%B')} {replay.day.year}"
    for k, unit in enumerate(uncovered):
        # A full inspection overtakes the earlier visits' areas still without an action.
        replay.run("areas", "close", unit["id"], "--by", areas[k % len(areas)]["id"],
                   "--reason", f"superseded by the {name} inspection's area")  # fmt: skip
        story["closed_areas"].append(unit["id"])
    uncovered.clear()
    # Its last area repeats the previous visit's first (the workforce, in the real letters).
    previous = story["letters"][-2] if len(story["letters"]) > 1 else None
    for unit in rest:
        by, why = areas[0]["id"], "absorbed into the action on the inspection's first area"
        if previous is not None:
            when = dt.date.fromisoformat(replay.letter(previous)["published"])
            by = f"{previous}:1"
            month = f"{when.strftime('%B')} {when.year}"
            why = f"the same area as the {month} visit's: its action answers both"
        replay.run("areas", "close", unit["id"], "--by", by, "--reason", why)
        story["closed_areas"].append(unit["id"])


def _measures(replay: Replay, action_id: int, measures: dict[tuple[int, str], float]) -> None:
    measured = [("Agency social workers", 32.0, 15.0, "%"),
                ("Average caseload, QSW", 27.0, 20.0, "children")]  # fmt: skip
    for name, base, target, unit in measured:
        replay.run("actions", "measure", str(action_id), "--name", name, "--baseline",
                   f"{base:g}", "--target", f"{target:g}", "--unit", unit)  # fmt: skip
        measures[(action_id, name)] = base


def _units(replay: Replay, action_id: int) -> list[str]:
    return list(json.loads(replay.run("actions", "show", str(action_id), "--json"))["units"])


def _month_end(
    replay: Replay,
    day: dt.date,
    actions: list[int],
    percent: dict[int, int],
    measures: dict[tuple[int, str], float],
    finished: set[int],
) -> None:
    month = f"{day.strftime('%B')} {day.year}"
    for k, action_id in enumerate(actions):
        if action_id in finished:
            continue
        step = 5 + 5 * (k % 3)
        percent[action_id] = min(95, percent[action_id] + step)
        replay.run("actions", "update", str(action_id), "--percent", str(percent[action_id]),
                   "--note", f"{month}: {k % 4 + 2} audits completed, findings shared with "
                   "team managers.")  # fmt: skip
    for (action_id, name), value in list(measures.items()):
        value = round(value - (1.3 if value > 20 else 0.4), 1)
        measures[(action_id, name)] = value
        replay.run("actions", "update", str(action_id), "--value", f"{value:g}", "--measure", name)


def _special(
    replay: Replay,
    day: dt.date,
    start: dt.date,
    actions: list[int],
    special: dict[str, int],
    finished: set[int],
) -> None:
    """The events that make papers interesting: a revision, a block, an override, completion."""
    offset = (day - start).days
    if offset == 75 and len(actions) > 1:
        action = actions[1]
        due = json.loads(replay.run("actions", "show", str(action), "--json"))["due"]
        new = add_months(dt.date.fromisoformat(due), 4)
        replay.run("actions", "due", str(action), new.isoformat(), "--reason",
                   "Recruitment delayed: two agency teams leave in June")  # fmt: skip
        special["revised"] = action
    if offset == 105 and len(actions) > 2:
        action = actions[2]
        why = "Waiting for the partnership's agreement on the escalation protocol"
        replay.run("actions", "status", str(action), "blocked", "--note", why)
        special["blocked"] = action
    if offset == 196 and "blocked" in special:
        replay.run("actions", "status", str(special["blocked"]), "in_progress", "--note",
                   "Protocol agreed by the safeguarding partnership")  # fmt: skip
    if offset == 200 and len(actions) > 3:
        action = actions[3]
        why = "New service manager in post; recovery plan agreed at the improvement board"
        replay.run("actions", "rag", str(action), "--override", "amber", "--reason", why)
        special["override"] = action
    if offset == 290 and "override" in special:
        replay.run("actions", "rag", str(special["override"]), "--clear", "--reason",
                   "Recovery plan delivered")  # fmt: skip
    if offset == 215 and len(actions) > 4:
        action = actions[4]
        replay.run("actions", "status", str(action), "done", "--note", "New audit cycle running")
        replay.run("actions", "update", str(action), "--evidence",
                   "Audit report to the improvement board, March")  # fmt: skip
        finished.add(action)
        special["done"] = action
    if offset == 275 and "done" in special:
        replay.run("actions", "status", str(special["done"]), "verified", "--note",
                   "Checked by the improvement board")  # fmt: skip
    if offset == 250 and len(actions) > 1:
        action = actions[0]
        due = json.loads(replay.run("actions", "show", str(action), "--json"))["due"]
        new = add_months(dt.date.fromisoformat(due), 3)
        replay.run("actions", "due", str(action), new.isoformat(), "--reason",
                   "Overseas recruitment cohort arrives in the autumn")  # fmt: skip
