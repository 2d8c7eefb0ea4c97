"""`email`: e-mail over SMTP, with a Message-ID that a retry repeats."""

from connectors.notifications.contrib.smtp.client import SmtpClient, message_id_for

__all__ = ["SmtpClient", "message_id_for"]
