"""Server-rendered pages. For now: the home page of each tenant with its service catalogue."""

from __future__ import annotations

from flask import Blueprint, render_template

from webapp.extensions import db
from webapp.models import Tenant
from webapp.services import catalogue
from webapp.services.tenancy import get_tenant

bp = Blueprint("views", __name__, template_folder="templates")


@bp.get("/")
def index() -> str:
    tenants = list(db.session.scalars(db.select(Tenant).order_by(Tenant.name)))
    return render_template("index.html", tenants=tenants)


@bp.get("/<tenant>/")
def tenant_home(tenant: str) -> str:
    ente = get_tenant(tenant)
    return render_template("tenant_home.html", tenant=ente, services=catalogue.list_services(ente))
