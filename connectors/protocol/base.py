"""The protocol family (protocollo informatico): documents in, numbers out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


@dataclass(frozen=True)
class DocumentFile:
    filename: str
    mime_type: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class Correspondent:
    """Sender (inbound) or recipient (outbound). Personal data: never logged."""

    name: str = field(repr=False)
    fiscal_code: str | None = field(default=None, repr=False)
    email: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Folder:
    """A *fascicolo*; `number`/`code` come back from the register when it creates one."""

    number: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class ProtocolDocument:
    subject: str
    main: DocumentFile
    correspondent: Correspondent
    attachments: tuple[DocumentFile, ...] = ()
    classification: str | None = None
    office: str | None = None
    folder: Folder | None = None
    create_folder: bool = False
    kind: str = "application"  # application | integration | outcome | message | withdrawal


@dataclass(frozen=True)
class ProtocolReceipt:
    """Number and date given by the register (D.P.R. 445/2000 art. 53/57)."""

    protocol_number: str
    year: int
    registered_at: datetime
    document_id: str
    direction: Direction
    fingerprint: str
    folder: Folder | None = None


@runtime_checkable
class ProtocolRegister(Protocol):
    def register_inbound(self, doc: ProtocolDocument, *, idempotency_key: str) -> ProtocolReceipt: ...

    def register_outbound(self, doc: ProtocolDocument, *, idempotency_key: str,
                          in_folder: Folder | None = None) -> ProtocolReceipt: ...

    def add_to_folder(self, document_id: str, folder: Folder, *, idempotency_key: str) -> None: ...
