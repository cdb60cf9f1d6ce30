"""REST endpoints of the ide: projects, their files, and builds."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership
from accounts.selectors import acting_membership
from config.schema import BuildOutput, ErrorOutput
from ide import services
from ide.models import Project, ProjectFile


def scoped_projects(request: Request) -> QuerySet[Project]:
    """Projects of the caller's organizations; any other id answers 404."""
    return Project.objects.filter(
        organization__in=Membership.objects.filter(user=request.user).values("organization")
    )


def scoped_project(request: Request, pk: int) -> Project:
    """The caller's project (with its tier for file limits), else 404."""
    return get_object_or_404(scoped_projects(request).select_related("organization__tier"), pk=pk)


class FileOutput(serializers.ModelSerializer):
    class Meta:
        model = ProjectFile
        fields = ["name", "content", "updated_at"]


class ProjectOutput(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name", "organization", "created_at", "updated_at"]


class ProjectDetailOutput(ProjectOutput):
    files = FileOutput(many=True, read_only=True)

    class Meta(ProjectOutput.Meta):
        fields = [*ProjectOutput.Meta.fields, "files"]


class ProjectListApi(APIView):
    """``GET`` the caller's projects; ``POST {name, files: [{name, content}], organization?}``."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ProjectListInput"  # unique name in the OpenAPI schema

        class FileInput(serializers.Serializer):
            name = serializers.CharField(max_length=255)
            content = serializers.CharField(allow_blank=True, trim_whitespace=False)

        name = serializers.CharField(max_length=128)
        files = FileInput(many=True, required=False, default=list)
        organization = serializers.IntegerField(required=False)

    @extend_schema(responses=ProjectOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(ProjectOutput(scoped_projects(request), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: ProjectDetailOutput})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = acting_membership(request.user, data.validated_data.get("organization"))
        project = services.project_create(
            organization=actor.organization,
            user=request.user,
            name=data.validated_data["name"],
            files=[(f["name"], f["content"]) for f in data.validated_data["files"]],
        )
        return Response(ProjectDetailOutput(project).data, status=status.HTTP_201_CREATED)


class ProjectDetailApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ProjectDetailInput"  # unique name in the OpenAPI schema

        name = serializers.CharField(max_length=128)

    @extend_schema(responses=ProjectDetailOutput)
    def get(self, request: Request, pk: int) -> Response:
        project = get_object_or_404(scoped_projects(request).prefetch_related("files"), pk=pk)
        return Response(ProjectDetailOutput(project).data)

    @extend_schema(request=InputSerializer, responses=ProjectOutput)
    def patch(self, request: Request, pk: int) -> Response:
        project = scoped_project(request, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            ProjectOutput(services.project_rename(project=project, **data.validated_data)).data
        )

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.project_delete(project=scoped_project(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class FileListApi(APIView):
    @extend_schema(responses=FileOutput(many=True))
    def get(self, request: Request, pk: int) -> Response:
        project = scoped_project(request, pk)
        return Response(FileOutput(project.files.all(), many=True).data)


class FileDetailApi(APIView):
    """``GET``/``PUT {content}``/``PATCH {name}`` (rename)/``DELETE`` one file by name."""

    class ContentInput(serializers.Serializer):
        class Meta:
            ref_name = "FileDetailContentInput"  # unique name in the OpenAPI schema

        content = serializers.CharField(allow_blank=True, trim_whitespace=False)

    class RenameInput(serializers.Serializer):
        class Meta:
            ref_name = "FileDetailRenameInput"  # unique name in the OpenAPI schema

        name = serializers.CharField(max_length=255)

    def _file(self, request: Request, pk: int, name: str) -> ProjectFile:
        project = scoped_project(request, pk)
        return get_object_or_404(ProjectFile, project=project, name=name.rstrip("/"))

    @extend_schema(responses=FileOutput)
    def get(self, request: Request, pk: int, name: str) -> Response:
        return Response(FileOutput(self._file(request, pk, name)).data)

    @extend_schema(
        request=ContentInput,
        responses={200: FileOutput, 201: FileOutput, 403: ErrorOutput},
    )
    def put(self, request: Request, pk: int, name: str) -> Response:
        project = scoped_project(request, pk)
        data = self.ContentInput(data=request.data)
        data.is_valid(raise_exception=True)
        existed = project.files.filter(name=name.rstrip("/")).exists()
        saved = services.file_save(project=project, name=name.rstrip("/"), **data.validated_data)
        return Response(
            FileOutput(saved).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @extend_schema(request=RenameInput, responses=FileOutput)
    def patch(self, request: Request, pk: int, name: str) -> Response:
        project_file = self._file(request, pk, name)
        data = self.RenameInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            FileOutput(services.file_rename(project_file=project_file, **data.validated_data)).data
        )

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int, name: str) -> Response:
        services.file_delete(project_file=self._file(request, pk, name))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BuildApi(APIView):
    """``POST`` -> ``{success, diagnostics: [{file, line, col, severity, message}]}``.

    The ``Server-Timing`` header gives the check's own time (``check``: compile + pyflakes),
    which browsers' developer tools show beside the request's."""

    @extend_schema(request=None, responses=BuildOutput)
    def post(self, request: Request, pk: int) -> Response:
        result = services.build_project(project=scoped_project(request, pk))
        response = Response({"success": result.success, "diagnostics": result.diagnostics})
        response["Server-Timing"] = f'check;dur={result.check_ms:.1f};desc="compile + pyflakes"'
        return response
