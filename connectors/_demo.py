"""What the demo plugins share: the simulator they talk to."""

from __future__ import annotations

from typing import Any


def simulator_url(configured: Any, simulator: str) -> str:
    """The simulator at the configured URL, else one shared simulator started in this process."""
    if configured:
        return str(configured)
    from connectors.simulators import shared  # lazy: only the demo plugins start simulators

    return shared(simulator).url
