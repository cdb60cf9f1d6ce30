"""Seed QuantConnect's node models (cores / GHz / RAM GB)."""

from decimal import Decimal

from django.db import migrations

MODELS = [
    # name, kind, cores, GHz, RAM, is_micro
    ("B-MICRO", "backtest", 2, Decimal("3.0"), 8, True),
    ("B2-8", "backtest", 2, Decimal("4.9"), 8, False),
    ("B4-12", "backtest", 4, Decimal("4.9"), 12, False),
    ("B8-16", "backtest", 8, Decimal("4.9"), 16, False),
    ("O2-8", "optimization", 2, None, 8, False),
    ("O4-12", "optimization", 4, None, 12, False),
    ("O8-16", "optimization", 8, None, 16, False),
]


def seed(apps, schema_editor):
    NodeModel = apps.get_model("nodes", "NodeModel")
    for name, kind, cores, ghz, ram, micro in MODELS:
        NodeModel.objects.update_or_create(
            name=name,
            defaults={"kind": kind, "cores": cores, "ghz": ghz, "ram_gb": ram, "is_micro": micro},
        )


class Migration(migrations.Migration):
    dependencies = [("nodes", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
