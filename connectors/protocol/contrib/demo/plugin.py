"""`demo`: the REST protocol client against `connectors.simulators.protocol`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from connectors._demo import simulator_url
from connectors.protocol.contrib.rest.client import RestProtocolClient
from connectors.protocol.registry import register


@register("demo", demo=True)
class DemoProtocolRegister(RestProtocolClient):
    """The simulated register at PROTOCOL_URL (or one started in this process)."""

    @classmethod
    def from_config(cls, config: Mapping[str, Any], /, **context: Any) -> Self:
        return cls.for_simulator(simulator_url(config.get("PROTOCOL_URL"), "protocol"))
