"""The demo's outside world: the pagoPA, protocol and App IO simulators on loopback, and the sweep.

Only `python -m webapp demo` uses this; production points the connectors at the real systems.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Flask

from connectors.simulators import start_appio, start_pagopa, start_protocol
from webapp.services.jobs import sweep

DEMO_WEBHOOK_SECRET = "demo-webhook-secret"  # noqa: S105 - the simulators' demo secret, never production


def start_simulators(port: int, tenant_slug: str) -> tuple[dict[str, Any], list[Any]]:
    """Start the simulators; return the configuration that points the connectors at them."""
    receipts = f"http://127.0.0.1:{port}/{tenant_slug}/webhooks/pagopa"
    pagopa = start_pagopa(receipt_url=receipts, webhook_secret=DEMO_WEBHOOK_SECRET)
    protocol = start_protocol(webhook_secret=DEMO_WEBHOOK_SECRET,
                              callback_url=f"http://127.0.0.1:{port}/{tenant_slug}/webhooks/protocol")
    appio = start_appio()
    config = {"PAYMENT_CONNECTOR": "demo", "PAGOPA_GPD_URL": pagopa.url, "PAGOPA_WEBHOOK_SECRET": DEMO_WEBHOOK_SECRET,
              "PROTOCOL_CONNECTOR": "demo", "PROTOCOL_URL": protocol.url,
              "PROTOCOL_WEBHOOK_SECRET": DEMO_WEBHOOK_SECRET, "APP_IO_CONNECTOR": "demo_app_io",
              "APP_IO_URL": appio.url}
    return config, [pagopa, protocol, appio]


def start_sweeper(app: Flask) -> threading.Thread:
    """Background work in-process: what Celery beat does in production (timers, leftovers)."""
    def loop() -> None:
        while True:
            time.sleep(app.config["SWEEP_SECONDS"])
            with app.app_context():
                try:
                    sweep()
                except Exception:  # the demo keeps serving; the error is in the log
                    app.logger.exception("demo sweep failed")

    thread = threading.Thread(target=loop, name="demo-sweep", daemon=True)
    thread.start()
    return thread
