"""Project parameters: the name/value pairs ``get_parameter`` reads (services, no HTTP)."""

from __future__ import annotations

import re

from django.db import transaction

from config.exceptions import DomainError
from ide.models import Project, ProjectParameter

#: a parameter name as LEAN algorithms spell them (letters, digits, ``_``, ``-``, ``.``).
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$")


def project_parameters(*, project: Project) -> dict[str, str]:
    """``{name: value}`` of the project, the values a plain backtest runs with."""
    return dict(ProjectParameter.objects.filter(project=project).values_list("name", "value"))


def project_parameters_replace(*, project: Project, values: dict[str, object]) -> dict[str, str]:
    """Replace the project's parameters with ``values`` (the IDE saves the whole table).

    Values are stored as strings, as LEAN passes them; ``get_parameter`` converts them to
    the type of its default.
    """
    cleaned: dict[str, str] = {}
    for name, value in values.items():
        name = str(name).strip()
        if not NAME.match(name):
            raise DomainError(f"invalid parameter name {name!r}")
        cleaned[name] = "" if value is None else str(value)[:256]
    with transaction.atomic():
        ProjectParameter.objects.filter(project=project).exclude(name__in=cleaned).delete()
        for name, value in cleaned.items():
            ProjectParameter.objects.update_or_create(
                project=project, name=name, defaults={"value": value}
            )
    return project_parameters(project=project)
