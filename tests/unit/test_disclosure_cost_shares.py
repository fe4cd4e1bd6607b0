"""Cost shares: the programme's cost by filer count, exact to the cent."""
import pytest

from services.disclosure.domain import cost_shares


@pytest.mark.parametrize("cost,filers", [
    (1_000_000.00, {"UNHCR": 700, "UNRWA": 120, "UNU": 33, "ICC": 3}),
    (100.00, {"A": 1, "B": 1, "C": 1}),
    (2_345_678.91, {f"E{i}": i * 7 + 1 for i in range(40)}),
    (0.05, {"A": 3, "B": 3, "C": 3, "D": 3, "E": 3, "F": 3, "G": 3}),
])
def test_shares_add_up_to_the_cost_to_the_cent(cost, filers):
    unit, shares = cost_shares(cost, filers)
    assert round(sum(shares.values()) * 100) == round(cost * 100)
    assert set(shares) == set(filers)
    total = sum(filers.values())
    for entity, n in filers.items():
        assert abs(shares[entity] - cost * n / total) < 0.01 + 1e-9
    assert unit == round(cost / total, 2)


def test_the_leftover_cents_go_to_the_largest_remainders():
    # 100.00 over 3 equal filers: 33.33 each and one cent left, to the first code on a tie
    unit, shares = cost_shares(100.00, {"B": 1, "A": 1, "C": 1})
    assert shares == {"A": 33.34, "B": 33.33, "C": 33.33} and unit == 33.33


def test_more_filers_lower_the_unit_cost():
    few, _ = cost_shares(500_000, {"A": 1000, "B": 704})
    many, _ = cost_shares(500_000, {"A": 3000, "B": 2488})
    assert many < few


def test_no_filers_no_shares():
    assert cost_shares(1000, {"A": 0}) == (0.0, {"A": 0.0})
