"""Simulators of the external systems: small HTTP services on a loopback port.

    sim = start("pagopa", port=0, receipt_url=..., webhook_secret=...)
    sim.url, sim.app (state, fail_next, advance_clock...), sim.stop()

Command line: ``python -m connectors.simulators {pagopa|protocol|appio|smtp|all} --port N``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

from connectors.simulators import smtp
from connectors.simulators._server import RunningSimulator, SimulatorApp
from connectors.simulators.app_io import AppIOSimulator
from connectors.simulators.checkout_page import DECLINED_CARD, SUCCESS_CARD
from connectors.simulators.pagopa import PagoPASimulator
from connectors.simulators.protocol import ProtocolSimulator

__all__ = [
    "DECLINED_CARD",
    "NAMES",
    "SUCCESS_CARD",
    "AppIOSimulator",
    "PagoPASimulator",
    "ProtocolSimulator",
    "Running",
    "RunningSimulator",
    "shared",
    "start",
    "start_appio",
    "start_pagopa",
    "start_protocol",
    "start_smtp",
]

NAMES = ("pagopa", "protocol", "appio", "smtp")


class Running(Protocol):
    url: str

    def stop(self) -> None: ...


def start_pagopa(host: str = "127.0.0.1", port: int = 0, **options: Any) -> RunningSimulator[PagoPASimulator]:
    return RunningSimulator(PagoPASimulator(**options), host, port)


def start_protocol(host: str = "127.0.0.1", port: int = 0, **options: Any) -> RunningSimulator[ProtocolSimulator]:
    return RunningSimulator(ProtocolSimulator(**options), host, port)


def start_appio(host: str = "127.0.0.1", port: int = 0, **options: Any) -> RunningSimulator[AppIOSimulator]:
    return RunningSimulator(AppIOSimulator(**options), host, port)


def start_smtp(host: str = "127.0.0.1", port: int = 0, **options: Any) -> smtp.RunningSmtpSink:
    return smtp.start(host, port, **options)


_STARTERS: dict[str, Callable[..., Running]] = {
    "pagopa": start_pagopa, "protocol": start_protocol, "appio": start_appio, "smtp": start_smtp}
_SHARED: dict[str, Running] = {}
_SHARED_LOCK = threading.Lock()


def start(name: str, host: str = "127.0.0.1", port: int = 0, **options: Any) -> Running:
    """Start the simulator `name` on `host:port` (0 = a free port)."""
    try:
        starter = _STARTERS[name]
    except KeyError:
        raise ValueError(f"unknown simulator {name!r}; one of {', '.join(NAMES)}") from None
    running: Running = starter(host, port, **options)
    return running


def shared(name: str) -> Running:
    """One simulator of each kind per process, started on first use (the demo plugins)."""
    with _SHARED_LOCK:
        if name not in _SHARED:
            _SHARED[name] = start(name)
        return _SHARED[name]


def app_of(running: Running) -> SimulatorApp | None:
    return getattr(running, "app", None)
