"""Prepare a fault-test deployment's database: ``python -m tests.faults.setup_org <nodes>``.

Runs inside the deployment's environment (its ``DATABASE_URL``) after ``seed_demo``: the
demo organization moves to the Institution tier (no log quotas), gets ``<nodes>`` B2-8
nodes instead of its B-MICRO one, the numbered algorithm, and a second member ("rival")
for the race. Prints JSON: ids, API tokens and websocket session cookies.
"""

import json
import os
import sys

import django


def _session_key(user) -> str:
    """A logged-in session, so websocket clients pass ``AuthMiddlewareStack``."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.contrib.auth import get_user_model

    from accounts.models import Membership, Organization, Tier
    from accounts.tokens import issue_token
    from ide.models import Project
    from nodes.models import Node
    from nodes.services import create_node
    from tests.faults.algorithms import NUMBERED

    count = int(sys.argv[1])
    demo = get_user_model().objects.get(username="demo")
    organization = Organization.objects.get(memberships__user=demo)
    organization.tier = Tier.objects.get(slug="institution")
    organization.save(update_fields=["tier"])
    Node.objects.filter(organization=organization).delete()
    nodes = [
        create_node(organization=organization, model_name="B2-8", name=f"node {i + 1}").pk
        for i in range(count)
    ]
    rival = get_user_model().objects.create_user(username="rival", password="rival")
    Membership.objects.create(user=rival, organization=organization, role=Membership.Role.MEMBER)
    project = Project.objects.get(organization=organization, name="Demo")
    project.files.filter(name="main.py").update(content=NUMBERED)
    print(
        json.dumps(
            {
                "organization": organization.pk,
                "project": project.pk,
                "nodes": nodes,
                "tokens": {user.username: issue_token(user) for user in (demo, rival)},
                "session": _session_key(demo),
            }
        )
    )


if __name__ == "__main__":
    main()
