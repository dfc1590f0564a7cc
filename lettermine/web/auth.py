"""Signing in and out: sessions in Datasette's signed `ds_actor` cookie, checked on every request
against the users table, so a removed user, a new role or a new password takes effect at once.
"""

from __future__ import annotations

import hmac
import time
from typing import Any

from datasette import Response
from datasette.utils import baseconv
from itsdangerous import BadSignature

from lettermine.errors import InvalidInput, LettermineError
from lettermine.web import users
from lettermine.web.plugin import role_of
from lettermine.web.site import Site

SESSION_SECONDS = 12 * 60 * 60  # a working day; then sign in again
PASSWORD_FORM_SECONDS = 15 * 60  # to choose a password after signing in with a one-time one
COOKIE = "ds_actor"


async def actor_for(site: Site, request: Any) -> dict[str, Any] | None:
    """The actor of a request whose session cookie is valid and whose user still exists."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        decoded = site.datasette.unsign(raw, "actor")
    except BadSignature:
        return None
    if not isinstance(decoded, dict) or not isinstance(decoded.get("a"), dict):
        return None
    try:
        if time.time() > int(baseconv.base62.decode(str(decoded.get("e", "")))):
            return None
    except (ValueError, KeyError):
        return None
    name, stamp = decoded["a"].get("id"), decoded["a"].get("st")
    if not isinstance(name, str) or not isinstance(stamp, str):
        return None
    now = await site.read(users.current, name)
    if now is None or not hmac.compare_digest(now[1], stamp):
        return None
    return {"id": name, "role": now[0], "lettermine": True}


def set_session(site: Site, request: Any, response: Response, name: str, stamp: str) -> None:
    expires = int(time.time()) + SESSION_SECONDS
    value = site.datasette.sign(
        {"a": {"id": name, "st": stamp}, "e": baseconv.base62.encode(expires)}, "actor"
    )
    response.set_cookie(
        COOKIE,
        value,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.scheme == "https",
    )


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, never another site."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ord(ch) < 32 for ch in target):
        return "/"
    return target


async def _form(
    datasette: Any, request: Any, template: str, context: dict[str, Any], status: int = 200
) -> Response:
    from lettermine.web.pages import render

    return await render(datasette, request, template, context, status)


async def login(datasette: Any, request: Any) -> Response:
    """GET: the sign-in form. POST: check the name and password; a session, or a form to
    choose a password after a one-time one."""
    site = Site.of(datasette)
    if request.method != "POST":
        target = safe_next(request.args.get("next"))
        if role_of(request.actor):
            return Response.redirect(datasette.urls.path(target))
        return await _form(datasette, request, "login.html", {"next": target, "name": ""})
    form = await request.post_vars()
    name = " ".join((form.get("name") or "").split())[: users.MAX_NAME]
    password = form.get("password") or ""
    target = safe_next(form.get("next"))
    context = {"next": target, "name": name}
    wait = site.refused(name)
    if wait:
        context["error"] = (
            f"Too many failed sign-ins for this name: try again in {wait} minute"
            f"{'s' if wait != 1 else ''}, or ask for a new password."
        )
        return await _form(datasette, request, "login.html", context, status=429)
    found = await site.write(users.stored_hash, name) if name else None
    user = await site.slow(users.authenticate, found, password)
    if user is None:
        site.failed(name)
        context["error"] = "That name and password do not match a user. Check both and try again."
        return await _form(datasette, request, "login.html", context, status=401)
    site.succeeded(name)
    if user["must_change"]:
        token = datasette.sign(
            {"n": user["name"], "st": user["stamp"], "t": int(time.time())}, "lettermine-password"
        )
        return await _form(
            datasette,
            request,
            "password.html",
            {"token": token, "next": target, "first": True, "name": user["name"]},
        )
    await site.write(users.record_sign_in, user["name"])
    response = Response.redirect(datasette.urls.path(target))
    set_session(site, request, response, user["name"], user["stamp"])
    return response


async def password(datasette: Any, request: Any) -> Response:
    """Choose a new password: after a one-time one (with the token the sign-in gave), or when
    signed in (with the current password)."""
    site = Site.of(datasette)
    if request.method != "POST":
        await datasette.ensure_permissions(request.actor, ["view-instance"])
        return await _form(datasette, request, "password.html", {"first": False, "next": "/"})
    form = await request.post_vars()
    target = safe_next(form.get("next"))
    token = form.get("token")
    first = bool(token)
    if token:
        try:
            claim = datasette.unsign(token, "lettermine-password")
        except BadSignature:
            claim = None
        if not isinstance(claim, dict) or time.time() - claim.get("t", 0) > PASSWORD_FORM_SECONDS:
            return await _form(
                datasette,
                request,
                "login.html",
                {
                    "next": target,
                    "name": "",
                    "error": "That form has expired: sign in again with your one-time password.",
                },
                status=400,
            )
        name, stamp = str(claim["n"]), str(claim["st"])
    else:
        await datasette.ensure_permissions(request.actor, ["view-instance"])
        name = request.actor["id"]
        found = await site.write(users.stored_hash, name)
        user = await site.slow(users.authenticate, found, form.get("current") or "")
        if user is None:
            return await _form(
                datasette,
                request,
                "password.html",
                {"first": False, "next": target, "error": "Your current password is not right."},
                status=400,
            )
        stamp = user["stamp"]
    new, again = form.get("new") or "", form.get("again") or ""
    try:
        if new != again:
            raise InvalidInput("the two new passwords are not the same")
        users.check_new_password(new, name)
        new_hash = await site.slow(users.hash_password, new)
        new_stamp = await site.write(users.change_password, name, new_hash, old_stamp=stamp)
        await site.write(users.record_sign_in, name)
    except LettermineError as e:
        return await _form(
            datasette,
            request,
            "password.html",
            {"first": first, "token": token, "next": target, "name": name, "error": str(e)},
            status=400,
        )
    response = Response.redirect(datasette.urls.path(target))
    set_session(site, request, response, name, new_stamp)
    datasette.add_message(request, "Your password is changed.", datasette.INFO)
    return response


ROUTES = [
    (r"^/-/login$", login),
    (r"^/-/lettermine/password$", password),
]
