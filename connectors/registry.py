"""A typed plugin registry: families (payment, protocol, notification) of named factories.

    register("payment", "my-partner", factory)        # factory(**config) -> PaymentGateway
    gateway = get("payment", "pagopa", ec_fiscal_code=..., subscription_key=...)

Every family has a "demo" plugin backed by the in-repo simulators; with no `url` in its config
it starts a shared simulator in this process (for `make demo` and tests).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, overload

from connectors.notification import MessageChannel
from connectors.payment import PaymentGateway
from connectors.protocol import ProtocolRegister

Family = Literal["payment", "protocol", "notification"]
FAMILIES: dict[str, type] = {"payment": PaymentGateway, "protocol": ProtocolRegister,
                             "notification": MessageChannel}
Factory = Callable[..., Any]

_REGISTRY: dict[str, dict[str, Factory]] = {family: {} for family in FAMILIES}


class UnknownConnector(LookupError):
    """No connector of that name in that family."""


def register(family: Family, name: str, factory: Factory, *, replace: bool = False) -> None:
    """Add a connector factory. Names are unique per family unless `replace=True`."""
    if family not in _REGISTRY:
        raise UnknownConnector(f"unknown family {family!r}")
    if name in _REGISTRY[family] and not replace:
        raise ValueError(f"{family} connector {name!r} is already registered")
    _REGISTRY[family][name] = factory


def unregister(family: Family, name: str) -> None:
    _REGISTRY[family].pop(name, None)


def names(family: Family) -> tuple[str, ...]:
    """The registered names of a family, sorted."""
    return tuple(sorted(_REGISTRY[family]))


@overload
def get(family: Literal["payment"], name: str, /, **config: Any) -> PaymentGateway: ...
@overload
def get(family: Literal["protocol"], name: str, /, **config: Any) -> ProtocolRegister: ...
@overload
def get(family: Literal["notification"], name: str, /, **config: Any) -> MessageChannel: ...
def get(family: Family, name: str, /, **config: Any) -> Any:
    """Build the connector `name` of `family` with `config`; check it speaks the family protocol."""
    try:
        factory = _REGISTRY[family][name]
    except KeyError:
        raise UnknownConnector(f"no {family} connector named {name!r}") from None
    connector = factory(**config)
    if not isinstance(connector, FAMILIES[family]):
        raise TypeError(f"{family} connector {name!r} does not implement {FAMILIES[family].__name__}")
    return connector
