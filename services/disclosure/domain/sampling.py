"""The verification sample: a stratified random sample of the filers who filed, proportional by
largest remainders, the same for the same seed and population, drawn once per cycle."""
import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Hashable, Iterable

from shared.contracts.common import ETHICS_OFFICE
from shared.contracts.disclosure import FilingStatus, SampleRequest, VerificationSampleDrawn
from shared.kernel.aggregate import Aggregate
from shared.kernel.errors import Conflict, Invalid

from .rules import FILED


def allocate(strata_sizes: dict[Hashable, int], size: int) -> dict[Hashable, int]:
    """Proportional allocation of `size` over strata, by largest remainders; every non-empty
    stratum gets at least one when `size` allows it, taken from the strata furthest above
    their quota. Ties go to the larger stratum, then to the lower key."""
    population = sum(strata_sizes.values())
    if size > population:
        raise ValueError(f"a sample of {size} is larger than the population of {population}")
    if population == 0:
        return {}
    order = sorted(strata_sizes, key=lambda k: (-strata_sizes[k], str(k)))
    exact = {k: size * strata_sizes[k] for k in order}  # quotas, times `population`
    shares = {k: exact[k] // population for k in order}
    by_remainder = sorted(order, key=lambda k: -(exact[k] % population))
    for k in by_remainder[:size - sum(shares.values())]:
        shares[k] += 1
    non_empty = [k for k in order if strata_sizes[k]]
    if size >= len(non_empty):
        for k in non_empty:
            if shares[k] == 0:
                donor = max((d for d in order if shares[d] > 1),
                            key=lambda d: shares[d] * population - exact[d])
                shares[donor] -= 1
                shares[k] = 1
    return shares


def sample_seed(seed: str) -> int:
    return int.from_bytes(hashlib.sha256(str(seed).encode()).digest()[:8], "big")


@dataclass
class Sample:
    allocation: list[tuple[tuple, int, int]]  # (stratum, population, drawn)
    chosen: list[str] = field(default_factory=list)  # staff ids, sorted


def draw_stratified_sample(population: Iterable[dict], size: int,
                           strata_key: Callable[[dict], tuple], seed: str) -> Sample:
    """A stratified random sample of the filers who filed: the same seed and population give
    the same sample."""
    filed = sorted((f for f in population if FilingStatus(f["status"]) in FILED),
                   key=lambda f: f["staff_id"])
    strata: dict[tuple, list[str]] = {}
    for filer in filed:
        strata.setdefault(tuple(strata_key(filer)), []).append(filer["staff_id"])
    shares = allocate({k: len(v) for k, v in strata.items()}, size)
    rng = random.Random(sample_seed(seed))
    sample = Sample(allocation=[])
    for key in sorted(strata):
        drawn = rng.sample(strata[key], shares[key])
        sample.allocation.append((key, len(strata[key]), shares[key]))
        sample.chosen.extend(drawn)
    sample.chosen.sort()
    return sample


def strata_key(fields: list[str]) -> Callable[[dict], tuple]:
    return lambda filer: tuple(str(filer.get(f)) for f in fields)


@dataclass
class VerificationSample(Aggregate):
    """A cycle's sample as drawn: the request (size, seed, strata), the filed population, how
    many each stratum gave, and the staff ids chosen."""
    year: int
    size: int
    seed: str
    strata: list[str]
    population: int
    allocation: list[dict]  # {stratum: {field: value}, population, size}
    staff_ids: list[str]

    @classmethod
    def draw(cls, year: int, request: SampleRequest,
             population: list[dict]) -> "VerificationSample":
        """`population`: each filer's stratum fields, status and entity. Invalid (naming
        `size`) for a sample larger than the filers who filed."""
        strata = [s.value for s in request.strata]
        try:
            drawn = draw_stratified_sample(population, request.size, strata_key(strata),
                                           request.seed)
        except ValueError as exc:
            raise Invalid.field("size", str(exc))
        sample = cls(year, request.size, request.seed, strata,
                     sum(p for _, p, _ in drawn.allocation),
                     [{"stratum": dict(zip(strata, key)), "population": p, "size": n}
                      for key, p, n in drawn.allocation], drawn.chosen)
        entity_of = {f["staff_id"]: f["entity"] for f in population}
        by_entity = Counter(entity_of[s] for s in drawn.chosen)
        sample.record(VerificationSampleDrawn(year=year, size=len(drawn.chosen),
                                              seed=request.seed, strata=strata,
                                              by_entity=dict(sorted(by_entity.items()))),
                      ETHICS_OFFICE)
        return sample

    def answers(self, request: SampleRequest) -> bool:
        """Whether this is the sample `request` asks for (the same request gets it again)."""
        return (self.size, self.seed, self.strata) == (
            request.size, request.seed, [s.value for s in request.strata])

    def another_refused(self) -> Conflict:
        """Why the cycle takes no other sample."""
        return Conflict(f"the {self.year} cycle has its verification sample already "
                        f"(size {self.size}, seed {self.seed})")

    def view(self) -> dict:
        return {"entity": ETHICS_OFFICE, "year": self.year, "size": self.size,
                "seed": self.seed, "strata": list(self.strata), "population": self.population,
                "allocation": [dict(a) for a in self.allocation],
                "staff_ids": list(self.staff_ids)}
