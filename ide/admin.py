"""Admin for projects and their files."""

from django.contrib import admin

from ide.models import Project, ProjectFile


class ProjectFileInline(admin.StackedInline):
    model = ProjectFile
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "updated_at"]
    inlines = [ProjectFileInline]
