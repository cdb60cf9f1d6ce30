"""factory_boy factories for the platform's models."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from accounts.models import Membership, Organization, Tier
from ide.models import Project, ProjectFile
from nodes.models import Node, NodeModel

#: password of every factory user.
PASSWORD = "pw-for-tests"

#: a minimal algorithm that builds cleanly (the engine's facade is not needed to build).
ALGORITHM = """from AlgorithmImports import *


class Demo(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.MINUTE)

    def on_data(self, data):
        if not self.portfolio.invested:
            self.set_holdings("SPY", 1)
"""


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805  # factory_boy hook signature
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"org{n}")
    tier = factory.LazyFunction(lambda: Tier.objects.get(slug="free"))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.MEMBER


class NodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Node

    organization = factory.SubFactory(OrganizationFactory)
    model = factory.LazyFunction(lambda: NodeModel.objects.get(name="B2-8"))
    name = factory.Sequence(lambda n: f"node{n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"project{n}")

    @factory.post_generation
    def main(obj, create, extracted, **kwargs):  # noqa: N805  # factory_boy hook signature
        if create:
            ProjectFile.objects.create(project=obj, name="main.py", content=extracted or ALGORITHM)
