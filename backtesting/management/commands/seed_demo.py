"""``python manage.py seed_demo``: the demo organization, user and project (idempotent).

Development only: the user ``demo`` has the password ``demo``. Running it again changes
nothing that exists (the demo project's code is never overwritten).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Membership, Organization, Tier
from backtesting.demo import DEMO_ALGORITHM
from ide.models import Project
from ide.services import project_create
from nodes.models import Node
from nodes.services import create_node

DEMO_USER = "demo"
DEMO_PASSWORD = "demo"
DEMO_ORGANIZATION = "Demo organization"
DEMO_PROJECT = "Demo"


class Command(BaseCommand):
    help = "Create the demo organization (Free tier, one B-MICRO node), user demo/demo and project."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            user, created_user = get_user_model().objects.get_or_create(username=DEMO_USER)
            if created_user:
                user.set_password(DEMO_PASSWORD)
                user.save()
            organization = Organization.objects.filter(
                name=DEMO_ORGANIZATION, memberships__user=user
            ).first()
            if organization is None:
                organization = Organization.objects.create(
                    name=DEMO_ORGANIZATION, tier=Tier.objects.get(slug="free")
                )
                Membership.objects.create(
                    user=user, organization=organization, role=Membership.Role.OWNER
                )
            if not Node.objects.filter(organization=organization).exists():
                create_node(organization=organization, model_name="B-MICRO")
            if not Project.objects.filter(organization=organization, name=DEMO_PROJECT).exists():
                project_create(
                    organization=organization,
                    user=user,
                    name=DEMO_PROJECT,
                    files=[("main.py", DEMO_ALGORITHM)],
                )
        self.stdout.write(
            self.style.WARNING(
                f"Demo login (development only): user {DEMO_USER!r}, password {DEMO_PASSWORD!r}"
                f"{' (created)' if created_user else ''}"
            )
        )
