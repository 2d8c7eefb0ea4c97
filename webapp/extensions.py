"""Process-wide extension objects, bound to an app in the factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Engine, event
from sqlalchemy.orm import DeclarativeBase

SQLITE_BUSY_MILLISECONDS = 30_000


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


def _serialise_sqlite_writes(engine: Engine) -> None:
    """SQLite (the demo's database) ignores SELECT ... FOR UPDATE, so two requests could both read a row
    and then race to write it. Every transaction there starts with BEGIN IMMEDIATE instead: the second
    waits for the first to commit and then reads what it wrote, as row locks give on PostgreSQL."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # pysqlite must not issue its own (deferred) BEGIN
        dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MILLISECONDS}")

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


STATEMENTS_HEADER = "X-SQL-Statements"


def _count_statements(app: Flask, engine: Engine) -> None:
    """Counted, not guessed: every statement the request sends (BEGIN and COMMIT are not statements the
    driver executes, so they are not in the count), for the benchmark and the tests that hold the line."""

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args: Any) -> None:
        if g:  # outside a request or app context (start-up, CLI) nothing is counted
            g._sql_statements = g.get("_sql_statements", 0) + 1

    @app.after_request
    def _header(response: Response) -> Response:
        response.headers[STATEMENTS_HEADER] = str(g.get("_sql_statements", 0))
        return response


def init_database(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _serialise_sqlite_writes(db.engine)
        if app.config.get("COUNT_SQL_STATEMENTS"):
            _count_statements(app, db.engine)
