"""The protocol family (protocollo informatico): the `ProtocolRegister` protocol and its dataclasses.

Plugins: `rest` (an external register's REST API, `contrib/rest/`) and `demo` (its simulator).
"""

from connectors.protocol.base import (
    Correspondent,
    Direction,
    DocumentFile,
    Folder,
    ProtocolDocument,
    ProtocolReceipt,
    ProtocolRegister,
)
from connectors.protocol.contrib.rest import fingerprint  # importing contrib registers its plugins
from connectors.protocol.registry import register

__all__ = [
    "Correspondent",
    "Direction",
    "DocumentFile",
    "Folder",
    "ProtocolDocument",
    "ProtocolReceipt",
    "ProtocolRegister",
    "fingerprint",
    "register",
]
