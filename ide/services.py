"""Projects, files and builds: the writes of the ide app.

The tier's file limits (files per project, bytes per file) are enforced on every write.
"""

from __future__ import annotations

import posixpath
import time
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from accounts.models import Organization
from backtesting.engine.loader import ARTIFACT_MAGIC, pack_artifact
from config.exceptions import Conflict, DomainError, QuotaExceeded
from ide.build import Diagnostic, build_sources, has_errors, sources_hash
from ide.models import BuildArtifact, Project, ProjectFile


@dataclass
class BuildResult:
    """What a build returns: diagnostics always, an artifact when there is no error."""

    success: bool
    diagnostics: list[Diagnostic] = field(default_factory=list)
    artifact: BuildArtifact | None = None
    #: the sources that were checked (and compiled into ``artifact``).
    sources: dict[str, str] = field(default_factory=dict)
    #: milliseconds spent checking them (compile + pyflakes; the response's Server-Timing)
    check_ms: float = 0.0


def project_create(
    *,
    organization: Organization,
    user: AbstractBaseUser | None,
    name: str,
    files: list[tuple[str, str]] | None = None,
) -> Project:
    """Create a project with its files (a ``main.py`` stub when none are given)."""
    files = files or [("main.py", "")]
    with transaction.atomic():
        project = Project.objects.create(organization=organization, name=name, created_by=user)
        for file_name, content in files:
            file_save(project=project, name=file_name, content=content)
    return project


def project_rename(*, project: Project, name: str) -> Project:
    """Rename a project (names need not be unique)."""
    project.name = name
    project.save(update_fields=["name", "updated_at"])
    return project


def project_delete(*, project: Project) -> None:
    """Delete a project, refused while one of its backtests holds a node."""
    if project.backtests.filter(status__in=("queued", "running")).exists():
        raise Conflict("the project has a backtest in progress; stop it first")
    project.delete()


def file_save(*, project: Project, name: str, content: str) -> ProjectFile:
    """Create or replace ``name`` in the project within the tier's file limits."""
    name = _clean_file_name(name)
    tier = project.organization.tier
    size = len(content.encode())
    if size > tier.max_file_bytes:
        raise QuotaExceeded(
            f"The {tier.name} tier allows files of up to {tier.max_file_bytes // 1024} KB",
            quota="max_file_bytes",
            tier=tier.name,
            limit=tier.max_file_bytes,
        )
    with transaction.atomic():
        existing = (
            ProjectFile.objects.select_for_update().filter(project=project, name=name).first()
        )
        if existing is not None:
            existing.content = content
            existing.save(update_fields=["content", "updated_at"])
            project.save(update_fields=["updated_at"])
            return existing
        if project.files.count() >= tier.files_per_project:
            raise QuotaExceeded(
                f"The {tier.name} tier allows {tier.files_per_project} files per project",
                quota="files_per_project",
                tier=tier.name,
                limit=tier.files_per_project,
            )
        created = ProjectFile.objects.create(project=project, name=name, content=content)
        project.save(update_fields=["updated_at"])
    return created


def file_rename(*, project_file: ProjectFile, name: str) -> ProjectFile:
    """Rename a file; a name already taken in the project is a conflict."""
    name = _clean_file_name(name)
    project_file.name = name
    try:
        with transaction.atomic():
            project_file.save(update_fields=["name", "updated_at"])
    except IntegrityError:
        raise Conflict(f"a file named {name!r} already exists")
    return project_file


def file_delete(*, project_file: ProjectFile) -> None:
    """Delete a file; ``main.py`` stays, since it holds the algorithm."""
    if project_file.name == "main.py":
        raise Conflict("main.py holds the algorithm and cannot be deleted")
    project_file.delete()


def build_project(*, project: Project) -> BuildResult:
    """Check the project's sources and, when they have no error, store (or reuse) its artifact.

    An artifact is keyed by the sources' hash and the interpreter's magic number, so an
    unchanged project is never compiled twice and an interpreter upgrade rebuilds it.
    """
    sources = project.sources()
    if "main.py" not in sources:
        missing: Diagnostic = {
            "file": "main.py",
            "line": 1,
            "col": 1,
            "severity": "error",
            "message": "the project has no main.py",
        }
        return BuildResult(success=False, diagnostics=[missing], sources=sources)
    started = time.perf_counter()
    diagnostics, modules = build_sources(sources)
    check_ms = (time.perf_counter() - started) * 1000
    if has_errors(diagnostics):
        return BuildResult(
            success=False, diagnostics=diagnostics, sources=sources, check_ms=check_ms
        )
    key = sources_hash(sources)
    artifact = BuildArtifact.objects.filter(sources_hash=key, magic=ARTIFACT_MAGIC).first()
    if artifact is None:
        blob = pack_artifact(modules)
        try:
            with transaction.atomic():
                artifact = BuildArtifact.objects.create(
                    sources_hash=key, magic=ARTIFACT_MAGIC, blob=blob
                )
        except IntegrityError:  # a concurrent build of the same sources stored it first
            artifact = BuildArtifact.objects.get(sources_hash=key, magic=ARTIFACT_MAGIC)
    return BuildResult(
        success=True, diagnostics=diagnostics, artifact=artifact, sources=sources, check_ms=check_ms
    )


def _clean_file_name(name: str) -> str:
    """Relative POSIX paths only: no absolute paths, no ``..``, no empty parts."""
    cleaned = posixpath.normpath(name.strip())
    if (
        not cleaned
        or cleaned in (".", "..")
        or cleaned.startswith(("/", "../"))
        or "\\" in cleaned
        or len(cleaned) > 255
    ):
        raise DomainError(f"invalid file name {name!r}")
    return cleaned
