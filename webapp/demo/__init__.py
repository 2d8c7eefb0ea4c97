"""The demo Comune: its seeded services, people and applications, and the simulators of the outside
world. Only `python -m webapp demo` and the tests use it; production code never imports it."""

from ._applications import PLAN, seed_demo_applications
from ._seed import seed_demo
from ._simulators import start_simulators, start_sweeper

__all__ = [
    "PLAN", "seed_demo", "seed_demo_applications", "start_simulators", "start_sweeper",
]
