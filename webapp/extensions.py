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


def engine_options(config: Any) -> dict[str, Any]:
    """Pool sized per process; nothing kept on a server connection between transactions (no SET, no
    advisory lock, and with DB_PREPARE_THRESHOLD=none no prepared statement), so PgBouncer in
    transaction mode can hand each transaction to any server connection."""
    url = str(config["SQLALCHEMY_DATABASE_URI"])
    if not url.startswith("postgresql"):
        return {}
    threshold = str(config["DB_PREPARE_THRESHOLD"]).strip().lower()
    return {"pool_size": int(config["DB_POOL_SIZE"]), "max_overflow": int(config["DB_MAX_OVERFLOW"]),
            "pool_recycle": int(config["DB_POOL_RECYCLE"]),
            "connect_args": {"prepare_threshold": None if threshold in {"none", ""} else int(threshold)}}


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
    options = engine_options(app.config)
    if options:  # explicit SQLALCHEMY_ENGINE_OPTIONS win, key by key
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _serialise_sqlite_writes(db.engine)
        if app.config.get("COUNT_SQL_STATEMENTS"):
            _count_statements(app, db.engine)
