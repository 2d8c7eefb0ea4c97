"""The one transaction boundary: services commit once; work for after the commit is queued here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import g, has_request_context
from flask_sqlalchemy.session import Session
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import ORMExecuteState, scoped_session
from sqlalchemy.orm.exc import StaleDataError

from webapp.extensions import db
from webapp.services.common.errors import Locked, StaleVersion

_LOCK_NOT_AVAILABLE = "55P03"
_IN_USE = "La pratica è in uso da un'altra operazione, riprova tra poco."


def _is_lock_timeout(exc: OperationalError) -> bool:
    """PostgreSQL's NOWAIT refusal, or SQLite still busy after its timeout."""
    return getattr(exc.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE or "database is locked" in str(exc.orig)


@event.listens_for(Session, "do_orm_execute")
def _locked_rows_are_read_again(state: ORMExecuteState) -> None:
    """A row read FOR UPDATE overwrites what the session held of it: the lock is what makes the values
    current, and since a request's commit does not expire its objects (below), they may predate it."""
    if state.is_select and getattr(state.statement, "_for_update_arg", None) is not None:
        state.update_execution_options(populate_existing=True)


def _commit(session: scoped_session[Session]) -> None:
    """Commit. In a request the objects keep their values afterwards: they are what this transaction has
    just written, and the session ends with the request, so expiring them would only read them all again
    (the application, its service and version, the tenant) to build the response. Elsewhere (workers,
    commands, tests holding objects across requests) the commit expires them as usual."""
    if not has_request_context():
        session.commit()
        return
    current = session()
    previous, current.expire_on_commit = current.expire_on_commit, False
    try:
        current.commit()
    finally:
        current.expire_on_commit = previous


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the surrounding unit of work has committed (never on rollback)."""
    g.setdefault("_after_commit", []).append(callback)


def after_rollback(callback: Callable[[], None]) -> None:
    """Run `callback` if the surrounding unit of work rolls back (e.g. remove a file written for it)."""
    g.setdefault("_after_rollback", []).append(callback)


def _undo() -> None:
    for callback in g.pop("_after_rollback", []):
        callback()


@contextmanager
def unit_of_work() -> Iterator[scoped_session[Session]]:
    """Commit once at the end; roll back on any error; then run the queued after-commit work."""
    session = db.session
    outer = g.get("_uow_depth", 0)
    g._uow_depth = outer + 1
    try:
        yield session
        if outer == 0:
            _commit(session)
    except OperationalError as exc:
        session.rollback()
        _undo()
        if _is_lock_timeout(exc):
            raise Locked(_IN_USE) from exc
        raise
    except StaleDataError as exc:  # another transaction changed the row since it was read: a lost race
        session.rollback()
        _undo()
        raise StaleVersion("La pratica è cambiata nel frattempo: ricarica la pagina e riprova.") from exc
    except BaseException:
        session.rollback()
        _undo()
        raise
    finally:
        g._uow_depth = outer
        if outer == 0:
            pending = g.pop("_after_commit", [])
            g.pop("_after_rollback", None)  # committed: the files stay
    if outer == 0:
        for callback in pending:
            callback()
