"""Engine tests run without Django; market data comes from one place."""

import os
from pathlib import Path

import pytest

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "lean"


def lean_data_path() -> Path:
    return Path(os.environ.get("DATA_DIR", DEFAULT_DATA_DIR))


@pytest.fixture(scope="session")
def lean_data_dir() -> Path:
    path = lean_data_path()
    assert (path / "equity" / "usa").is_dir(), f"LEAN sample data not found at {path}"
    return path
