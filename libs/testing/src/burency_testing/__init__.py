"""Burency test support: the pytest plugin and the helpers every suite reuses.

A workspace package of its own (``libs/testing``, a dev dependency of the root) so the
production wheel of ``burency_common`` ships no test code; ``.importlinter`` forbids every
production package to import it.
"""
