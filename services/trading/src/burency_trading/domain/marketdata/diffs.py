"""Depth diffs: the levels that changed since the last flush, with Binance's ``U``/``u``/``pu``.

One :class:`DepthDiffs` per stream (``@depth@100ms``, ``@depth``) listens to the
:class:`~.book.BookState`. At each flush, per market it gives the levels whose quantity
now differs from what it was at the previous flush (absolute lots; 0 = the level is
gone), and

* ``u``  = the seq of the last command that changed the book before this flush
  (= the book's ``last_update_id`` at the flush),
* ``pu`` = the ``u`` of the previous diff of this stream and market (the book's
  ``last_update_id`` when the stream started, for the first one),
* ``U``  = the seq of the first command after ``pu`` that changed the book.

So a diff describes every change made by the commands in ``(pu, u]``: applying it to a
book known as of ``pu`` gives the book as of ``u``. A client holding a snapshot whose
``lastUpdateId`` is ``L`` drops the diffs with ``u <= L``, applies the first one with
``pu <= L < u`` (``U <= L`` is possible and harmless: the values are absolute), then
requires ``pu == `` the previous ``u`` for every next one; anything else is a gap: it
takes a new snapshot. A tick whose changes cancel out (a level back where it was)
sends nothing; the next diff's ``pu`` is still the last one sent, so the chain holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from .book import BookState

__all__ = ["DepthDiff", "DepthDiffs"]


@dataclass(frozen=True, slots=True)
class DepthDiff:
    market: str
    first_update_id: int  # U
    final_update_id: int  # u
    previous_final_update_id: int  # pu
    bids: list[tuple[int, int]]  # (price ticks, lots), best first; 0 lots = removed
    asks: list[tuple[int, int]]


class _Pending:
    __slots__ = ("before", "first")

    def __init__(self, first: int) -> None:
        self.first = first
        self.before: dict[tuple[bool, int], int] = {}


class DepthDiffs:
    """Changed levels per market since the last :meth:`flush` (a ``LevelListener``)."""

    def __init__(self) -> None:
        self._pending: dict[str, _Pending] = {}
        self._previous: dict[str, int] = {}  # market -> u of the last diff sent

    def start(self, market: str, last_update_id: int) -> None:
        """The stream starts from a book known as of ``last_update_id`` (priming)."""
        self._previous[market] = last_update_id

    @property
    def dirty(self) -> bool:
        return bool(self._pending)

    def level_changed(self, market: str, is_bid: bool, price: int, before: int, seq: int) -> None:
        pending = self._pending.get(market)
        if pending is None:
            pending = self._pending[market] = _Pending(seq)
        pending.before.setdefault((is_bid, price), before)

    def flush(self, state: BookState) -> list[DepthDiff]:
        """The diffs of every market that changed (and forget them)."""
        out: list[DepthDiff] = []
        for market, pending in self._pending.items():
            book = state.books[market]
            bids: list[tuple[int, int]] = []
            asks: list[tuple[int, int]] = []
            for (is_bid, price), before in pending.before.items():
                now = book.level(is_bid, price)
                if now != before:
                    (bids if is_bid else asks).append((price, now))
            if not bids and not asks:
                continue  # changes that cancelled out: nothing to say, the chain holds
            bids.sort(reverse=True)
            asks.sort()
            u = book.last_update_id
            pu = self._previous.get(market, 0)
            self._previous[market] = u
            out.append(DepthDiff(market, pending.first, u, pu, bids, asks))
        self._pending.clear()
        return out
