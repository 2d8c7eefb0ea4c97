"""An application's process as its page draws it: the version's BPMN and the path taken so far."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

import engine
from webapp.models import Application
from webapp.services import applications, workshop


@dataclass(frozen=True)
class Diagram:
    version: int
    bpmn: str | None  # None: the version's files are not kept (published before the workshop)
    trail: engine.Trail
    items: list[workshop.TrailItem]


def _version_files(app: Application) -> dict[str, str]:
    version = app.service_version
    if version.files:
        return dict(version.files)
    # A version published before versions kept their files still names its process files, and those on
    # the shared lifecycle are read from the platform's library.
    return {"service.yaml": yaml.safe_dump(version.manifest, allow_unicode=True)}


def process_diagram(app: Application) -> Diagram | None:
    """The diagram with the completed and current elements; None when the engine state cannot be read."""
    try:
        trail = applications.restore(app).trail()
    except engine.EngineError:
        return None
    files = _version_files(app)
    names = workshop.element_names(files)
    items = [workshop.TrailItem(e, names.get(e.rsplit("/", 1)[-1]) or e, "completed") for e in trail.completed]
    items += [workshop.TrailItem(e, names.get(e.rsplit("/", 1)[-1]) or e, "current") for e in trail.current]
    return Diagram(app.service_version.version, workshop.main_bpmn(files), trail, items)
