"""Simulators on free loopback ports, a webhook receiver, and an aiosmtpd sink."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from connectors.payments.contrib.pagopa import PagoPAClient
from connectors.simulators import (
    AppIOSimulator,
    PagoPASimulator,
    ProtocolSimulator,
    RunningSimulator,
     start_appio,
    start_pagopa,
    start_protocol,
)
from tests.connectors.helpers import EC, SECRET


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]


@dataclass
class WebhookReceiver:
    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 200

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.received)


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.received.append(Received(body, dict(self.headers.items())))
            self.send_response(receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks/pagopa"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def pagopa_sim(webhook: WebhookReceiver) -> Iterator[RunningSimulator[PagoPASimulator]]:
    sim = start_pagopa(subscription_key="gpd-key", receipt_url=webhook.url, webhook_secret=SECRET)
    yield sim
    sim.stop()


@pytest.fixture
def pagopa(pagopa_sim: RunningSimulator[PagoPASimulator]) -> PagoPAClient:
    return PagoPAClient.for_simulator(pagopa_sim.url, ec_fiscal_code=EC, subscription_key="gpd-key")


@pytest.fixture
def protocol_sim() -> Iterator[RunningSimulator[ProtocolSimulator]]:
    sim = start_protocol(token="proto-token")
    yield sim
    sim.stop()


@pytest.fixture
def appio_sim() -> Iterator[RunningSimulator[AppIOSimulator]]:
    sim = start_appio(api_key="io-key")
    yield sim
    sim.stop()
