"""A node worker in its own process, for tests that kill one: runs one backtest and exits.

Usage: ``python -m tests.platform.worker_process <backtest id>`` with ``DATABASE_URL``
pointing at the test database. It runs the same code path as the Dramatiq actor.
"""

import os
import sys

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from backtesting.execution import execute_backtest

    execute_backtest(backtest_id=int(sys.argv[1]))


if __name__ == "__main__":
    main()
