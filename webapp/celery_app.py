"""Celery bound to a Flask app: every task runs inside the app context."""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask, has_app_context
from kombu import Queue

# Two kinds of work, two queues, so a long export or sweep never sits in front of a citizen's mail:
# "interactive" is what a request leaves for after its commit (service calls, notifications), small
# and latency-sensitive; "sweeps" is periodic and bulk work (timers, redispatch, reconciliation).
INTERACTIVE, SWEEPS = "interactive", "sweeps"
ROUTES = {
    "webapp.run_service_call": {"queue": INTERACTIVE},
    "webapp.deliver_outbox": {"queue": INTERACTIVE},
    "webapp.sweep": {"queue": SWEEPS},
    "webapp.reconcile_payments": {"queue": SWEEPS},
}


def make_celery(app: Flask) -> Celery:
    class AppContextTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            # Called in-process from code already inside an app (a test, a CLI command, the demo's eager
            # work), the task runs in that app: Celery resolves a shared task through the last app made,
            # which need not be the caller's. A worker has no context, so it gets the app it was made for.
            if has_app_context():
                return self.run(*args, **kwargs)
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=AppContextTask)
    celery.conf.update(
        broker_url=app.config["CELERY_BROKER_URL"],
        task_ignore_result=True,
        task_acks_late=True,  # a worker killed mid-task leaves the message for another worker
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        task_queues=(Queue(INTERACTIVE), Queue(SWEEPS)),  # a worker without -Q consumes both
        task_default_queue=INTERACTIVE,
        task_routes=ROUTES,
        # With Redis, a message taken by a worker that then dies (SIGKILL, a machine gone) is handed to
        # another worker only after this many seconds; it must exceed the longest task (task_time_limit)
        # or a slow task would run twice at once.
        broker_transport_options={"visibility_timeout": app.config["CELERY_VISIBILITY_TIMEOUT"]},
        # Enqueueing happens after commit inside a web request: with the broker down, give up at once
        # (the work is safe in the database and the sweep sends it later) instead of keeping the citizen waiting.
        task_publish_retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.2},
        task_time_limit=120,  # a hard bound on anything that advances a workflow
        task_soft_time_limit=100,
        # One beat process runs the sweep; timers live in the database, so a restart loses nothing.
        beat_schedule={"sweep": {"task": "webapp.sweep", "schedule": app.config["SWEEP_SECONDS"]},
                       "reconcile-payments": {"task": "webapp.reconcile_payments",
                                              "schedule": app.config["PAGOPA_RECONCILE_SECONDS"]}},
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery
