"""The double auction: trades only when bid >= ask, at a price between them, never overfilled."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from worldloom.systems.economy import Orders, clear_books


def _orders(book: list[int], price: list[int], qty: list[int]) -> Orders:
    n = len(book)
    return Orders(
        np.array(book, dtype=np.int64),
        np.array(price, dtype=np.int64),
        np.array(qty, dtype=np.int64),
        np.arange(n, dtype=np.float64) / max(n, 1),
    )


def test_pairs_best_bid_with_cheapest_ask_until_they_cross() -> None:
    fills = clear_books(_orders([0, 0], [10, 8], [3, 2]), _orders([0, 0], [5, 9], [1, 4]))
    assert fills.qty.tolist() == [1, 2]
    assert fills.price.tolist() == [7, 9]
    assert fills.bid.tolist() == [0, 0]
    assert fills.ask.tolist() == [0, 1]


def test_no_trade_when_every_ask_exceeds_every_bid() -> None:
    fills = clear_books(_orders([0, 1], [5, 5], [4, 4]), _orders([0, 1], [6, 9], [4, 4]))
    assert fills.qty.size == 0


def test_books_never_mix() -> None:
    fills = clear_books(_orders([3], [100], [5]), _orders([4], [1], [5]))
    assert fills.qty.size == 0


def _listed(orders: list[tuple[int, int, int]]) -> Orders:
    """(book, price, qty) tuples as one side's orders."""
    return _orders([o[0] for o in orders], [o[1] for o in orders], [o[2] for o in orders])


order_lists = st.lists(
    st.tuples(st.integers(0, 3), st.integers(1, 40), st.integers(1, 9)), min_size=0, max_size=30
)


@settings(max_examples=150, deadline=None)
@given(bids=order_lists, asks=order_lists)
def test_every_fill_is_a_fair_trade(
    bids: list[tuple[int, int, int]], asks: list[tuple[int, int, int]]
) -> None:
    b, a = _listed(bids), _listed(asks)
    fills = clear_books(b, a)
    assert (b.price[fills.bid] >= a.price[fills.ask]).all()
    assert (fills.price >= a.price[fills.ask]).all()
    assert (fills.price <= b.price[fills.bid]).all()
    assert (b.book[fills.bid] == a.book[fills.ask]).all()
    assert (np.bincount(fills.bid, fills.qty, b.qty.size) <= b.qty).all()
    assert (np.bincount(fills.ask, fills.qty, a.qty.size) <= a.qty).all()
    # Each book trades up to the crossing: no unfilled bid is at or above an unfilled ask.
    left_bid = b.qty - np.bincount(fills.bid, fills.qty, b.qty.size).astype(np.int64)
    left_ask = a.qty - np.bincount(fills.ask, fills.qty, a.qty.size).astype(np.int64)
    for book in range(4):
        open_bids = b.price[(b.book == book) & (left_bid > 0)]
        open_asks = a.price[(a.book == book) & (left_ask > 0)]
        if open_bids.size and open_asks.size:
            assert open_bids.max() < open_asks.min()


def _reference(bids: Orders, asks: Orders) -> list[tuple[int, int, int, int]]:
    """Doran & Parberry's clearing house in plain Python, one book at a time: best bid against
    cheapest ask (ties by priority), the smaller quantity at the mean price, until they cross."""
    fills = []
    for book in sorted(set(bids.book.tolist()) & set(asks.book.tolist())):
        bid_queue = sorted(
            np.flatnonzero(bids.book == book).tolist(),
            key=lambda i: (-bids.price[i], bids.priority[i]),
        )
        ask_queue = sorted(
            np.flatnonzero(asks.book == book).tolist(),
            key=lambda i: (asks.price[i], asks.priority[i]),
        )
        bid_left = {i: int(bids.qty[i]) for i in bid_queue}
        ask_left = {i: int(asks.qty[i]) for i in ask_queue}
        while bid_queue and ask_queue:
            b, a = bid_queue[0], ask_queue[0]
            if bids.price[b] < asks.price[a]:
                break
            units = min(bid_left[b], ask_left[a])
            fills.append((b, a, units, int(bids.price[b] + asks.price[a]) // 2))
            bid_left[b] -= units
            ask_left[a] -= units
            if bid_left[b] == 0:
                bid_queue.pop(0)
            if ask_left[a] == 0:
                ask_queue.pop(0)
    return fills


def assert_clears_like_the_loop(
    bids: list[tuple[int, int, int]], asks: list[tuple[int, int, int]]
) -> None:
    b, a = _listed(bids), _listed(asks)
    fills = clear_books(b, a)
    got = list(
        zip(fills.bid.tolist(), fills.ask.tolist(), fills.qty.tolist(), fills.price.tolist(),
            strict=True)
    )  # fmt: skip
    assert got == _reference(b, a)


@settings(max_examples=150, deadline=None)
@given(bids=order_lists, asks=order_lists)
def test_clears_like_the_per_book_loop(
    bids: list[tuple[int, int, int]], asks: list[tuple[int, int, int]]
) -> None:
    assert_clears_like_the_loop(bids, asks)


wide_lists = st.lists(
    st.tuples(st.sampled_from([0, 2**30]), st.integers(2**30, 2**30 + 3), st.integers(1, 9)),
    min_size=1,
    max_size=12,
)


@settings(max_examples=50, deadline=None)
@given(bids=wide_lists, asks=wide_lists)
def test_books_and_prices_too_wide_to_pack_clear_alike(
    bids: list[tuple[int, int, int]], asks: list[tuple[int, int, int]]
) -> None:
    # 31 bits of book and ~31 of price leave no room for a tie-break in one int64 key: the
    # queues are then sorted on the three keys (a lexsort).
    assert_clears_like_the_loop(bids, asks)
