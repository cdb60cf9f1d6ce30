"""Parity runs share the LEAN sample data fixture of the engine tests."""

from tests.engine.conftest import lean_data_dir, lean_data_path  # noqa: F401  # re-exported fixture
