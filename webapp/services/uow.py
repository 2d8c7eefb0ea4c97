"""The one transaction boundary: services commit once; work for after the commit is queued here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import g
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from webapp.extensions import db
from webapp.services.errors import Locked

_LOCK_NOT_AVAILABLE = "55P03"


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the surrounding unit of work has committed (never on rollback)."""
    g.setdefault("_after_commit", []).append(callback)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Commit once at the end; roll back on any error; then run the queued after-commit work."""
    session = db.session
    outer = g.get("_uow_depth", 0)
    g._uow_depth = outer + 1
    try:
        yield session
        if outer == 0:
            session.commit()
    except OperationalError as exc:
        session.rollback()
        if getattr(exc.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
            raise Locked("La pratica è in uso da un'altra operazione, riprova tra poco.") from exc
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        g._uow_depth = outer
        if outer == 0:
            pending = g.pop("_after_commit", [])
    if outer == 0:
        for callback in pending:
            callback()
