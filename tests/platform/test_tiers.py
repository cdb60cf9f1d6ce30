"""Tiers and node models are seeded as data with QuantConnect's quotas."""

import pytest

from accounts.models import Tier
from nodes.models import NodeModel

KB, MB = 1024, 1024 * 1024


@pytest.mark.django_db
def test_the_five_tiers_carry_the_quota_table():
    rows = {
        t.slug: (
            t.backtest_nodes,
            t.log_bytes_per_backtest,
            t.log_bytes_per_day,
            t.orders_per_backtest,
            t.files_per_project,
            t.max_file_bytes,
        )
        for t in Tier.objects.all()
    }
    assert rows == {
        "free": (1, 10 * KB, 3 * MB, 10_000, 25, 32 * KB),
        "researcher": (2, 100 * KB, 3 * MB, 10_000_000, 50, 64 * KB),
        "team": (10, 1 * MB, 10 * MB, None, 75, 128 * KB),
        "firm": (None, 5 * MB, 50 * MB, None, 100, 256 * KB),
        "institution": (None, None, None, None, 250, 256 * KB),
    }
    assert [t.name for t in Tier.objects.all()] == [
        "Free",
        "Quant Researcher",
        "Team",
        "Trading Firm",
        "Institution",
    ]


@pytest.mark.django_db
def test_node_models_have_their_cores_and_ram():
    shapes = {m.name: (m.kind, m.cores, m.ram_gb, m.is_micro) for m in NodeModel.objects.all()}
    assert shapes == {
        "B-MICRO": ("backtest", 2, 8, True),
        "B2-8": ("backtest", 2, 8, False),
        "B4-12": ("backtest", 4, 12, False),
        "B8-16": ("backtest", 8, 16, False),
        "O2-8": ("optimization", 2, 8, False),
        "O4-12": ("optimization", 4, 12, False),
        "O8-16": ("optimization", 8, 16, False),
    }
    assert str(NodeModel.objects.get(name="B4-12").ghz) == "4.9"
