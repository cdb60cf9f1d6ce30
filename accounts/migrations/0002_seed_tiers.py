"""Seed the five tiers with QuantConnect's quotas (None = unlimited)."""

from django.db import migrations

KB = 1024
MB = 1024 * KB

TIERS = [
    # slug, name, rank, nodes, log/backtest, log/day, orders/backtest, files, max file size
    ("free", "Free", 0, 1, 10 * KB, 3 * MB, 10_000, 25, 32 * KB),
    ("researcher", "Quant Researcher", 1, 2, 100 * KB, 3 * MB, 10_000_000, 50, 64 * KB),
    ("team", "Team", 2, 10, 1 * MB, 10 * MB, None, 75, 128 * KB),
    ("firm", "Trading Firm", 3, None, 5 * MB, 50 * MB, None, 100, 256 * KB),
    ("institution", "Institution", 4, None, None, None, None, 250, 256 * KB),
]


def seed(apps, schema_editor):
    Tier = apps.get_model("accounts", "Tier")
    for slug, name, rank, nodes, per_bt, per_day, orders, files, size in TIERS:
        Tier.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "rank": rank,
                "backtest_nodes": nodes,
                "log_bytes_per_backtest": per_bt,
                "log_bytes_per_day": per_day,
                "orders_per_backtest": orders,
                "files_per_project": files,
                "max_file_bytes": size,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
