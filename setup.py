"""The one compiled piece: the numeric CSV parser (pyproject.toml holds everything else).

It is optional: without a C compiler the install still succeeds and the readers use
numpy's parser (backtesting/engine/data/readers.py), which accepts the same files.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "backtesting.engine.data._fastcsv",
            sources=["backtesting/engine/data/_fastcsv.c"],
            extra_compile_args=["-O2"],
            optional=True,
        )
    ]
)
