"""Background work: service tasks run with retries and incidents, the operations they perform,
the periodic sweep, the payments' reconciliation, receipts."""

from ._calls import (
    incidents,
    receive_protocol_callback,
    retry_incident,
    run_service_call,
    verify_callback,
)
from ._receipts import render_receipt
from ._reconcile import reconcile_payments
from ._sweeps import sweep

__all__ = [
    "incidents", "receive_protocol_callback", "reconcile_payments", "render_receipt", "retry_incident",
    "run_service_call", "sweep", "verify_callback",
]
