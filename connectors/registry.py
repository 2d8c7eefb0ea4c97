"""The plugin registry over the three families (payments, protocol, notifications).

    connectors.register("payments", "my-partner", MyPartnerGateway)   # a class with from_config
    gateway = connectors.build("payments", "pagopa", config, ec_fiscal_code="...")

`config` is the deployment's configuration (a mapping of its keys: PAGOPA_*, PROTOCOL_*, APP_IO_*,
MAIL_*); each plugin's `from_config` reads the keys it needs. Demo plugins, which talk to the
in-repo simulators, are built only when `config["ALLOW_DEMO_CONNECTORS"]` is true.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, overload

from connectors._plugins import Registry
from connectors.errors import UnknownConnector
from connectors.notifications.base import MessageChannel
from connectors.notifications.registry import register as _notifications
from connectors.payments.base import PaymentGateway
from connectors.payments.registry import register as _payments
from connectors.protocol.base import ProtocolRegister
from connectors.protocol.registry import register as _protocol

Family = Literal["payments", "protocol", "notifications"]
FAMILIES: tuple[Family, ...] = ("payments", "protocol", "notifications")
_REGISTRIES: dict[str, Registry[Any]] = {"payments": _payments, "protocol": _protocol,
                                         "notifications": _notifications}


def _family(family: str) -> Registry[Any]:
    try:
        return _REGISTRIES[family]
    except KeyError:
        raise UnknownConnector(f"unknown connector family {family!r}; one of {', '.join(FAMILIES)}") from None


def register(family: Family, name: str, plugin: Any, *, demo: bool = False, replace: bool = False) -> None:
    """Add a plugin (a class with `from_config(config, **context)`). Names are unique per family
    unless `replace=True`; `demo=True` marks one that only demo and test configurations may build."""
    _family(family).add(name, plugin, demo=demo, replace=replace)


def unregister(family: Family, name: str) -> None:
    _family(family).remove(name)


def names(family: Family, config: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """The registered names of a family, sorted; with a `config`, only those it may build."""
    return _family(family).names(config)


def is_demo(family: Family, name: str) -> bool:
    return _family(family).is_demo(name)


@overload
def build(family: Literal["payments"], name: str, config: Mapping[str, Any], /,
          **context: Any) -> PaymentGateway: ...
@overload
def build(family: Literal["protocol"], name: str, config: Mapping[str, Any], /,
          **context: Any) -> ProtocolRegister: ...
@overload
def build(family: Literal["notifications"], name: str, config: Mapping[str, Any], /,
          **context: Any) -> MessageChannel: ...
def build(family: Family, name: str, config: Mapping[str, Any], /, **context: Any) -> Any:
    """The connector `name` of `family`, built by its plugin from `config` and `context`.

    Raises `UnknownConnector`, `DemoNotAllowed`, or `ConfigurationError` (a key missing); the
    connector is checked against the family protocol."""
    return _family(family).build(name, config, **context)
