"""Celery tasks: ids in, idempotent, bounded retries with backoff."""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from celery import Celery, Task, shared_task

from webapp.services import people
from webapp.services.jobs import reconcile_payments, run_service_call, sweep
from webapp.services.outbound import deliver

log = logging.getLogger(__name__)
RETRY_BASE_SECONDS = 2


@shared_task(bind=True, name="webapp.run_service_call", max_retries=None)
def run_service_call_task(self: Task, call_id: str) -> str:
    outcome = run_service_call(call_id)
    if outcome == "retry":
        raise self.retry(countdown=RETRY_BASE_SECONDS * 2**self.request.retries)
    return outcome


@shared_task(bind=True, name="webapp.deliver_outbox", max_retries=None)
def deliver_outbox_task(self: Task, outbox_id: str) -> str:
    outcome = deliver(outbox_id)
    if outcome == "retry":
        raise self.retry(countdown=min(300, RETRY_BASE_SECONDS * 2**self.request.retries))
    return outcome


@shared_task(name="webapp.sweep")
def sweep_task() -> str:
    people.saml.purge_expired()  # housekeeping: requests and assertions that can no longer matter
    return str(sweep())


@shared_task(name="webapp.reconcile_payments")
def reconcile_payments_task() -> str:
    return str(reconcile_payments())


def _send(celery: Celery, task_name: str, item_id: str) -> None:
    try:
        celery.send_task(task_name, args=[item_id])
    except Exception as exc:  # broker down: the row stays 'pending' and the sweep re-enqueues it
        log.warning("could not enqueue %s %s: %s", task_name, item_id, type(exc).__name__)


# The response does not wait for the broker: after the commit the ids go to one sender thread per process,
# which hands them to Redis in order. The rows are committed first, so an enqueue lost with the process
# (killed before its thread sent it) is a row still 'pending' that the sweep re-enqueues, as when the
# broker is down. Made on first use, so that each gunicorn worker (a fork) has its own thread.
_SENDER: tuple[int, ThreadPoolExecutor] | None = None
_SENDER_LOCK = threading.Lock()


def _sender() -> ThreadPoolExecutor:
    global _SENDER
    with _SENDER_LOCK:
        if _SENDER is None or _SENDER[0] != os.getpid():
            _SENDER = (os.getpid(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="enqueue"))
        return _SENDER[1]


def _enqueue(celery: Celery, task_name: str, item_id: str) -> None:
    try:
        _sender().submit(_send, celery, task_name, item_id)
    except RuntimeError:  # the interpreter is shutting down: send it now
        _send(celery, task_name, item_id)


def dispatch_outbox(celery: Celery, outbox_id: str, *, eager: bool) -> None:
    """After commit. In the demo, one in-process attempt; a failed one stays pending for the sweep."""
    if eager:
        deliver(outbox_id)
    else:
        _enqueue(celery, deliver_outbox_task.name, outbox_id)


def dispatch_service_call(celery: Celery, call_id: str, *, eager: bool) -> None:
    """After commit: in-process for the demo, through this app's broker otherwise."""
    if eager:
        while run_service_call(call_id) == "retry":
            pass  # the row's attempt bound ends the loop with 'failed'
    else:
        _enqueue(celery, run_service_call_task.name, call_id)
