"""The benchmark's generated data follows LEAN's calendar, so every engine sees the same bars."""

from __future__ import annotations

import zipfile

from tests.bench.datagen import generate


def _rows(path) -> list[list[int]]:
    with zipfile.ZipFile(path) as archive:
        text = archive.read(archive.namelist()[0]).decode()
    return [[int(x) for x in line.split(",")] for line in text.splitlines()]


def test_early_closes_are_cut_short_and_holidays_skipped(lean_data_dir, tmp_path):
    # from 2010-01-04 past the day after Thanksgiving 2010 (an early close at 13:00)
    manifest = generate(tmp_path, lean_data_dir, symbols=1, bars_per_symbol=229 * 390)
    minute = tmp_path / "equity" / "usa" / "minute" / "spy"

    # LEAN opens 2010-11-26 until 13:00: a day without rows would be filled forward
    # by LEAN and not seen at all by the peers, so their trades would differ
    short_day = _rows(minute / "20101126_trade.zip")
    assert len(short_day) == 210
    assert short_day[-1][0] == 34_200_000 + 209 * 60_000  # the bar that ends at 13:00
    assert len(_rows(minute / "20101124_trade.zip")) == 390
    assert not (minute / "20101125_trade.zip").exists()  # Thanksgiving

    with zipfile.ZipFile(tmp_path / "equity" / "usa" / "hour" / "spy.zip") as archive:
        hours = archive.read("spy.csv").decode().splitlines()
    assert [h[9:14] for h in hours if h.startswith("20101126")] == [
        "09:00",
        "10:00",
        "11:00",
        "12:00",
    ]

    days = sorted(minute.iterdir())
    assert manifest["bars_per_symbol"] == sum(len(_rows(day)) for day in days)
