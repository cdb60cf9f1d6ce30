"""Parameter optimization: a grid of parameter values, each combination one Backtest row.

``grid`` expands parameter ranges, ``targets`` reads statistics and applies constraints,
``services`` launches, dispatches (at most ``parallel_nodes`` at a time), aborts and reads
optimizations, ``consumers`` streams their progress, ``api`` and ``pages`` serve them.
Combinations run through the backtest actor and sandbox like any backtest.
"""
