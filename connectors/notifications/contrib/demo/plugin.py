"""`demo_app_io` and `demo_email`: the real channels against `connectors.simulators` (appio, smtp)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from connectors._demo import simulator_url
from connectors.notifications.contrib.app_io.client import AppIOChannel, AppIOClient
from connectors.notifications.contrib.smtp.client import SmtpClient
from connectors.notifications.registry import register

DEMO_SENDER = "noreply@comune.demo.it"


@register("demo_app_io", demo=True)
class DemoAppIOChannel(AppIOChannel):
    """The App IO simulator at APP_IO_URL (or one started in this process)."""

    @classmethod
    def from_config(cls, config: Mapping[str, Any], /, **context: Any) -> Self:
        return cls(AppIOClient.for_simulator(simulator_url(config.get("APP_IO_URL"), "appio")))


@register("demo_email", demo=True)
class DemoEmail(SmtpClient):
    """The SMTP sink simulator started in this process; MAIL_SENDER if set."""

    @classmethod
    def from_config(cls, config: Mapping[str, Any], /, **context: Any) -> Self:
        host, _, port = simulator_url(None, "smtp").removeprefix("smtp://").rpartition(":")
        return cls(host=host, port=int(port), sender=str(config.get("MAIL_SENDER") or DEMO_SENDER))
