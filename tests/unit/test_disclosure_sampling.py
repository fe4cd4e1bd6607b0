"""The verification sample: stratified, proportional by largest remainders, reproducible."""
from collections import Counter

import pytest

from services.disclosure.domain import allocate, draw_stratified_sample, strata_key


def filers(spec: dict[tuple[str, str], int], status="filed") -> list[dict]:
    """`spec` maps (entity, grade) to how many filers."""
    out = []
    for (entity, grade), n in spec.items():
        out += [{"staff_id": f"{entity}-{grade}-{i:04d}", "entity": entity, "grade": grade,
                 "status": status} for i in range(n)]
    return out


POPULATION = filers({("DM", "P-4"): 240, ("DM", "D-1"): 31, ("DPA", "P-5"): 369,
                     ("EO", "P-3"): 13, ("UNHCR", "P-4"): 500, ("SCSL", "D-2"): 1})
BY_ENTITY_GRADE = strata_key(["entity", "grade"])


@pytest.mark.parametrize("size", [6, 7, 50, 239, 1000, len(POPULATION)])
def test_the_allocation_adds_up_to_the_size(size):
    sample = draw_stratified_sample(POPULATION, size, BY_ENTITY_GRADE, "seed")
    assert sum(n for _, _, n in sample.allocation) == size == len(sample.chosen)
    assert len(set(sample.chosen)) == size


def test_allocation_is_proportional_within_one_when_every_quota_is_at_least_one():
    sizes = {"a": 240, "b": 369, "c": 13, "d": 500, "e": 101}
    total = sum(sizes.values())
    for size in range(20, 1200, 37):
        shares = allocate(sizes, size)
        assert sum(shares.values()) == size
        for k, n in sizes.items():
            assert abs(shares[k] - size * n / total) < 1, (size, k)


def test_largest_remainders_decide_the_leftover_units():
    # quotas 3.4, 3.35, 3.25: floors 3+3+3 = 9, the one left goes to the largest remainder
    assert allocate({"a": 340, "b": 335, "c": 325}, 10) == {"a": 4, "b": 3, "c": 3}


def test_every_non_empty_stratum_gets_one_when_the_size_allows():
    shares = allocate({"big": 990, "small": 5, "tiny": 5, "empty": 0}, 10)
    assert shares == {"big": 8, "small": 1, "tiny": 1, "empty": 0}
    assert sum(allocate({"big": 990, "small": 5, "tiny": 5}, 2).values()) == 2


def test_the_same_seed_and_population_give_the_same_sample_in_any_order():
    first = draw_stratified_sample(POPULATION, 239, BY_ENTITY_GRADE, "2014-verification")
    shuffled = list(reversed(POPULATION))
    again = draw_stratified_sample(shuffled, 239, BY_ENTITY_GRADE, "2014-verification")
    assert first.chosen == again.chosen and first.allocation == again.allocation


def test_another_seed_gives_another_sample_with_the_same_allocation():
    one = draw_stratified_sample(POPULATION, 239, BY_ENTITY_GRADE, "one")
    two = draw_stratified_sample(POPULATION, 239, BY_ENTITY_GRADE, "two")
    assert one.allocation == two.allocation
    assert one.chosen != two.chosen


def test_only_filers_who_filed_are_drawn():
    population = POPULATION + filers({("DM", "P-4"): 50}, status="invited") + [
        {"staff_id": "X-1", "entity": "DM", "grade": "P-4", "status": "exempted"}]
    population[-2]["staff_id"] = "NOT-FILED"
    sample = draw_stratified_sample(population, len(POPULATION), BY_ENTITY_GRADE, "s")
    assert set(sample.chosen) == {f["staff_id"] for f in POPULATION}
    with pytest.raises(ValueError):
        draw_stratified_sample(population, len(POPULATION) + 1, BY_ENTITY_GRADE, "s")


def test_each_stratum_is_drawn_from_its_own_members():
    sample = draw_stratified_sample(POPULATION, 100, BY_ENTITY_GRADE, "s")
    by_id = {f["staff_id"]: f for f in POPULATION}
    drawn = Counter((by_id[s]["entity"], by_id[s]["grade"]) for s in sample.chosen)
    assert drawn == {key: n for key, _, n in sample.allocation if n}
    assert {key: p for key, p, _ in sample.allocation}[("DPA", "P-5")] == 369
