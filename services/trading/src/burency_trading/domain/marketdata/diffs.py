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

A diff lists every level that any command in ``(pu, u]`` changed, with its absolute
quantity as of ``u`` — also a level that went back to where it was (it may have been
different at some seq inside the window, which is where a client's snapshot may be).
The one exception: a level touched by a single command only, and left by it as it was
(a taker booked and filled within its own command), is left out: at no seq boundary
did it differ. So applying a diff to a book known as of ANY seq in ``[pu, u]`` gives the
book as of ``u``. A client holding a snapshot whose ``lastUpdateId`` is ``L`` drops the
diffs with ``u <= L``, applies the first one with ``pu <= L < u`` (``U <= L`` is
possible and harmless: the values are absolute), then requires ``pu ==`` the previous
``u`` for every next one; anything else is a gap: it takes a new snapshot. A diff left
with no level is not sent; the next diff's ``pu`` is still the last one sent.
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
        # (is bid, price) -> [quantity before the first change, first seq, last seq]
        self.before: dict[tuple[bool, int], list[int]] = {}


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
        touched = pending.before.get((is_bid, price))
        if touched is None:
            pending.before[(is_bid, price)] = [before, seq, seq]
        else:
            touched[2] = seq

    def flush(self, state: BookState) -> list[DepthDiff]:
        """The diffs of every market that changed (and forget them)."""
        out: list[DepthDiff] = []
        for market, pending in self._pending.items():
            book = state.books[market]
            bids: list[tuple[int, int]] = []
            asks: list[tuple[int, int]] = []
            for (is_bid, price), (before, first, last) in pending.before.items():
                now = book.level(is_bid, price)
                if now != before or first != last:
                    (bids if is_bid else asks).append((price, now))
            if not bids and not asks:
                continue  # only single-command round trips: nothing to say
            bids.sort(reverse=True)
            asks.sort()
            u = book.last_update_id
            pu = self._previous.get(market, 0)
            self._previous[market] = u
            out.append(DepthDiff(market, pending.first, u, pu, bids, asks))
        self._pending.clear()
        return out
