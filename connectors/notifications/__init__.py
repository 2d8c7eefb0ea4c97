"""The notifications family: App IO messages and e-mail behind one `MessageChannel` protocol.

Plugins: `app_io` (`contrib/app_io/`), `email` (SMTP, `contrib/smtp/`), and `demo_app_io` and
`demo_email` on their simulators (`contrib/demo/`).
"""

from connectors.notifications import contrib  # noqa: F401 (importing it registers the plugins that ship)
from connectors.notifications.base import (
    Attachment,
    MessageChannel,
    Notification,
    Notifier,
    PaymentData,
    SendResult,
)
from connectors.notifications.registry import register

__all__ = [
    "Attachment",
    "MessageChannel",
    "Notification",
    "Notifier",
    "PaymentData",
    "SendResult",
    "register",
]
