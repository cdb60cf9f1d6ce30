"""Encryption at rest: the database holds no project source, bytecode or source snapshot in
clear; the application reads them back decrypted; the key comes from SECRET_KEY."""

from __future__ import annotations

import importlib

import pytest
from cryptography.fernet import InvalidToken
from django.apps import apps
from django.db import connection
from django.test import override_settings

from backtesting.models import Backtest
from config import crypto
from ide.models import BuildArtifact, ProjectFile

SECRET_LINE = "# the secret sauce 8c1f"


def _raw(table: str, column: str, pk: int):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_files_artifacts_and_snapshots_are_encrypted_in_the_database(api, owner, project):
    client = api(owner)
    source = project.files.get(name="main.py").content + "\n" + SECRET_LINE + "\n"
    reply = client.put(
        f"/api/projects/{project.pk}/files/main.py", {"content": source}, format="json"
    )
    assert reply.status_code in (200, 201), reply.data
    backtest_id = client.post("/api/backtests/", {"project": project.pk}, format="json").data["id"]

    file = ProjectFile.objects.get(project=project, name="main.py")
    raw_file = _raw("ide_projectfile", "content", file.pk)
    assert raw_file.startswith("qdenc1:") and "secret sauce" not in raw_file
    assert file.content == source  # decrypted when loaded
    assert client.get(f"/api/projects/{project.pk}/files/main.py").data["content"] == source

    backtest = Backtest.objects.get(pk=backtest_id)
    raw_blob = bytes(_raw("ide_buildartifact", "blob", backtest.artifact_id))
    assert raw_blob.startswith(crypto.PREFIX)
    assert b"secret sauce" not in raw_blob and b"initialize" not in raw_blob
    assert b"initialize" in BuildArtifact.objects.get(pk=backtest.artifact_id).blob

    raw_snapshot = _raw("backtesting_backtest", "source_snapshot", backtest_id)
    assert "secret sauce" not in str(raw_snapshot) and "qdenc1:" in str(raw_snapshot)
    assert SECRET_LINE in backtest.source_snapshot["main.py"]


def test_tampered_or_foreign_ciphertext_is_refused():
    token = crypto.encrypt(b"orders", "text")
    assert crypto.decrypt(token, "text") == b"orders"
    with pytest.raises(InvalidToken):
        crypto.decrypt(token[:-3] + b"AAA", "text")
    with pytest.raises(InvalidToken):  # another purpose derives another key
        crypto.decrypt(token, "binary")
    with override_settings(SECRET_KEY="another-server-" * 4):
        with pytest.raises(InvalidToken):
            crypto.decrypt(token, "text")


def test_a_rotated_secret_still_decrypts_through_the_fallbacks():
    token = crypto.encrypt(b"bytecode", "binary")
    with override_settings(SECRET_KEY="the-new-key-" * 5, SECRET_KEY_FALLBACKS=["x"]):
        with pytest.raises(InvalidToken):
            crypto.decrypt(token, "binary")
    from django.conf import settings

    old = settings.SECRET_KEY
    with override_settings(SECRET_KEY="the-new-key-" * 5, SECRET_KEY_FALLBACKS=[old]):
        assert crypto.decrypt(token, "binary") == b"bytecode"


@pytest.mark.django_db
def test_the_data_migration_encrypts_rows_written_in_clear(project):
    file = project.files.get(name="main.py")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ide_projectfile SET content = %s WHERE id = %s", ["print('legacy')", file.pk]
        )
    # Legacy plaintext stays readable until the migration runs...
    assert ProjectFile.objects.get(pk=file.pk).content == "print('legacy')"
    migration = importlib.import_module("ide.migrations.0003_encrypt_at_rest")
    migration.encrypt_rows(apps, None)
    assert _raw("ide_projectfile", "content", file.pk).startswith("qdenc1:")
    assert ProjectFile.objects.get(pk=file.pk).content == "print('legacy')"
