"""A double-auction clearing house for many order books at once, which never trades when ask > bid.

Doran & Parberry's clearing house pairs the highest bid with the lowest ask, trades the smaller
quantity at the average of the two prices and repeats. bazaarBot (issue #11) keeps pairing after
the ask has risen above the bid; here a pair trades only while bid >= ask. Every book of every
market is sorted in one pass and matched in one compiled walk over the sorted queues.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from worldloom.systems.kernel import kernel

Int = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Orders:
    """One side of every book: `book[i]` is the order's book, `price[i]` its limit (whole
    copper, >= 1), `qty[i]` its units (>= 1), `priority[i]` the tie-break among equal prices,
    in [0, 1) (lower goes first; the caller draws it at random so no agent is always first)."""

    book: Int
    price: Int
    qty: Int
    priority: npt.NDArray[np.float64]

    def __post_init__(self) -> None:
        sizes = {self.book.size, self.price.size, self.qty.size, self.priority.size}
        if len(sizes) != 1:
            raise ValueError(f"order arrays differ in length: {sorted(sizes)}")
        if self.price.size and (self.price.min() < 1 or self.qty.min() < 1):
            raise ValueError("orders need a price and a quantity of at least 1")
        if self.priority.size and (self.priority.min() < 0 or self.priority.max() >= 1):
            raise ValueError("order priorities must lie in [0, 1)")


@dataclass(frozen=True, slots=True)
class Fills:
    """Trades: bid order `bid[k]` bought `qty[k]` units from ask order `ask[k]` at `price[k]`."""

    bid: Int
    ask: Int
    qty: Int
    price: Int


def clear_books(bids: Orders, asks: Orders) -> Fills:
    """Match every book's bids (best first) against its asks (cheapest first).

    Each matched pair trades the smaller of their open quantities at the mean of their two
    limits, rounded down, so the price never leaves [ask, bid]. A pair whose ask exceeds its
    bid ends that book's trading. Fills come book by book, in matching order.
    """
    if bids.qty.size == 0 or asks.qty.size == 0:
        return _no_fills()
    # Only books with orders on both sides can trade; most books have one side only.
    n_books = int(max(bids.book.max(), asks.book.max())) + 1
    two_sided = np.zeros(n_books, dtype=np.bool_)
    two_sided[bids.book] = True
    with_asks = np.zeros(n_books, dtype=np.bool_)
    with_asks[asks.book] = True
    two_sided &= with_asks
    bid_live = np.flatnonzero(two_sided[bids.book])
    ask_live = np.flatnonzero(two_sided[asks.book])
    if bid_live.size == 0:
        return _no_fills()
    top = int(max(bids.price.max(), asks.price.max()))
    bid_order = bid_live[
        _queue(bids.book[bid_live], top - bids.price[bid_live], bids.priority[bid_live])
    ]
    ask_order = ask_live[_queue(asks.book[ask_live], asks.price[ask_live], asks.priority[ask_live])]
    bid, ask, qty, price = _match(
        bid_order, ask_order, bids.book, bids.price, bids.qty, asks.book, asks.price, asks.qty
    )
    return Fills(bid=bid, ask=ask, qty=qty, price=price)


@kernel
def _match(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    bid_order: Int,
    ask_order: Int,
    bid_book: Int,
    bid_price: Int,
    bid_qty: Int,
    ask_book: Int,
    ask_price: Int,
    ask_qty: Int,
) -> tuple[Int, Int, Int, Int]:
    """Walk both queues (each sorted by book, then best price first) book by book."""
    n_bids, n_asks = bid_order.size, ask_order.size
    # Each fill uses up a bid or an ask (or both), so there are fewer fills than orders.
    most = n_bids + n_asks
    fill_bid, fill_ask = np.empty(most, dtype=np.int64), np.empty(most, dtype=np.int64)
    fill_qty, fill_price = np.empty(most, dtype=np.int64), np.empty(most, dtype=np.int64)
    i = j = n = 0
    bid_left, ask_left = bid_qty[bid_order[0]], ask_qty[ask_order[0]]
    while i < n_bids and j < n_asks:
        b, a = bid_order[i], ask_order[j]
        book = bid_book[b]
        next_bid = book < ask_book[a]
        next_ask = ask_book[a] < book
        if book == ask_book[a] and bid_price[b] < ask_price[a]:
            # The best ask left is above the best bid left: this book is done.
            next_bid = next_ask = True
        elif not (next_bid or next_ask):
            units = min(bid_left, ask_left)
            fill_bid[n], fill_ask[n], fill_qty[n] = b, a, units
            fill_price[n] = (bid_price[b] + ask_price[a]) // 2
            n += 1
            bid_left -= units
            ask_left -= units
            next_bid, next_ask = bid_left == 0, ask_left == 0
        if next_bid:
            i += 1
            bid_left = bid_qty[bid_order[i]] if i < n_bids else 0
        if next_ask:
            j += 1
            ask_left = ask_qty[ask_order[j]] if j < n_asks else 0
    return fill_bid[:n], fill_ask[:n], fill_qty[:n], fill_price[:n]


def _queue(book: Int, rank: Int, priority: npt.NDArray[np.float64]) -> Int:
    """Order by book, then rank (lower first), then priority: one sort on a packed int64 key
    when the three fit in 62 bits (several times faster than a three-key lexsort)."""
    book_bits = int(book.max(initial=0)).bit_length()
    rank_bits = int(rank.max(initial=0)).bit_length()
    tie_bits = 62 - book_bits - rank_bits
    if tie_bits < 10:
        return np.asarray(np.lexsort((priority, rank, book)), dtype=np.int64)
    tie = (priority * (1 << tie_bits)).astype(np.int64)
    key = (book << (rank_bits + tie_bits)) | (rank << tie_bits) | tie
    return np.asarray(np.argsort(key), dtype=np.int64)


def _no_fills() -> Fills:
    empty = np.zeros(0, dtype=np.int64)
    return Fills(bid=empty, ask=empty, qty=empty, price=empty)
