"""Database pool per process, PgBouncer-compatible connections, and Celery's two queues."""

from __future__ import annotations

from typing import Any

from flask import Flask

from webapp.celery_app import INTERACTIVE, SWEEPS
from webapp.extensions import db


def test_pool_size_and_prepared_statements_come_from_configuration(app: Flask, make_app: Any) -> None:
    bouncer = make_app(DB_POOL_SIZE=3, DB_MAX_OVERFLOW=1, DB_PREPARE_THRESHOLD="none")
    with bouncer.app_context():
        assert db.engine.pool.size() == 3 and db.engine.pool._max_overflow == 1  # type: ignore[attr-defined]
        with db.engine.connect() as connection:
            # PgBouncer in transaction mode: a statement prepared on one server connection is unknown on the next
            assert connection.connection.driver_connection.prepare_threshold is None  # type: ignore[union-attr]
    with app.app_context(), db.engine.connect() as connection:
        assert connection.connection.driver_connection.prepare_threshold == 5  # type: ignore[union-attr]


def test_after_commit_work_and_sweeps_go_to_their_own_queues(app: Flask) -> None:
    celery = app.extensions["celery"]
    route = celery.amqp.router.route
    for task in ("webapp.run_service_call", "webapp.deliver_outbox"):
        assert route({}, task)["queue"].name == INTERACTIVE
    for task in ("webapp.sweep", "webapp.reconcile_payments"):
        assert route({}, task)["queue"].name == SWEEPS
    assert {queue.name for queue in celery.conf.task_queues} == {INTERACTIVE, SWEEPS}
    assert celery.conf.broker_transport_options["visibility_timeout"] > celery.conf.task_time_limit
