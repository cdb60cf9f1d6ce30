"""``/api/projects/{id}/parameters/``: read and replace a project's parameters."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import membership_of
from ide.api import scoped_project
from ide.parameters import project_parameters, project_parameters_replace


def _listed(values: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in sorted(values.items())]


class ProjectParametersApi(APIView):
    """``GET`` -> ``[{name, value}]``; ``PUT {parameters: [{name, value}]}`` replaces them all."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ProjectParametersInput"  # unique name in the OpenAPI schema

        class ParameterInput(serializers.Serializer):
            name = serializers.CharField(max_length=64)
            value = serializers.CharField(max_length=256, allow_blank=True)

        parameters = ParameterInput(many=True)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_listed(project_parameters(project=scoped_project(request, pk))))

    @extend_schema(request=InputSerializer, responses=OpenApiTypes.OBJECT)
    def put(self, request: Request, pk: int) -> Response:
        project = scoped_project(request, pk)
        membership_of(request.user, project.organization_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {p["name"]: p["value"] for p in data.validated_data["parameters"]}
        return Response(_listed(project_parameters_replace(project=project, values=values)))
