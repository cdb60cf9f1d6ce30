"""Native ``/api/account/``: the user id and API v2 token that QuantConnect clients log in with."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership
from accounts.services import api_token_of, api_token_regenerate


def _account(user, token: str) -> dict:
    memberships = Membership.objects.filter(user=user).select_related("organization")
    return {
        "user_id": user.pk,
        "api_token": token,
        "organizations": [
            {"id": m.organization.pk, "name": m.organization.name} for m in memberships
        ],
    }


class AccountApi(APIView):
    """``GET`` ``{user_id, api_token, organizations: [{id, name}]}``; ``POST`` regenerates
    the token (the old one stops working at once) and answers the same shape."""

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(_account(request.user, api_token_of(user=request.user)))

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        return Response(_account(request.user, api_token_regenerate(user=request.user)))
