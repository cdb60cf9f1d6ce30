"""QuantDesk's backtesting engine: LEAN's Python API on LEAN's data format.

Pure Python + numpy/pandas. Nothing here may import Django or the web stack (an
import-linter contract in pyproject.toml enforces it), so the same engine runs from the
worker's sandboxed child, from tests and from the command line.

Entry points
    ``runner.run_algorithm(algorithm_type, *, data_dir, sink, parameters=None,
    should_stop=None) -> dict`` runs one backtest, emits events to ``sink``
    (``results/sink.py``) and returns the final ``result`` event.
    ``python -m backtesting.engine run ALGO.py --data DIR [--parameter K=V] [--output OUT.json]``.

Packages (top to bottom; each imports only downwards)
    ``algorithm`` (QCAlgorithm facade), ``brokerage`` (orders, tickets, fills, fees, the
    transaction handler), ``portfolio`` (securities, holdings, cash), ``feed`` (subscriptions
    in numpy, time slices, fill-forward, history), ``data`` (LEAN readers, factor/map files,
    market hours, symbol properties, bars and slices); beside them ``scheduling``,
    ``results``, ``statistics``, ``indicators``, ``consolidators``. ``setup_handler`` builds
    the feed, ``loop`` runs the time steps, ``runner`` wires everything once.
"""
