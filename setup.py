"""The compiled pieces (pyproject.toml holds everything else): the numeric CSV parser
and the simple moving average's per-bar path.

Both are optional: without a C compiler the install still succeeds, the readers use
numpy's parser (backtesting/engine/data/readers.py), which accepts the same files, and
averages run running_mean.RunningMean, the Python original of _fastsma.c.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "backtesting.engine.data._fastcsv",
            sources=["backtesting/engine/data/_fastcsv.c"],
            extra_compile_args=["-O2"],
            optional=True,
        ),
        Extension(
            "backtesting.engine.indicators._fastsma",
            sources=["backtesting/engine/indicators/_fastsma.c"],
            extra_compile_args=["-O2"],
            optional=True,
        ),
    ]
)
