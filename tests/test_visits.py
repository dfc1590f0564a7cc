"""One visit, one letter: a second copy refused or swapped in, letters deleted, unread layouts.

The corpus-free tests use two invented copies of one invented visit: a .txt and a .docx built
here, the .docx with a finding added before others (the units after it move up one place), an
apostrophe printed curly and doubled spaces, and one finding reworded (it has no match).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from bad_files import fingerprint, make_docx
from conftest import CORPUS, LETTERS, needs_corpus
from typer.testing import CliRunner, Result

from lettermine.cli import app
from lettermine.db import open_db
from lettermine.ingest import Classifier, ingest_file
from lettermine.read.extract import read_text
from lettermine.read.parse import parse_letter
from lettermine.visits import normalised, same_visit, store_letter

VISIT = """\
Ofsted
Piccadilly Gate
Store Street
Manchester
M1 2WD

14 October 2024

Robin Example
Director of Children's Services
Northbridge Borough Council

Dear Mr Example

Focused visit to Northbridge children's services

This letter summarises the findings of the focused visit to Northbridge children's services on
10 and 11 September 2024. His Majesty's Inspectors for this visit were Dana Sample and Lee Person.

Inspectors looked at the local authority's arrangements for children in care.

Headline findings

Leaders know where practice is strong and where it needs to improve, and they have begun to act.

What needs to improve in this area of social work practice

\u2022 the timeliness of reviews of children's care plans

\u2022 the quality of direct work to understand children's wishes and feelings.

Main findings

Children in care are visited regularly by social workers who know them well.

{EXTRA}Permanence planning is not always timely, so that some children wait too long for a
decision about where they will grow up.

{LAST}

Ofsted will take the findings from this focused visit into account when planning your next
inspection or visit.

Yours sincerely

Dana Sample
His Majesty's Inspector
"""
FIRST = VISIT.format(
    EXTRA="", LAST="Independent reviewing officers do not always challenge drift in plans."
)
SECOND = VISIT.format(
    EXTRA="Managers oversee casework closely and record their decisions on children's files.\n\n",
    LAST="Independent reviewing officers rarely escalate their concerns about drift.",
).replace("children's wishes", "children\u2019s  wishes")
# Units of FIRST: 1 headline finding, 2-3 areas for improvement, 4-6 findings. In SECOND the
# finding 5 becomes 6 (a finding is added before it), and 6 has no match.
PERMANENCE, REWORDED = 5, 6
NEW_NE_LINCS = LETTERS / "north-east-lincolnshire-2021-06-focused-visit.txt"
NE_LINCS_PDF = (
    CORPUS / "focused" / "pdf" / "80526_north-east-lincolnshire_2021-06-18_focused-visit.pdf"
)


@pytest.fixture
def copies(tmp_path: Path) -> tuple[Path, Path]:
    """The two copies of the invented visit: (.txt, .docx)."""
    txt, docx = tmp_path / "northbridge-visit.txt", tmp_path / "Northbridge letter.docx"
    txt.write_text(FIRST, encoding="utf-8")
    docx.write_bytes(make_docx([" ".join(p.split("\n")) for p in SECOND.split("\n\n")]))
    return txt, docx


def _run(runner: CliRunner, *args: str, code: int = 0) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def _ingest(runner: CliRunner, *paths: Path, code: int = 0, extra: tuple[str, ...] = ()) -> Result:
    return _run(runner, "ingest", "--no-classify", *extra, *map(str, paths), code=code)


def _rows(db: Path, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def _history(db: Path, action: int) -> list[tuple[object, ...]]:
    sql = "SELECT event, unit, note FROM action_history WHERE action_id = ? ORDER BY id"
    return _rows(db, sql, (action,))


def _first_copy_with_an_action(runner: CliRunner, copy: Path, db: Path) -> sqlite3.Connection:
    """The database after storing a copy of the visit and an action for its permanence finding."""
    _ingest(runner, copy)
    _run(runner, "actions", "add", "--for", f"1:{PERMANENCE}", "--title", "Permanence")
    return open_db(db).conn


def _replace_with(conn: sqlite3.Connection, copy: Path, author: str | None = None) -> None:
    """Store another copy of the visit in place of the stored one, as `ingest --replace` does."""
    letter = parse_letter(read_text(copy))
    store_letter(conn, letter, sha256="f" * 64, source=copy.name, name=copy.name, replace=True,
                 author=author)  # fmt: skip


def _fields(**kw: str | None) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "kind": "focused_visit", "authority": "Northbridge", "inspection_start": "2024-09-10",
        "inspection_end": "2024-09-11", "published": "2024-10-14",
    }  # fmt: skip
    return base | kw


# -- the identity rule ------------------------------------------------------------------------


def test_a_visit_is_its_authority_kind_and_dates() -> None:
    a = _fields()
    assert same_visit(a, _fields(authority="NORTHBRIDGE", published=None))
    assert same_visit(a, _fields(inspection_end=None, inspection_start="2024-09-10")) is False
    assert not same_visit(a, _fields(inspection_start="2024-09-17", inspection_end="2024-09-18"))
    assert not same_visit(a, _fields(kind="monitoring_visit"))
    assert not same_visit(a, _fields(authority="Southbridge"))
    # Without inspection dates on either side, the publication date decides.
    assert same_visit(a, _fields(inspection_start=None, inspection_end=None))
    assert not same_visit(
        a, _fields(inspection_start=None, inspection_end=None, published="2024-11-01")
    )
    # Nothing to go on: never taken for another letter.
    bare = _fields(inspection_start=None, inspection_end=None, published=None)
    assert not same_visit(bare, bare)
    assert not same_visit(_fields(authority=None), _fields(authority=None))
    assert not same_visit(_fields(kind="other"), _fields(kind="other"))


def test_a_missing_last_day_is_the_first() -> None:
    one_day = _fields(inspection_end=None, inspection_start="2024-09-10")
    assert same_visit(one_day, _fields(inspection_end="2024-09-10"))


def test_normalised_text_ignores_case_quotes_dashes_and_spacing() -> None:
    assert normalised("Children\u2019s  plans \u2013 reviewed.") == normalised(
        "children's plans - reviewed"
    )
    assert normalised("children's plans") != normalised("children's plan")


# -- a second copy ----------------------------------------------------------------------------


def test_a_second_copy_is_refused_and_the_batch_goes_on(
    runner: CliRunner, copies: tuple[Path, Path], db_path: Path
) -> None:
    txt, docx = copies
    _ingest(runner, txt)
    before = fingerprint(db_path)
    result = _ingest(runner, docx, NEW_NE_LINCS, code=1)
    assert (
        f"Error: {docx.name}: the same visit as letter 1 ({txt.name}); "
        "--replace to store this copy instead"
    ) in result.stderr.splitlines()
    assert "1 new letters" in result.stderr  # the other letter of the batch
    assert _rows(db_path, "SELECT id, source FROM letters ORDER BY id") == [
        (1, txt.name),
        (2, NEW_NE_LINCS.name),
    ]
    assert fingerprint(db_path)[0]["letters"] == before[0]["letters"] + 1


def test_replace_keeps_the_id_the_links_and_labels_whose_text_it_still_has(
    runner: CliRunner, copies: tuple[Path, Path], db_path: Path
) -> None:
    txt, docx = copies
    _ingest(runner, txt)
    _run(runner, "actions", "add", "--for", "1:2", "--title", "Reviews on time", "--date",
         "2024-11-01")  # fmt: skip
    _run(runner, "actions", "add", "--for", "1:3", "--for", f"1:{PERMANENCE}", "--title",
         "Direct work and permanence", "--date", "2024-11-01")  # fmt: skip
    _run(runner, "actions", "add", "--for", f"1:{REWORDED}", "--title", "IRO challenge",
         "--date", "2024-11-01")  # fmt: skip
    _run(runner, "label", f"1:{PERMANENCE}", "--add", "permanence")
    _run(runner, "label", f"1:{REWORDED}", "--add", "planning")

    result = _ingest(runner, docx, extra=("--replace",))

    assert f"{docx.name}: letter 1, focused_visit, Northbridge, 7 units" in result.stderr
    assert "replaced the copy northbridge-visit.txt of letter 1: 3 action links and 1 labels" in (
        result.stderr
    )
    assert (
        f'warning: action 3 unlinked from 1:{REWORDED} ("Independent reviewing officers do '
        'not always challenge drift in plans."): no unit of this copy has that text'
    ) in result.stderr
    assert f"warning: label planning on 1:{REWORDED}" in result.stderr
    assert "0 new letters (0 units), 1 replaced" in result.stderr
    letters = json.loads(_run(runner, "export", "--json").stdout)
    assert [(x["id"], x["source"], len(x["units"])) for x in letters] == [(1, docx.name, 7)]
    units = {u["id"]: u for u in letters[0]["units"]}
    # Same place, same text (a curly apostrophe and spacing aside): the link stays put.
    assert units["1:2"]["actions"] == [1] and units["1:3"]["actions"] == [2]
    # The permanence finding moved from 1:5 to 1:6: its link and its label followed it.
    assert units["1:6"]["text"].startswith("Permanence planning")
    assert units["1:6"]["actions"] == [2]
    assert {"code": "permanence", "score": 1.0, "source": "person"} in units["1:6"]["themes"]
    assert all(not u["actions"] for k, u in units.items() if k not in ("1:2", "1:3", "1:6"))
    assert not any(t["source"] == "person" for u in units.values() for t in u["themes"][1:])
    # History: links that kept their id need no row; a moved one is an unlink and a link; a
    # lost one an unlink whose unit ref stays as text.
    assert _history(db_path, 1) == [("created", None, None), ("link", "1:2", None)]
    note = f"letter 1 replaced by another copy of the visit ({docx.name})"
    assert _history(db_path, 2)[-2:] == [
        ("unlink", f"1:{PERMANENCE}", note),
        ("link", "1:6", note),
    ]
    assert _history(db_path, 3)[-1] == (
        "unlink", f"1:{REWORDED}", f"{note}: no unit of it has this unit's text"
    )  # fmt: skip
    assert _rows(db_path, "SELECT count(*) FROM action_units WHERE action_id = 3") == [(0,)]
    removal = _rows(
        db_path,
        "SELECT letter_id, event, source, units, unlinked, labels_dropped, replaced_by, sha256"
        " FROM letter_removals",
    )
    (letter_id, event, source, count, unlinked, dropped, replaced_by, old_sha) = removal[0]
    assert (letter_id, event, source, count, dropped) == (1, "replaced", txt.name, 6, 1)
    assert json.loads(str(unlinked)) == [{"action": 3, "unit": f"1:{REWORDED}"}]
    assert _rows(db_path, "SELECT sha256 FROM letters") == [(replaced_by,)]
    assert old_sha != replaced_by
    # The search index follows: the old copy's lost finding is gone, the new one is there.
    assert _run(runner, "search", "challenge drift").stdout.strip() == ""
    assert "1:7" in _run(runner, "search", "rarely escalate").stdout


def test_replace_without_a_stored_visit_just_stores(
    runner: CliRunner, copies: tuple[Path, Path], db_path: Path
) -> None:
    _ingest(runner, copies[1], extra=("--replace",))
    assert _rows(db_path, "SELECT count(*) FROM letters") == [(1,)]
    assert _rows(db_path, "SELECT count(*) FROM letter_removals") == [(0,)]


def test_the_same_file_again_is_still_a_no_op_with_replace(
    runner: CliRunner, copies: tuple[Path, Path], db_path: Path
) -> None:
    _ingest(runner, copies[0])
    before = fingerprint(db_path)
    result = _ingest(runner, copies[0], extra=("--replace",))
    assert "already stored as letter 1" in result.stderr
    assert fingerprint(db_path) == before


def test_a_replace_that_fails_leaves_the_database_as_it_was(
    copies: tuple[Path, Path], db_path: Path, runner: CliRunner
) -> None:
    conn = _first_copy_with_an_action(runner, copies[0], db_path)
    # The last write of a replacement is the record of what left: make it fail.
    conn.execute(
        "CREATE TRIGGER no_removals BEFORE INSERT ON letter_removals "
        "BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"
    )
    before = fingerprint(db_path)
    with pytest.raises(sqlite3.IntegrityError, match="refused for the test"):
        _replace_with(conn, copies[1])
    conn.close()
    assert fingerprint(db_path) == before


def test_several_stored_copies_are_not_replaced_blindly(
    copies: tuple[Path, Path], db_path: Path
) -> None:
    # Two copies stored before this rule existed: which one to replace is the user's call.
    conn = open_db(db_path).conn
    letter = parse_letter(read_text(copies[0]))
    for n in (1, 2):
        conn.execute(
            "INSERT INTO letters (sha256, source, kind, authority, inspection_start,"
            " inspection_end) VALUES (?, ?, ?, ?, ?, ?)",
            [f"{n}" * 64, f"copy{n}.txt", letter.kind, letter.authority,
             letter.inspection_start, letter.inspection_end],
        )  # fmt: skip
    result = ingest_file_error(conn, copies[1])
    assert "the same visit as letters 1 (copy1.txt), 2 (copy2.txt)" in result
    assert "letters delete" in result


def ingest_file_error(conn: sqlite3.Connection, path: Path) -> str:
    from lettermine.errors import LettermineError

    with pytest.raises(LettermineError) as caught:
        ingest_file(conn, path, Classifier(enabled=False), replace=True)
    return str(caught.value)


# -- deleting ---------------------------------------------------------------------------------


def test_delete_is_refused_while_actions_are_linked(
    runner: CliRunner, copies: tuple[Path, Path], db_path: Path
) -> None:
    _ingest(runner, copies[0])
    _run(runner, "actions", "add", "--for", "1:2", "--for", "1:4", "--title", "Reviews")
    _run(runner, "actions", "add", "--for", "1:3", "--title", "Direct work")
    before = fingerprint(db_path)
    result = _run(runner, "letters", "delete", "1", code=1)
    assert result.stderr.splitlines() == [
        "Error: letter 1 has actions linked to its units: action 1 (1:2, 1:4); action 2 (1:3); "
        "--force to delete it and unlink them (the actions and their history are kept)"
    ]
    assert fingerprint(db_path) == before


def test_delete_force_keeps_the_actions_and_their_history(
    runner: CliRunner, copies: tuple[Path, Path], db_path: Path
) -> None:
    txt = copies[0]
    _ingest(runner, txt, NEW_NE_LINCS)
    _run(runner, "actions", "add", "--for", "1:2", "--for", "2:1", "--title", "Reviews",
         "--date", "2024-11-01")  # fmt: skip
    _run(runner, "actions", "update", "1", "--percent", "30", "--note", "Started",
         "--date", "2024-12-01")  # fmt: skip
    _run(runner, "label", "1:4", "--add", "children_in_care")
    history_before = _history(db_path, 1)

    result = _run(
        runner, "letters", "delete", "1", "--force", "--author", "Data team", "--date",
        "2024-11-15",
    )  # fmt: skip

    assert "action 1 unlinked from 1:2 (the action and its history are kept)" in result.stderr
    assert "1 labels on its units went with it" in result.stderr
    assert "letter 1 deleted" in result.stderr
    assert [row["id"] for row in json.loads(_run(runner, "letters", "--json").stdout)] == [2]
    # The action stays, linked to the other letter; its history gains one row and loses none.
    history = _history(db_path, 1)
    assert history[: len(history_before)] == history_before
    assert history[len(history_before) :] == [
        ("unlink", "1:2", f"letter 1 ({txt.name}) deleted"),
    ]
    # Dated no earlier than the action's last change, so the history stays in date order.
    at = _rows(db_path, "SELECT at, author FROM action_history ORDER BY id DESC LIMIT 1")
    assert at == [("2024-12-01", "Data team")]
    assert _rows(db_path, "SELECT percent FROM actions WHERE id = 1") == [(30,)]
    assert _rows(db_path, "SELECT u.letter_id FROM action_units a JOIN units u ON u.id = a.unit_id"
                 ) == [(2,)]  # fmt: skip
    for table in ("units", "unit_themes", "labels"):
        sql = f"SELECT count(*) FROM {table} WHERE " + (
            "letter_id = 1" if table == "units" else
            "unit_id NOT IN (SELECT id FROM units)"
        )  # fmt: skip
        assert _rows(db_path, sql) == [(0,)], table
    # The search index has none of its units, and agrees with the units table.
    phrase = "SELECT count(*) FROM units_fts WHERE units_fts MATCH '\"reviewing officers do not\"'"
    assert _rows(db_path, phrase) == [(0,)]
    _rows(db_path, "INSERT INTO units_fts (units_fts) VALUES ('integrity-check')")
    removal = _rows(
        db_path,
        "SELECT letter_id, event, source, units, unlinked, labels_dropped, author, sha256"
        " FROM letter_removals",
    )
    assert removal[0][:7] == (
        1, "deleted", txt.name, 6, json.dumps([{"action": 1, "unit": "1:2"}]), 1, "Data team"
    )  # fmt: skip
    assert len(str(removal[0][7])) == 64
    # The record is append-only, like the action history.
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        _rows(db_path, "DELETE FROM letter_removals")


def test_a_deleted_letters_id_is_never_reused(
    runner: CliRunner, copies: tuple[Path, Path], db_path: Path
) -> None:
    _ingest(runner, copies[0])
    _run(runner, "letters", "delete", "1")
    result = _ingest(runner, copies[1])
    assert "letter 2," in result.stderr
    _run(runner, "show", "1", code=1)


def test_delete_of_a_missing_letter_is_one_line(runner: CliRunner) -> None:
    result = _run(runner, "letters", "delete", "9", code=1)
    assert result.stderr == "Error: no letter 9 (see 'lettermine letters')\n"


def test_letters_still_lists_with_and_without_json(
    runner: CliRunner, copies: tuple[Path, Path]
) -> None:
    _ingest(runner, copies[0])
    table = _run(runner, "letters").stdout
    assert "Northbridge" in table and "focused_visit" in table and "(unread)" not in table
    rows = json.loads(_run(runner, "letters", "--json").stdout)
    assert [(r["id"], r["unread"]) for r in rows] == [(1, False)]


# -- layouts lettermine does not read --------------------------------------------------------

UNKNOWN = """\
Ofsted
Piccadilly Gate

Survey of fostering panels in Northbridge

Inspectors from Ofsted met panel members in June 2024 and read the minutes of twelve
meetings. This survey reports what they saw; it makes no judgements and sets no actions.
Panels were quorate and chaired with care, and members asked searching questions about the
support foster carers receive. Minutes were clear and decisions were recorded with reasons.
"""


def test_an_unread_layout_is_refused_unless_kept(
    runner: CliRunner, tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "fostering-survey.txt"
    path.write_text(UNKNOWN, encoding="utf-8")
    _ingest(runner, NEW_NE_LINCS)
    before = fingerprint(db_path)

    result = _ingest(runner, path, code=1)
    error = result.stderr.splitlines()[0]
    assert error.startswith(f"Error: {path.name}: not a layout lettermine reads (")
    assert "--keep-unread" in error
    assert fingerprint(db_path) == before

    kept = _ingest(runner, path, extra=("--keep-unread",))
    assert "unread: kept with --keep-unread" in kept.stderr
    table = _run(runner, "letters").stdout
    assert "other (unread)" in table
    rows = json.loads(_run(runner, "letters", "--json").stdout)
    assert [r["unread"] for r in rows] == [False, True]
    assert "unread:" in _run(runner, "show", "2").stdout
    assert json.loads(_run(runner, "export", "--json").stdout)[1]["unread"] is True


def test_a_known_kind_with_nothing_read_is_unread(tmp_path: Path, db_path: Path) -> None:
    from lettermine.errors import UnreadLayout

    conn = open_db(db_path).conn
    other = tmp_path / "monitoring.txt"
    other.write_text(
        FIRST.replace("Focused visit", "Monitoring visit")
        .replace("focused visit", "monitoring visit")
        .split("Headline findings")[0]
        + "Yours sincerely\n",
        encoding="utf-8",
    )
    with pytest.raises(UnreadLayout, match="a monitoring visit with no areas for improvement"):
        ingest_file(conn, other, Classifier(enabled=False))


# -- the real letter, twice -------------------------------------------------------------------


@needs_corpus
@pytest.mark.skipif(
    not NE_LINCS_PDF.is_file(), reason="Ofsted's PDF of the June 2021 letter is absent"
)
def test_the_june_2021_letter_as_text_and_as_ofsted_pdf_is_one_letter(
    runner: CliRunner, db_path: Path
) -> None:
    _ingest(runner, NEW_NE_LINCS)
    _run(runner, "actions", "add", "--for", "1:1", "--for", "1:2", "--title", "Workforce")
    _run(runner, "label", "1:3", "--add", "workforce")
    refused = _ingest(runner, NE_LINCS_PDF, code=1)
    assert (
        f"Error: {NE_LINCS_PDF.name}: the same visit as letter 1 ({NEW_NE_LINCS.name}); "
        "--replace to store this copy instead"
    ) in refused.stderr
    replaced = _ingest(runner, NE_LINCS_PDF, extra=("--replace",))
    assert "2 action links and 1 labels follow their text" in replaced.stderr
    assert "warning: action" not in replaced.stderr
    letters = json.loads(_run(runner, "export", "--json").stdout)
    assert [(x["id"], x["source"]) for x in letters] == [(1, NE_LINCS_PDF.name)]
    assert letters[0]["units"][0]["actions"] == [1] == letters[0]["units"][1]["actions"]
    # Themes across visits count it once.
    themes = json.loads(_run(runner, "themes", "--la", "North East Lincolnshire", "--json").stdout)
    assert themes["visits"] == [{"letter_id": 1, "kind": "focused_visit", "date": "2021-05-05"}]
    deleted = _run(runner, "letters", "delete", "1", code=1)
    assert "action 1 (1:1, 1:2)" in deleted.stderr
    _run(runner, "letters", "delete", "1", "--force")
    assert _rows(db_path, "SELECT event FROM letter_removals ORDER BY id") == [
        ("replaced",),
        ("deleted",),
    ]


def test_a_replacement_by_a_named_person_is_theirs_in_each_moved_links_history(
    copies: tuple[Path, Path], db_path: Path, runner: CliRunner
) -> None:
    conn = _first_copy_with_an_action(runner, copies[0], db_path)
    with conn:
        _replace_with(conn, copies[1], author="Data team")
    conn.close()
    moved = _rows(
        db_path,
        "SELECT event, unit, author FROM action_history WHERE action_id = 1 ORDER BY id",
    )
    assert moved[-2:] == [("unlink", f"1:{PERMANENCE}", "Data team"), ("link", "1:6", "Data team")]
