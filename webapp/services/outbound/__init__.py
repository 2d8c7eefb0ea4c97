"""What leaves the platform: payments (pagoPA), notifications and the outbox relay, protocol
registration, and the connectors built from the configuration."""

from ._connectors import check_connectors, ec_fiscal_code, email_channel, protocol_register
from ._notifications import (
    DISPATCHER,
    EMAIL_TEMPLATES,
    INTEGRATION_REQUEST_EVENT,
    message_posted,
    on_application_status_changed,
    payment_due,
    preview_email,
    process_notice,
    queue_email,
    status_changed,
)
from ._payments import (
    all_paid,
    apply_marked_paid,
    apply_position,
    checkout_url,
    create_position,
    expire_pending,
    for_application,
    get_payment,
    list_payments,
    mark_paid,
    mark_paid_on_pagopa,
    notice_pdf,
    prepare_mark_paid,
    prepare_position,
    verify_receipt,
)
from ._protocol import register_document
from ._relay import STATUS_LABELS, deliver, pending_ids, recent_emails

__all__ = [
    "DISPATCHER", "EMAIL_TEMPLATES", "INTEGRATION_REQUEST_EVENT", "STATUS_LABELS", "all_paid", "apply_marked_paid",
    "apply_position", "check_connectors", "checkout_url", "create_position", "deliver", "ec_fiscal_code",
    "email_channel", "expire_pending", "for_application", "get_payment", "list_payments", "mark_paid",
    "mark_paid_on_pagopa",
    "message_posted", "notice_pdf", "on_application_status_changed", "payment_due", "pending_ids",
    "prepare_mark_paid", "prepare_position", "preview_email", "process_notice", "protocol_register", "queue_email",
    "recent_emails", "register_document", "status_changed", "verify_receipt",
]
