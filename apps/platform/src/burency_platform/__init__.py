"""The composition root of Burency: the ``burency`` command, embedded and distributed.

This is the one package allowed to import every service: it builds them, wires them to
one bus and puts the gateway in front (``burency up``), or runs one of them alone
(``burency serve <service>``). Services never import each other or this package.
"""

__version__ = "0.1.0"
