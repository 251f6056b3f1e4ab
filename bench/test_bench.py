"""Tests of bench/bench.py's arithmetic and of its one-login-at-a-time order (run by `make test`,
through `make test-python`). The bench itself is not run here: it needs release builds and
minutes; these check that the figures it prints mean what bench/README.md says."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402


def test_paired_ratio_is_the_median_of_per_round_quotients_with_its_middle_half():
    pairs = [(110, 100), (204, 200), (330, 300), (103, 100), (106, 100)]
    ratio, low, high = bench.paired(pairs, lambda a, b: a / b)
    # Quotients 1.10, 1.02, 1.10, 1.03, 1.06: median 1.06; 25th and 75th percentiles 1.03, 1.10.
    assert round(ratio, 6) == 1.06
    assert (round(low, 6), round(high, 6)) == (1.03, 1.10)
    diff, dlow, dhigh = bench.paired(pairs, lambda a, b: a - b)
    assert (diff, dlow, dhigh) == (6, 4, 10)


def test_paired_ratio_holds_where_the_quotient_of_medians_lands_between_two_speeds():
    # The row costs 2% more than its floor in every round, but the machine runs at two speeds
    # (rounds 0-4 fast, 5-9 slow); each side's batch is measured at the speed of its round.
    pairs = []
    for n in range(10):
        floor = 100.0 if n < 5 else 150.0
        pairs.append((floor * 1.02, floor))
    ratio, low, high = bench.paired(pairs, lambda a, b: a / b)
    assert round(ratio, 9) == round(low, 9) == round(high, 9) == 1.02
    # Each side's samples: one more slow row batch than slow floor batch (a round's floor batch
    # lost to an error, say) moves the row's median to the slow mode and leaves the floor's in
    # the gap: the quotient of medians says 1.22x.
    rows = [a for a, _ in pairs] + [153.0]
    floors = [b for _, b in pairs]
    assert bench.median(rows) / bench.median(floors) > 1.2


class FakeWorker:
    """A worker whose logins take `ns` each, recording the order of the calls."""

    def __init__(self, key: str, ns: int, calls: list[str]):
        self.key, self.ns, self.calls = key, ns, calls

    def run(self, k: int) -> list[int]:
        self.calls.append(f"{self.key}:{k}")
        return [self.ns] * k


def row(key: str, floor: str | None, ns: int, calls: list[str]) -> bench.Row:
    r = bench.Row(key, key, ["true"], floor=floor)
    r.worker = FakeWorker(key, ns, calls)
    return r


def test_one_at_a_time_alternates_single_logins_of_each_goal_row_and_its_floor():
    calls: list[str] = []
    floor = row("c_passcode", None, 100, calls)
    https_floor = row("tls_resumed", None, 400, calls)
    rows = [floor, https_floor, row("rs_passcode", "c_passcode", 105, calls),
            row("rs_https", "tls_resumed", 420, calls),
            # Not a goal row: left out.
            row("rs_push", "c_passcode", 999, calls)]
    by_key = {r.key: r for r in rows}
    cold = bench.one_at_a_time(rows, by_key, 4)
    assert cold.stopped == ""
    assert [r.key for r, _ in cold.rows] == ["rs_passcode", "rs_https"]
    assert dict((r.key, p) for r, p in cold.rows) == {
        "rs_passcode": [(105, 100)] * 4, "rs_https": [(420, 400)] * 4}
    # One login per call; every row in turn (the order rotated each round); the row first in
    # even rounds and its floor first in odd ones.
    assert all(c.endswith(":1") for c in calls)
    keys = [c.split(":")[0] for c in calls]
    assert keys[:8] == ["rs_passcode", "c_passcode", "rs_https", "tls_resumed",
                        "tls_resumed", "rs_https", "c_passcode", "rs_passcode"]
    assert "rs_push" not in keys


class FailingWorker(FakeWorker):
    def run(self, k: int) -> list[int]:
        raise RuntimeError("worker exited: boom")


def test_a_failure_one_at_a_time_stops_that_table_and_leaves_the_rows_as_they_were():
    calls: list[str] = []
    floor = row("c_passcode", None, 100, calls)
    https_floor = row("tls_resumed", None, 400, calls)
    passcode = row("rs_passcode", "c_passcode", 105, calls)
    https = row("rs_https", "tls_resumed", 420, calls)
    https.worker = FailingWorker("rs_https", 0, calls)
    rows = [floor, https_floor, passcode, https]
    cold = bench.one_at_a_time(rows, {r.key: r for r in rows}, 3)
    assert cold.stopped == "stopped in round 1: rs_https: worker exited: boom"
    assert dict((r.key, p) for r, p in cold.rows) == {"rs_passcode": [(105, 100)], "rs_https": []}
    # The main table's figures of every row stand: none is marked skipped.
    assert not any(r.skipped for r in rows)
