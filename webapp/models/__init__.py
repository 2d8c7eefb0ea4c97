"""Database models. Models only flush; the services layer owns the one commit."""

from webapp.models import backoffice  # noqa: F401 - its tables register on the metadata
from webapp.models.applications import (
    CALL_CANCELLED,
    CALL_DONE,
    CALL_FAILED,
    CALL_PENDING,
    TASK_CANCELLED,
    TASK_COMPLETED,
    TASK_READY,
    Application,
    ProcessTask,
    ServiceCallRow,
    StatusChange,
)
from webapp.models.audit import AuditEvent
from webapp.models.calendars import Calendar, Closure, Meeting, OpeningHour, operator_calendars
from webapp.models.catalogue import ProcessDefinition, SandboxRun, Service, ServiceDraft, ServiceVersion
from webapp.models.feedback import ServiceRating
from webapp.models.messages import (
    APPLICANT,
    INTERNAL,
    Attachment,
    Message,
    ProtocolCounter,
    ProtocolRegistration,
)
from webapp.models.outbox import OutboxMessage
from webapp.models.payments import NoticeCounter, Payment, StampUse
from webapp.models.saml import SamlAssertion, SamlKeyPair, SamlRequest
from webapp.models.tenancy import Office, Tenant, office_services
from webapp.models.users import (
    ADMIN,
    CITIZEN,
    MANAGER,
    OPERATOR,
    STAFF_ROLES,
    LoginSession,
    User,
    operator_services,
)

__all__ = [
    "ADMIN",
    "APPLICANT",
    "CALL_CANCELLED",
    "CALL_DONE",
    "CALL_FAILED",
    "CALL_PENDING",
    "CITIZEN",
    "INTERNAL",
    "MANAGER",
    "OPERATOR",
    "STAFF_ROLES",
    "TASK_CANCELLED",
    "TASK_COMPLETED",
    "TASK_READY",
    "Application",
    "Attachment",
    "AuditEvent",
    "Calendar",
    "Closure",
    "LoginSession",
    "Meeting",
    "Message",
    "NoticeCounter",
    "Office",
    "OpeningHour",
    "OutboxMessage",
    "Payment",
    "ProcessDefinition",
    "ProcessTask",
    "ProtocolCounter",
    "ProtocolRegistration",
    "SamlAssertion",
    "SamlKeyPair",
    "SamlRequest",
    "SandboxRun",
    "Service",
    "ServiceCallRow",
    "ServiceDraft",
    "ServiceRating",
    "ServiceVersion",
    "StampUse",
    "StatusChange",
    "Tenant",
    "User",
    "office_services",
    "operator_calendars",
    "operator_services",
]
