"""What every citizen page shares: the login requirement, safe return addresses, posted files."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, g, redirect, request, url_for
from flask_login import current_user

from webapp.services import appointments
from webapp.services.common.errors import FieldProblem
from webapp.services.common.uploads import Upload
from webapp.services.people import CITIZEN, User
from webapp.views.web import render_status_label, safe_return

F = TypeVar("F", bound=Callable[..., Any])


def citizen_required(view: F) -> F:
    """Anonymous visitors go to the login and come back; staff accounts are not citizens here."""
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return redirect(url_for("citizen.login", next=request.full_path.rstrip("?")))
        if current_user.role != CITIZEN:
            abort(403)
        return view(*args, **kwargs)

    return cast(F, wrapped)


def me() -> User:
    return cast(User, current_user._get_current_object())


def safe_next(raw: str | None, default: str) -> str:
    """A return address only inside this ente's pages on this site: never another origin."""
    return safe_return(raw, f"/{g.tenant.slug}/", default)


def posted_version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else None


def posted_files(name: str) -> list[Upload]:
    return [Upload(name=f.filename, content=f.read(), declared_type=f.mimetype)
            for f in request.files.getlist(name) if f and f.filename]


def problems_by_field(problems: list[FieldProblem]) -> dict[str, str]:
    return {p.pointer: p.message for p in problems}


def template_helpers() -> dict[str, Any]:
    return {"status_text": render_status_label, "safe_next": safe_next,
            "meeting_labels": appointments.STATUS_LABELS}
