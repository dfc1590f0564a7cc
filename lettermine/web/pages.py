"""The tracker's pages: the improvement board, a letter, an action and its changes, search and
downloads. Server-rendered with Datasette's templates; every read and write is lettermine's
library, so the web and the command line apply the same rules.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from datasette import Forbidden, NotFound, Response

from lettermine import actions as act
from lettermine.dates import as_date
from lettermine.errors import InvalidInput, LettermineError
from lettermine.errors import NotFound as MissingRecord
from lettermine.themes import THEME_CODES
from lettermine.web import views
from lettermine.web.board import authorities, board, default_authority
from lettermine.web.plugin import EDIT, role_of
from lettermine.web.site import Site

MAX_FIELD = 4000  # characters kept from one form field (a note is a few sentences)
SEARCH_LIMIT = 50


# -- helpers -------------------------------------------------------------------------------------


async def _reader(datasette: Any, request: Any) -> dict[str, Any]:
    """The signed-in user; Forbidden (a sign-in page for nobody) otherwise."""
    await datasette.ensure_permissions(request.actor, ["view-instance"])
    actor: dict[str, Any] = request.actor
    return actor


async def _can_edit(datasette: Any, request: Any) -> bool:
    return bool(await datasette.permission_allowed(request.actor, EDIT, default=False))


async def render(
    datasette: Any, request: Any, template: str, context: dict[str, Any], status: int = 200
) -> Response:
    """A page of ours: Datasette's renderer with lettermine's words and helpers."""
    site = Site.of(datasette)
    context = {
        **context,
        "lm": views.HELPERS,
        "lm_db": site.name,
        "lm_role": role_of(request.actor),
        "lm_today": site.day().isoformat(),
    }
    html = await datasette.render_template(
        f"lettermine/{template}", context, request=request, view_name="lettermine"
    )
    return Response.html(html, status=status, headers={"Cache-Control": "private, no-store"})


def _int_arg(value: str | None, what: str) -> int | None:
    if value is None or not value.strip():
        return None
    if not re.fullmatch(r"\s*\d{1,9}\s*", value):
        raise InvalidInput(f"{what} must be a whole number, not '{value[:20]}'")
    return int(value)


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > MAX_FIELD:
        raise InvalidInput(f"a field holds at most {MAX_FIELD} characters")
    return value or None


def _number(value: str | None, what: str) -> float | None:
    text = _text(value)
    if text is None:
        return None
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        raise InvalidInput(f"{what} must be a number, not '{text[:20]}'") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InvalidInput(f"{what} must be a finite number")
    return number


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "lettermine"


# -- the improvement board -----------------------------------------------------------------------


def as_at(request: Any) -> dt.date | None:
    """The board's ?as_at=DATE: the tracker as it stood at the end of that day."""
    value = (request.args.get("as_at") or "").strip()
    return as_date(value, "as_at") if value else None


async def board_page(datasette: Any, request: Any) -> Response:
    await _reader(datasette, request)
    site = Site.of(datasette)
    found = await site.read(authorities)
    wanted = (request.args.get("la") or "").strip()
    names = {a["name"].casefold(): a["name"] for a in found}
    if wanted and wanted.casefold() not in names:
        return await _message(datasette, request, "No such authority",
                              f"No letters about '{wanted}' are stored.", 404)  # fmt: skip
    name = names.get(wanted.casefold()) if wanted else default_authority(found)
    today = site.day()
    try:
        when = as_at(request)
        data = await site.read(board, name, today, when) if name else None
    except LettermineError as e:
        return await _message(datasette, request, "Cannot show the board", str(e), 400)
    day = when or today
    return await render(
        datasette, request, "board.html",
        {"authorities": found, "authority": name, "board": data, "day": day.isoformat(),
         "as_at": when.isoformat() if when else "",
         "since_default": (day - dt.timedelta(days=91)).isoformat()},
    )  # fmt: skip


async def _message(datasette: Any, request: Any, title: str, message: str, status: int) -> Response:
    return await render(
        datasette, request, "message.html",
        {"title": title, "message": message, "back": datasette.urls.path("/")},
        status=status,
    )  # fmt: skip


# -- a letter ------------------------------------------------------------------------------------


def _letter(conn: Any, letter_id: int, today: dt.date) -> dict[str, Any]:
    from lettermine.letters import get_letter
    from lettermine.papers import build_scope

    get_letter(conn, letter_id)  # NotFound for an id that is not a letter
    # The scope a plan for this letter has: its areas with the actions and closures on them.
    scope = build_scope(conn, letter_ids=[letter_id], today=today)
    return {"letter": scope.letters[0], "actions": scope.actions}


async def letter_page(datasette: Any, request: Any) -> Response:
    await _reader(datasette, request)
    site = Site.of(datasette)
    letter_id = int(request.url_vars["letter_id"])
    try:
        data = await site.read(_letter, letter_id, site.day())
    except MissingRecord:
        raise NotFound(f"No letter {letter_id}") from None
    return await render(datasette, request, "letter.html", data)


# -- an action -----------------------------------------------------------------------------------


async def _action_context(datasette: Any, request: Any, action_id: int) -> dict[str, Any]:
    site = Site.of(datasette)
    try:
        action = await site.read(act.get_action, action_id, today=site.day())
    except MissingRecord:
        raise NotFound(f"No action {action_id}") from None
    for entry in action["history"]:
        entry["words"] = views.history_words(entry)
    return {
        "action": action,
        "can_edit": await _can_edit(datasette, request),
        "next_statuses": [s for s in act.STATUSES if s in act.TRANSITIONS[action["status"]]],
        "all_statuses": act.STATUSES,
    }


async def action_page(datasette: Any, request: Any) -> Response:
    await _reader(datasette, request)
    action_id = int(request.url_vars["action_id"])
    context = await _action_context(datasette, request, action_id)
    return await render(datasette, request, "action.html", {**context, "form": {}})


CHANGES = ("progress", "status", "due", "override", "clear_override")


def _record(
    conn: Any, action_id: int, change: str, form: dict[str, str], author: str, today: dt.date
) -> str:
    """Apply one change from a form through the actions library; what to tell the user."""
    date = _text(form.get("date")) or today.isoformat()
    if change == "progress":
        percent = _int_arg(form.get("percent"), "Percent done")
        value = _number(form.get("value"), "The measure's value")
        act.update_action(
            conn,
            action_id,
            percent=percent,
            note=_text(form.get("note")),
            evidence=_text(form.get("evidence")),
            value=value,
            measure=_text(form.get("measure")) if value is not None else None,
            author=author,
            date=date,
        )
        return "Progress recorded."
    if change == "status":
        status = (form.get("status") or "").strip()
        act.set_status(
            conn,
            action_id,
            status,
            force=form.get("force") == "1",
            note=_text(form.get("note")),
            author=author,
            date=date,
        )
        return f"Status changed to {status.replace('_', ' ')}."
    if change == "due":
        due = _text(form.get("due"))
        if due is None:
            raise InvalidInput("give the new due date")
        act.revise_due(
            conn, action_id, due, reason=form.get("reason") or "", author=author, date=date
        )
        return f"Due date moved to {due}."
    if change == "override":
        act.set_override(
            conn,
            action_id,
            (form.get("colour") or "").strip(),
            reason=form.get("reason") or "",
            author=author,
            date=date,
        )
        return "RAG override set."
    act.clear_override(conn, action_id, reason=_text(form.get("reason")), author=author, date=date)
    return "RAG override cleared: the rule decides again."


async def action_update(datasette: Any, request: Any) -> Response:
    """POST: record a change to an action. Editors only; anyone else gets 403."""
    if request.method != "POST":
        return Response.text("Use POST to record a change", status=405)
    actor = await _reader(datasette, request)
    if not await _can_edit(datasette, request):
        raise Forbidden("Only editors can record changes to actions")
    site = Site.of(datasette)
    action_id = int(request.url_vars["action_id"])
    form = {k: v for k, v in (await request.post_vars()).items() if k != "csrftoken"}
    change = form.get("change", "")
    try:
        if change not in CHANGES:
            raise InvalidInput(f"unknown change '{change[:30]}'")
        said = await site.write(_record, action_id, change, form, actor["id"], site.day())
    except MissingRecord:
        raise NotFound(f"No action {action_id}") from None
    except LettermineError as e:
        context = await _action_context(datasette, request, action_id)
        return await render(
            datasette,
            request,
            "action.html",
            {**context, "error": str(e), "form": form, "change": change},
            status=400,
        )
    datasette.add_message(request, said, datasette.INFO)
    return Response.redirect(datasette.urls.path(f"/-/lettermine/actions/{action_id}"))


# -- search --------------------------------------------------------------------------------------

MARK_OPEN, MARK_CLOSE = "\x02", "\x03"  # around matched words; never in stored text


def _search(
    conn: Any, q: str, authority: str | None, theme: str | None, unit_kind: str | None
) -> list[Any]:
    from lettermine.search import search_units

    return search_units(
        conn,
        q,
        authority=authority,
        themes=[theme] if theme else [],
        unit_kind=unit_kind,
        limit=SEARCH_LIMIT,
        marks=(MARK_OPEN, MARK_CLOSE),
    )


async def search_page(datasette: Any, request: Any) -> Response:
    await _reader(datasette, request)
    site = Site.of(datasette)
    args = {k: (request.args.get(k) or "").strip() for k in ("q", "la", "theme", "kind")}
    hits, error = None, None
    if args["q"]:
        try:
            hits = await site.read(
                _search,
                args["q"],
                args["la"] or None,
                args["theme"] or None,
                args["kind"] or None,
            )
        except LettermineError as e:
            error = str(e)
    found = await site.read(authorities)
    return await render(
        datasette,
        request,
        "search.html",
        {
            "args": args,
            "hits": hits,
            "error": error,
            "authorities": found,
            "limit": SEARCH_LIMIT,
            "mark": (MARK_OPEN, MARK_CLOSE),
            "themes": THEME_CODES,
        },
        status=400 if error else 200,
    )


# -- downloads -----------------------------------------------------------------------------------

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _document(conn: Any, which: str, options: dict[str, Any]) -> bytes:
    from lettermine.report import write_plan, write_report

    with tempfile.TemporaryDirectory(prefix="lettermine-web-") as folder:
        path = Path(folder) / f"{which}.docx"
        if which == "plan":
            write_plan(conn, path, **options)
        else:
            write_report(conn, path, **options)
        return path.read_bytes()


def _attachment(body: bytes | str, content_type: str, filename: str) -> Response:
    return Response(
        body,
        content_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"; '
            f"filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "private, no-store",
        },
    )


async def download_plan(datasette: Any, request: Any) -> Response:
    await _reader(datasette, request)
    site = Site.of(datasette)
    la = (request.args.get("la") or "").strip() or None
    day = site.day()
    try:
        letter = _int_arg(request.args.get("letter"), "letter")
        options = {"authority": la, "letter_ids": [letter] if letter else [], "today": day,
                   "as_at": as_at(request)}  # fmt: skip
        body = await site.read(_document, "plan", options)
    except LettermineError as e:
        return await _download_error(datasette, request, e)
    scope = _slug(la) if la else f"letter-{letter}"
    return _attachment(body, DOCX, f"plan-{scope}-{options['as_at'] or day}.docx")


async def download_report(datasette: Any, request: Any) -> Response:
    await _reader(datasette, request)
    site = Site.of(datasette)
    la = (request.args.get("la") or "").strip()
    since = (request.args.get("since") or "").strip()
    day = site.day()
    try:
        if not la:
            raise InvalidInput("choose the authority the report is about")
        when = as_at(request)
        options = {"authority": la, "since": since or None, "today": day, "as_at": when}
        body = await site.read(_document, "report", options)
    except LettermineError as e:
        return await _download_error(datasette, request, e)
    return _attachment(body, DOCX, f"scrutiny-{_slug(la)}-{when or day}.docx")


def _tracker_csv(conn: Any, today: dt.date) -> str:
    out = io.StringIO()
    act.write_tracker(act.export_rows(conn, today=today), out)
    return out.getvalue()


def _tracker_xlsx(conn: Any, today: dt.date) -> bytes:
    from lettermine.workbook import export_workbook

    with tempfile.TemporaryDirectory(prefix="lettermine-web-") as folder:
        path = export_workbook(conn, Path(folder) / "tracker.xlsx", today=today)
        return path.read_bytes()


async def download_tracker(datasette: Any, request: Any) -> Response:
    await _reader(datasette, request)
    site = Site.of(datasette)
    day = site.day()
    body = await site.read(_tracker_csv, day)
    # A byte-order mark, so that Excel opens the UTF-8 file with its accents and dashes intact.
    return _attachment("\ufeff" + body, "text/csv; charset=utf-8", f"tracker-{day}.csv")


async def download_workbook(datasette: Any, request: Any) -> Response:
    await _reader(datasette, request)
    site = Site.of(datasette)
    day = site.day()
    body = await site.read(_tracker_xlsx, day)
    return _attachment(body, XLSX, f"tracker-{day}.xlsx")


async def _download_error(datasette: Any, request: Any, error: LettermineError) -> Response:
    status = 404 if isinstance(error, MissingRecord) else 400
    return await render(
        datasette,
        request,
        "message.html",
        {
            "title": "Nothing to download",
            "message": str(error),
            "back": datasette.urls.path("/")
            + ("?" + urlencode({"la": request.args["la"]}) if request.args.get("la") else ""),
        },
        status=status,
    )


ROUTES = [
    (r"^/$", board_page),
    (r"^/-/lettermine/letters/(?P<letter_id>\d{1,9})$", letter_page),
    (r"^/-/lettermine/actions/(?P<action_id>\d{1,9})$", action_page),
    (r"^/-/lettermine/actions/(?P<action_id>\d{1,9})/update$", action_update),
    (r"^/-/lettermine/search$", search_page),
    (r"^/-/lettermine/download/plan\.docx$", download_plan),
    (r"^/-/lettermine/download/report\.docx$", download_report),
    (r"^/-/lettermine/download/tracker\.csv$", download_tracker),
    (r"^/-/lettermine/download/tracker\.xlsx$", download_workbook),
]
