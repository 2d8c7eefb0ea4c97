"""The platform's signals (blinker, as Flask uses): what one feature announces and others react to.

Receivers are connected in one place, `webapp.app.connect_receivers`, at start-up. blinker does not
promise an order of receivers: none may depend on another having run. What must happen first (the
automatic assignment to an office, before anyone is told) is a direct call in the use case instead.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

application_status_changed = _signals.signal("application-status-changed")
"""Sent by `applications.persist` when a step of the process entered one or more statuses.

sender: the `Application`, already carrying its new status and waits (inside the unit of work, not
yet committed: receivers add to the same transaction, e.g. e-mails through the outbox).
previous_status: the status before the step (a new application is a draft before its first step).
changes: the history rows (`StatusChange`) of the statuses entered, in order.
"""
