"""Projects, their files (the code lives in the database) and build artifacts."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from config.encrypted_fields import EncryptedBinaryField, EncryptedTextField


class Project(models.Model):
    """An organization's algorithm: ``main.py`` plus helper files."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="projects"
    )
    name = models.CharField(max_length=128)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "id"]

    def __str__(self) -> str:
        return self.name

    def sources(self) -> dict[str, str]:
        """``{file name: content}`` of every file, the input of a build."""
        return dict(self.files.order_by("name").values_list("name", "content"))


class ProjectFile(models.Model):
    """One source file of a project; ``name`` may hold folders (``utils/helpers.py``)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    content = EncryptedTextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="unique_file_name_per_project")
        ]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.name}"


class ProjectParameter(models.Model):
    """A named value the algorithm reads with ``get_parameter(name, default)``.

    A plain backtest runs with the project's parameters and records them; an optimization
    varies some of them and keeps the others.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="parameters")
    name = models.CharField(max_length=64)
    value = models.CharField(max_length=256, blank=True, default="")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="unique_parameter_per_project")
        ]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.name}={self.value}"


class BuildArtifact(models.Model):
    """A project's code as marshalled bytecode (no source), keyed by the hash of its sources.

    The same sources always compile to the same bytecode on one interpreter, so an unchanged
    project is never compiled twice; ``magic`` records the interpreter that built it, and an
    artifact with another magic number is rebuilt rather than run.
    """

    sources_hash = models.CharField(max_length=64)
    magic = models.BinaryField(max_length=16)
    blob = EncryptedBinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sources_hash", "magic"], name="one_artifact_per_hash")
        ]

    def __str__(self) -> str:
        return f"artifact {self.sources_hash[:12]}"
