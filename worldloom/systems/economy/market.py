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

from worldloom.systems.kernel import kernel, kernel_helper

Int = npt.NDArray[np.int64]
_DENSE_BOOKS = 1 << 22
"""Up to this many book ids, which books trade is marked in an array a flag per book (4 MB at
most); above, looked up in the other side's sorted books."""


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
    bid_live, ask_live, bid_key, ask_key = _queue_keys(
        bids.book, bids.price, bids.priority, asks.book, asks.price, asks.priority
    )
    if bid_live.size == 0:
        return _no_fills()
    top = int(max(bids.price.max(), asks.price.max()))
    bid_order = bid_live[
        _queue(bid_key, bids.book[bid_live], top - bids.price[bid_live], bids.priority[bid_live])
    ]
    ask_order = ask_live[
        _queue(ask_key, asks.book[ask_live], asks.price[ask_live], asks.priority[ask_live])
    ]
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


def _queue(key: Int | None, book: Int, rank: Int, priority: npt.NDArray[np.float64]) -> Int:
    """Order by book, then rank (lower first), then priority: one sort of the packed `key`
    (`_queue_keys`; several times faster than a three-key lexsort), or the lexsort when the
    three did not fit in one."""
    if key is None:
        return np.asarray(np.lexsort((priority, rank, book)), dtype=np.int64)
    return np.asarray(np.argsort(key), dtype=np.int64)


def _queue_keys(  # noqa: PLR0917 - the arrays of both sides, as `_packed_keys` takes them
    bid_book: Int,
    bid_price: Int,
    bid_priority: npt.NDArray[np.float64],
    ask_book: Int,
    ask_price: Int,
    ask_priority: npt.NDArray[np.float64],
) -> tuple[Int, Int, Int | None, Int | None]:
    """The orders of the books with both sides (bids, asks) and each side's packed sort key
    (None where book, rank and a 10-bit tie-break do not fit in 62 bits)."""
    bid_live, ask_live, bid_key, ask_key, bid_packed, ask_packed = _packed_keys(
        bid_book, bid_price, bid_priority, ask_book, ask_price, ask_priority
    )
    return bid_live, ask_live, bid_key if bid_packed else None, ask_key if ask_packed else None


@kernel
def _packed_keys(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    bid_book: Int,
    bid_price: Int,
    bid_priority: npt.NDArray[np.float64],
    ask_book: Int,
    ask_price: Int,
    ask_priority: npt.NDArray[np.float64],
) -> tuple[Int, Int, Int, Int, bool, bool]:
    """Each side's live orders and its key: book, then rank (a bid's distance below the top
    price, an ask's price), then its priority in the bits left, packed in one int64."""
    bid_live = np.flatnonzero(_among(bid_book, ask_book))
    ask_live = np.flatnonzero(_among(ask_book, bid_book))
    top = max(bid_price.max(), ask_price.max())
    bid_key, bid_packed = _pack(
        bid_book[bid_live], top - bid_price[bid_live], bid_priority[bid_live]
    )
    ask_key, ask_packed = _pack(ask_book[ask_live], ask_price[ask_live], ask_priority[ask_live])
    return bid_live, ask_live, bid_key, ask_key, bid_packed, ask_packed


@kernel_helper
def _among(books: Int, others: Int) -> npt.NDArray[np.bool_]:
    """Which of `books` are among `others`: by a flag per book where the books are a world's
    (markets x goods), by a sorted search where ids are sparse (a flag per book up to 2^30
    was 2 GB a call)."""
    n_books = max(books.max(), others.max()) + 1
    if n_books <= _DENSE_BOOKS:
        held = np.zeros(n_books, dtype=np.bool_)
        for book in others:
            held[book] = True
        return held[books]
    sorted_others = np.sort(others)
    at = np.minimum(np.searchsorted(sorted_others, books), sorted_others.size - 1)
    found: npt.NDArray[np.bool_] = sorted_others[at] == books
    return found


@kernel_helper
def _pack(book: Int, rank: Int, priority: npt.NDArray[np.float64]) -> tuple[Int, bool]:
    book_bits = _bit_length(book.max() if book.size else 0)
    rank_bits = _bit_length(rank.max() if rank.size else 0)
    tie_bits = 62 - book_bits - rank_bits
    key = np.empty(book.size, dtype=np.int64)
    if tie_bits < 10:
        return key, False
    for i in range(book.size):
        tie = np.int64(priority[i] * (1 << tie_bits))
        key[i] = (book[i] << (rank_bits + tie_bits)) | (rank[i] << tie_bits) | tie
    return key, True


@kernel_helper
def _bit_length(value: int) -> int:
    bits = 0
    while value > 0:
        value >>= 1
        bits += 1
    return bits


def _no_fills() -> Fills:
    empty = np.zeros(0, dtype=np.int64)
    return Fills(bid=empty, ask=empty, qty=empty, price=empty)
