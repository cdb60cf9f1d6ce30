"""REST endpoints of accounts: tokens, sign-up, organizations, members, tiers."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import ratelimit, services
from accounts.models import Membership, Organization, Tier
from accounts.selectors import (
    log_bytes_today,
    membership_of,
    organizations_of,
    user_settings_of,
)
from accounts.tokens import issue_token
from config.exceptions import DomainError
from config.schema import ErrorOutput

#: the reply to wrong credentials; deliberately does not say which part was wrong.
BAD_CREDENTIALS = "unable to log in with these credentials"


class TierOutput(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = [
            "slug",
            "name",
            "backtest_nodes",
            "log_bytes_per_backtest",
            "log_bytes_per_day",
            "orders_per_backtest",
            "files_per_project",
            "max_file_bytes",
        ]


class MembershipOutput(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    user = serializers.IntegerField(source="user_id")

    class Meta:
        model = Membership
        fields = ["id", "user", "username", "role", "can_stop_nodes"]


class OrganizationOutput(serializers.Serializer):
    """Describes :func:`organization_output` for the schema."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    tier = TierOutput()
    role = serializers.CharField()
    can_stop_nodes = serializers.BooleanField()
    log_bytes_today = serializers.IntegerField()


class TokenApi(APIView):
    """``POST {username, password}`` -> ``{token}``; then send ``Authorization: Token <token>``."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TokenInput"  # unique name in the OpenAPI schema

        username = serializers.CharField()
        password = serializers.CharField()

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer("TokenOutput", {"token": serializers.CharField()}),
            400: ErrorOutput,
            429: ErrorOutput,
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        if ratelimit.is_blocked(request._request, username):
            return Response(
                {"detail": ratelimit.TOO_MANY_ATTEMPTS}, status=status.HTTP_429_TOO_MANY_REQUESTS
            )
        user = authenticate(request._request, **data.validated_data)
        if user is None:
            ratelimit.record_failure(request._request, username)
            raise DomainError(BAD_CREDENTIALS)
        ratelimit.clear(request._request, username)
        return Response({"token": issue_token(user)})


class SignupApi(APIView):
    """Create a user with a Free organization and a B-MICRO node; returns a token."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SignupInput"  # unique name in the OpenAPI schema

        username = serializers.CharField(max_length=150)
        password = serializers.CharField(min_length=4)
        email = serializers.EmailField(required=False, default="")

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "SignupOutput",
                {
                    "id": serializers.IntegerField(),
                    "username": serializers.CharField(),
                    "organization": serializers.IntegerField(),
                    "token": serializers.CharField(),
                },
            )
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.signup_user(**data.validated_data)
        organization = organizations_of(user).first()
        return Response(
            {
                "id": user.pk,
                "username": user.get_username(),
                "organization": organization.pk,
                "token": issue_token(user),
            },
            status=status.HTTP_201_CREATED,
        )


def organization_output(organization: Organization, membership: Membership) -> dict:
    """An organization as the caller sees it: tier quotas, their role, today's log usage."""
    return {
        "id": organization.pk,
        "name": organization.name,
        "tier": TierOutput(organization.tier).data,
        "role": membership.role,
        "can_stop_nodes": membership.may_stop_others,
        "log_bytes_today": log_bytes_today(organization=organization),
    }


class OrganizationListApi(APIView):
    @extend_schema(responses=OrganizationOutput(many=True))
    def get(self, request: Request) -> Response:
        memberships = Membership.objects.filter(user=request.user).select_related(
            "organization__tier"
        )
        return Response([organization_output(m.organization, m) for m in memberships])


class OrganizationDetailApi(APIView):
    @extend_schema(responses=OrganizationOutput)
    def get(self, request: Request, pk: int) -> Response:
        membership = membership_of(request.user, pk)
        return Response(organization_output(membership.organization, membership))


class OrganizationTierApi(APIView):
    """``POST {tier: <slug>}``: an admin changes the organization's tier."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "OrganizationTierInput"  # unique name in the OpenAPI schema

        tier = serializers.SlugRelatedField(slug_field="slug", queryset=Tier.objects.all())

    @extend_schema(
        request=InputSerializer,
        responses={200: OrganizationOutput, 403: ErrorOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        membership = membership_of(request.user, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = services.tier_change(
            actor=membership, tier_slug=data.validated_data["tier"].slug
        )
        return Response(organization_output(organization, membership))


class MemberListApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MemberListInput"  # unique name in the OpenAPI schema

        username = serializers.CharField()
        role = serializers.ChoiceField(
            choices=Membership.Role.choices, default=Membership.Role.MEMBER
        )
        can_stop_nodes = serializers.BooleanField(default=False)

    @extend_schema(responses=MembershipOutput(many=True))
    def get(self, request: Request, pk: int) -> Response:
        membership_of(request.user, pk)
        members = (
            Membership.objects.filter(organization_id=pk).select_related("user").order_by("id")
        )
        return Response(MembershipOutput(members, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: MembershipOutput})
    def post(self, request: Request, pk: int) -> Response:
        actor = membership_of(request.user, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.member_add(actor=actor, **data.validated_data)
        return Response(MembershipOutput(created).data, status=status.HTTP_201_CREATED)


class MemberDetailApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MemberDetailInput"  # unique name in the OpenAPI schema

        role = serializers.ChoiceField(choices=Membership.Role.choices, required=False)
        can_stop_nodes = serializers.BooleanField(required=False)

    def _target(self, request: Request, pk: int, member_id: int) -> tuple[Membership, Membership]:
        actor = membership_of(request.user, pk)
        target = get_object_or_404(
            Membership.objects.select_related("user", "organization"),
            pk=member_id,
            organization_id=pk,
        )
        return actor, target

    @extend_schema(request=InputSerializer, responses=MembershipOutput)
    def patch(self, request: Request, pk: int, member_id: int) -> Response:
        actor, target = self._target(request, pk, member_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = services.member_update(actor=actor, membership=target, **data.validated_data)
        return Response(MembershipOutput(updated).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int, member_id: int) -> Response:
        actor, target = self._target(request, pk, member_id)
        services.member_remove(actor=actor, membership=target)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TierListApi(APIView):
    @extend_schema(responses=TierOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(TierOutput(Tier.objects.all(), many=True).data)


class UserSettingsSerializer(serializers.Serializer):
    """The caller's own preferences (``auto_build``: the IDE saves and builds as you type)."""

    class Meta:
        ref_name = "UserSettings"  # unique name in the OpenAPI schema

    auto_build = serializers.BooleanField(required=False)


class MeOutput(serializers.Serializer):
    """Describes :meth:`MeApi._output` for the schema."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    organizations = OrganizationOutput(many=True)
    settings = UserSettingsSerializer()


class MeApi(APIView):
    """``GET``: who the caller is, their organizations and settings; ``PATCH {settings}``."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MeInput"  # unique name in the OpenAPI schema

        settings = UserSettingsSerializer(required=False)

    @extend_schema(responses=MeOutput)
    def get(self, request: Request) -> Response:
        return Response(self._output(request))

    @extend_schema(request=InputSerializer, responses={200: MeOutput, 400: ErrorOutput})
    def patch(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if "settings" in data.validated_data:
            services.user_settings_update(user=request.user, **data.validated_data["settings"])
        return Response(self._output(request))

    def _output(self, request: Request) -> dict:
        memberships = Membership.objects.filter(user=request.user).select_related(
            "organization__tier"
        )
        return {
            "id": request.user.pk,
            "username": request.user.get_username(),
            "organizations": [organization_output(m.organization, m) for m in memberships],
            "settings": {"auto_build": user_settings_of(request.user).auto_build},
        }
