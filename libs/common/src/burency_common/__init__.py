"""Burency shared library (the seed's "common package").

Every service depends on this package and on nothing of another service. The
public parts live in submodules (``burency_common.money``, ``burency_common.errors``,
``burency_common.bus`` ...); importing this package builds nothing.
"""

__version__ = "0.1.0"
