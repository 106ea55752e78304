"""Who is signed in, and the decorators the UI blueprints guard their views with.

Views never decide permissions on case data (the engine does); these helpers only answer "is anybody
signed in" and "does the user hold one of these roles at all" (for whole areas such as admin pages).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, g, redirect, request, url_for

from engine.actor import Actor
from engine.api import CaseEngine, SignedInUser

F = TypeVar("F", bound=Callable[..., Any])


def engine() -> CaseEngine:
    case_engine: CaseEngine = current_app.extensions["schutzpfad.engine"]
    return case_engine


def current_user() -> SignedInUser | None:
    """The signed-in user of this request (loaded once by the session handling), or None."""
    return cast(SignedInUser | None, g.get("user"))


def current_actor() -> Actor:
    """The engine's Actor of the signed-in user; only call it in views guarded by `login_required`."""
    user = current_user()
    if user is None:
        abort(401)
    return user.actor


def safe_next(target: str | None) -> str | None:
    """A local path to return to after sign-in, or None (never another host: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _next_for_this_request() -> str:
    if request.method == "GET":
        return request.full_path.rstrip("?")
    return request.path  # a POST's form is shown again by a GET of the same path (drafts)


def sign_in_redirect() -> Response:
    return cast(Response, redirect(url_for("auth.sign_in", next=_next_for_this_request())))


def login_required(view: F) -> F:
    """Signed-out visitors (or an expired session) go to the sign-in page and come back afterwards."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return sign_in_redirect()
        return view(*args, **kwargs)

    return cast(F, wrapper)


def require_login_for(bp: Blueprint) -> Blueprint:
    """Guard every view of a blueprint: `require_login_for(bp)` once instead of decorating each view."""

    @bp.before_request
    def _require_login() -> Response | None:
        return sign_in_redirect() if current_user() is None else None

    return bp


def role_required(*roles: str) -> Callable[[F], F]:
    """Signed in and holding at least one of `roles` in some organisation, else a 403 page.

    For whole areas (admin, audit); whether a user may see a *case* is the engine's decision."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return sign_in_redirect()
            if not any(user.actor.has_role(role) for role in roles):
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def no_store(view: F) -> F:
    """Mark a response as not to be stored by any cache (every page with case data).

    The security headers already send `Cache-Control: no-store` on every non-static response; this
    decorator states it at the view, and keeps it so if that default ever changes."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        response = current_app.make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        return response

    return cast(F, wrapper)
