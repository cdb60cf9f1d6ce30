"""Auto build is a per-user setting on the server (issue 4): on by default, kept per user."""

import pytest
from django.test import Client

from accounts.models import UserSettings


@pytest.mark.django_db
def test_auto_build_is_on_by_default_and_reading_it_writes_nothing(api, owner):
    response = api(owner).get("/api/me/")

    assert response.status_code == 200
    assert response.data["settings"] == {"auto_build": True}
    assert not UserSettings.objects.filter(user=owner).exists()


@pytest.mark.django_db
def test_turning_auto_build_off_persists_for_that_user_only(api, owner, member):
    response = api(owner).patch("/api/me/", {"settings": {"auto_build": False}}, format="json")

    assert response.status_code == 200, response.data
    assert response.data["settings"] == {"auto_build": False}
    assert api(owner).get("/api/me/").data["settings"] == {"auto_build": False}
    assert api(member).get("/api/me/").data["settings"] == {"auto_build": True}

    api(owner).patch("/api/me/", {"settings": {"auto_build": True}}, format="json")
    assert UserSettings.objects.get(user=owner).auto_build is True


@pytest.mark.django_db
def test_a_patch_without_the_setting_leaves_it_alone(api, owner):
    api(owner).patch("/api/me/", {"settings": {"auto_build": False}}, format="json")

    response = api(owner).patch("/api/me/", {"settings": {}}, format="json")

    assert response.status_code == 200
    assert response.data["settings"] == {"auto_build": False}


@pytest.mark.django_db
def test_a_non_boolean_is_refused(api, owner):
    response = api(owner).patch("/api/me/", {"settings": {"auto_build": "maybe"}}, format="json")

    assert response.status_code == 400
    assert not UserSettings.objects.filter(user=owner).exists()


@pytest.mark.django_db
def test_anonymous_callers_cannot_change_settings(api):
    response = api().patch("/api/me/", {"settings": {"auto_build": False}}, format="json")

    assert response.status_code in (401, 403)
    assert not UserSettings.objects.exists()


@pytest.mark.django_db
def test_the_ide_page_carries_the_users_setting(owner, project):
    from accounts.services import user_settings_update

    user_settings_update(user=owner, auto_build=False)
    client = Client()
    client.force_login(owner)

    response = client.get(f"/projects/{project.pk}/")

    assert response.status_code == 200
    assert response.context["page"]["auto_build"] is False
