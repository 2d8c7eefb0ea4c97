"""Celery tasks run inside a Flask app: the caller's when called in-process, their own in a worker."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app


def test_a_task_called_inside_an_app_runs_in_that_app_not_the_last_one_made(app: Flask, make_app: Any) -> None:
    later = make_app()  # made after `app`: Celery's default app is now this one's
    seen: list[Flask] = []

    @later.extensions["celery"].task(name="tests.which_app")
    def which_app() -> None:
        seen.append(current_app._get_current_object())  # type: ignore[attr-defined]

    with app.app_context():
        which_app()
    which_app()  # no context around it, as in a worker: the app the task was made for
    assert seen == [app, later]


def test_the_sweep_task_in_process_purges_the_callers_database(app: Flask, make_app: Any) -> None:
    from webapp.tasks import sweep_task

    make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none")  # unreachable, made last
    with app.app_context():
        assert sweep_task()  # would fail connecting through the unreachable app's database
