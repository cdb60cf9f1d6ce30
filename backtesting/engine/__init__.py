"""QuantDesk's backtesting engine: LEAN's Python API on LEAN's data format.

Pure Python + numpy/pandas. Nothing here may import Django or the web stack (an
import-linter contract in pyproject.toml enforces it), so the same engine runs from the
worker's sandboxed child, from tests and from the command line.
"""
