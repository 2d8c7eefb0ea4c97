"""The citizen portal: /<tenant>/... service pages, login, forms, Area personale."""

from webapp.views.citizen import area, auth, booking, catalogue, feedback, forms_flow, payments, saml, tasks
from webapp.views.citizen.blueprint import bp

__all__ = ["area", "auth", "booking", "bp", "catalogue", "feedback", "forms_flow", "payments", "saml", "tasks"]
