"""Encrypt the project files, build artifacts and source snapshots written before
encryption at rest (config.encrypted_fields reads both forms; this leaves no plaintext)."""

import json

from django.db import migrations

from config import crypto


def encrypt_rows(apps, schema_editor):
    ProjectFile = apps.get_model("ide", "ProjectFile")
    for row in ProjectFile.objects.exclude(content__startswith=crypto.PREFIX.decode()).iterator():
        row.content = crypto.encrypt(row.content.encode(), "text").decode()
        row.save(update_fields=["content"])
    BuildArtifact = apps.get_model("ide", "BuildArtifact")
    for row in BuildArtifact.objects.iterator():
        if not crypto.is_encrypted(bytes(row.blob)):
            row.blob = crypto.encrypt(bytes(row.blob), "binary")
            row.save(update_fields=["blob"])
    for label in ("Backtest", "Optimization"):
        Model = apps.get_model("backtesting", label)
        for row in Model.objects.only("id", "source_snapshot").iterator():
            value = row.source_snapshot
            if isinstance(value, str) and crypto.is_encrypted(value):
                continue
            encrypted = crypto.encrypt(json.dumps(value).encode(), "json").decode()
            Model.objects.filter(pk=row.pk).update(source_snapshot=encrypted)


class Migration(migrations.Migration):
    dependencies = [
        ("ide", "0002_projectparameter"),
        ("backtesting", "0007_optimization_euler_scale"),
    ]

    operations = [migrations.RunPython(encrypt_rows, migrations.RunPython.noop)]
