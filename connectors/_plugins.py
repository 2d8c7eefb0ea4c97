"""The registry of one plugin family: named plugin classes that build themselves from configuration.

    register = Registry("payments", PaymentGateway)      # in connectors/payments/registry.py

    @register("pagopa")
    class PagoPAClient:
        @classmethod
        def from_config(cls, config: Mapping[str, Any], /, **context: Any) -> PagoPAClient: ...

A plugin registered with `demo=True` talks to the in-repo simulators; `build` refuses it unless the
configuration sets `ALLOW_DEMO_CONNECTORS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from connectors.errors import ConfigurationError, DemoNotAllowed, UnknownConnector

ALLOW_DEMO = "ALLOW_DEMO_CONNECTORS"
T = TypeVar("T")
P = TypeVar("P", bound=type[Any])


@dataclass(frozen=True)
class _Entry:
    plugin: Any  # a class (or any object) with `from_config(config, **context)`
    demo: bool


def demo_allowed(config: Mapping[str, Any]) -> bool:
    return config.get(ALLOW_DEMO) is True


def require(config: Mapping[str, Any], *keys: str, plugin: str) -> list[str]:
    """The values of `keys` as text, or a `ConfigurationError` naming every key missing or empty."""
    missing = [key for key in keys if config.get(key) in (None, "")]
    if missing:
        raise ConfigurationError(f"{plugin}: missing configuration {', '.join(missing)}")
    return [str(config[key]) for key in keys]


class Registry(Generic[T]):
    """Plugins of one family, each checked against the family protocol when built."""

    def __init__(self, family: str, protocol: type) -> None:
        self.family = family
        self.protocol = protocol
        self._entries: dict[str, _Entry] = {}

    def __call__(self, name: str, *, demo: bool = False) -> Callable[[P], P]:
        """Register the decorated class under `name`."""
        def decorate(plugin: P) -> P:
            self.add(name, plugin, demo=demo)
            return plugin
        return decorate

    def add(self, name: str, plugin: Any, *, demo: bool = False, replace: bool = False) -> None:
        """Names are unique in a family unless `replace=True`."""
        if not callable(getattr(plugin, "from_config", None)):
            raise TypeError(f"{self.family} plugin {name!r} has no from_config(config, **context)")
        if name in self._entries and not replace:
            raise ValueError(f"{self.family} connector {name!r} is already registered")
        self._entries[name] = _Entry(plugin, demo)

    def remove(self, name: str) -> None:
        self._entries.pop(name, None)

    def names(self, config: Mapping[str, Any] | None = None) -> tuple[str, ...]:
        """The registered names, sorted; with a `config`, only those it allows (demo ones or not)."""
        hide_demo = config is not None and not demo_allowed(config)
        return tuple(sorted(name for name, entry in self._entries.items() if not (hide_demo and entry.demo)))

    def is_demo(self, name: str) -> bool:
        return self._entry(name).demo

    def build(self, name: str, config: Mapping[str, Any], /, **context: Any) -> T:
        """The connector `name`, built by its plugin from `config` (and `context`, e.g. a tenant's code)."""
        entry = self._entry(name)
        if entry.demo and not demo_allowed(config):
            raise DemoNotAllowed(f"{self.family} connector {name!r} is a demo (it talks to the simulators); "
                                 f"set {ALLOW_DEMO} to use it")
        connector = entry.plugin.from_config(config, **context)
        if not isinstance(connector, self.protocol):
            raise TypeError(f"{self.family} connector {name!r} does not implement {self.protocol.__name__}")
        return cast(T, connector)

    def _entry(self, name: str) -> _Entry:
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownConnector(f"no {self.family} connector named {name!r}; "
                                   f"one of {', '.join(sorted(self._entries))}") from None
