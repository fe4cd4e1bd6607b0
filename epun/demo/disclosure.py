"""Demo data of the financial disclosure programme, loaded through the public API: the cycles
2011 to 2015, whose filers give figure V's table, the 2014 cycle as the report and its annex
describe it, and 2015 as enrolled by 31 July 2015.

What the report gives and the demo reproduces exactly:
- figure V: filers per cycle by category (the 2014 row as the annex classifies it, see below);
- the annex: the 2014 cycle's 42 Secretariat lines, 1,560 Secretariat, 1,628 peacekeeping and
  1,855 other filers, 5,043 in all, every one of them filed (100% compliance);
- 2014: 1,092 first-time filers (derived by the service from who filed in earlier cycles: the
  staff ids below are built so that it comes out exactly), 239 filers in the verification
  sample, 177 filers with 193 conflicts (58 financial holdings, 53 outside activities,
  78 family relationships, 4 other), 151 ASG and above eligible for voluntary public
  disclosure, of whom 103 published (each summary approved by the Ethics Office).
Figure V gives 2014 as 1,566 Secretariat and 1,622 peacekeeping, the annex 1,560 and 1,628: the
two tables classify six filers differently. The demo follows the annex's classification; the
sum (3,188) and the total (5,043) hold in both.

ILLUSTRATIVE (plausible choices, not figures of the report): the split of peacekeeping and
other filers among entities; every entity's filers in 2011-2013 and 2015 (each category's total
shared in proportion to 2014); duty stations, grades and designations; which staff return from
one cycle to the next outside 2014; the few non-filers left when 2011-2013 closed; filing
dates; deadlines and programme costs; which filers have conflicts, are sampled or publish; the
reasons for declining; verification outcomes (all verified). Earlier cycles carry enrolment and
filing only; 2015 carries enrolment only (the cycle was still open on 31 July 2015).

Loading twice changes nothing: a closed cycle is complete and skipped, and every step of an
open one only does what is still missing.
"""
import datetime as dt

from .directory import OTHER, PEACEKEEPING, SECRETARIAT

CHUNK = 2500

# the annex, 2014: required to file, per Secretariat line (A/70/307; docs/domain.md)
SECRETARIAT_2014 = {
    "ACABQ": 2, "CEB": 3, "CTED": 4, "DGACM": 25, "DESA": 53, "DM": 240, "DPA": 369, "DPI": 37,
    "DSS": 24, "ESCAP": 42, "ESCWA": 30, "ECA": 111, "ECE": 10, "ECLAC": 53, "EO": 13,
    "EOSG": 15, "ICTR": 19, "ICTY": 34, "MICT": 16, "ODA": 6, "OCHA": 27, "OAJ": 2, "OIOS": 16,
    "OLA": 24, "SRSG-CAAC": 1, "SRSG-SVC": 3, "OHCHR": 21, "UNOMS": 2, "OSAA": 2, "OHRLLS": 4,
    "OPGA": 2, "PBSO": 4, "RCNYO": 1, "SCSL": 1, "STL": 30, "UNJSPF": 73, "UNOAU": 7,
    "UNCTAD": 26, "UNOG": 82, "UNON": 47, "UNOV": 17, "UNODC": 62,
}
# ILLUSTRATIVE: the annex's peacekeeping (1,628) and other (1,855) totals among entities; the
# other entities are the cost-sharing participants of footnote 1
PEACEKEEPING_2014 = {
    "DPKO-DFS": 260, "MONUSCO": 190, "MINUSMA": 120, "UNMISS": 170, "UNAMID": 180,
    "MINUSTAH": 110, "UNIFIL": 95, "MINUSCA": 90, "UNMIL": 85, "UNOCI": 80, "UNSOA": 60,
    "UNMIK": 40, "MINURSO": 25, "UNFICYP": 20, "UNDOF": 18, "UNLB": 45, "RSCE": 40,
}
OTHER_2014 = {
    "UNRWA": 160, "UNIDIR": 10, "UNICRI": 12, "UNAIDS": 190, "UNCCD": 15, "UNHCR": 900,
    "UNCC": 20, "UNFCCC": 60, "UNITAR": 15, "UNU": 40, "UN-WOMEN": 383, "ICC": 50,
}
# the directory's entities (epun/demo/directory.py) with their 2014 filers; the directory's other
# entities that are not among footnote 1's cost-sharing participants have no filers here
CATEGORIES = {
    "secretariat": {code: SECRETARIAT_2014[code] for code, _ in SECRETARIAT},
    "peacekeeping": {code: PEACEKEEPING_2014[code] for code, _ in PEACEKEEPING},
    "other": {code: OTHER_2014[code] for code, _ in OTHER if code in OTHER_2014},
}
assert sum(CATEGORIES["other"].values()) == sum(OTHER_2014.values())
# figure V: filers by category and cycle (2014 as the annex classifies it)
FIGURE_V = {
    2011: {"peacekeeping": 1697, "secretariat": 1351, "other": 1258},
    2012: {"peacekeeping": 1600, "secretariat": 1558, "other": 1472},
    2013: {"peacekeeping": 1508, "secretariat": 1505, "other": 1560},
    2014: {"peacekeeping": 1628, "secretariat": 1560, "other": 1855},
    2015: {"peacekeeping": 1574, "secretariat": 1661, "other": 2253},
}
FIRST_TIME_2014 = 1092
CONFLICTS_2014 = {"financial_holding": 58, "outside_activity": 53, "family_relationship": 78,
                  "other": 4}
CONFLICTED_FILERS_2014 = 177
SAMPLE_2014 = {"size": 239, "seed": "A/70/307", "strata": ["entity"]}
ELIGIBLE_2014, PUBLISHED_2014 = 151, 103
DECLINED_2014 = {"security": 21, "cultural": 9, "religious": 6, "other": 12}  # ILLUSTRATIVE
# ILLUSTRATIVE: deadlines, programme costs (US$), non-filers at the close, returning share
CYCLES: dict[int, dict] = {
    2011: {"deadline": "2011-05-31", "programme_cost": 1_850_000.00, "non_filers": 13},
    2012: {"deadline": "2012-05-31", "programme_cost": 1_900_000.00, "non_filers": 9},
    2013: {"deadline": "2013-05-31", "programme_cost": 1_950_000.00, "non_filers": 5},
    2014: {"deadline": "2014-05-31", "programme_cost": 2_050_000.00, "non_filers": 0},
    2015: {"deadline": "2015-05-31", "programme_cost": 2_100_000.00, "non_filers": None},
}
RETURNING_SHARE = 0.8
COST_SHARING = set(CATEGORIES["other"])
DUTY_STATIONS = {  # ILLUSTRATIVE: each entity's main duty station; New York otherwise
    "ESCAP": "Bangkok", "ESCWA": "Beirut", "ECA": "Addis Ababa", "ECE": "Geneva",
    "ECLAC": "Santiago", "ICTR": "Arusha", "ICTY": "The Hague", "MICT": "The Hague",
    "OHCHR": "Geneva", "SCSL": "Freetown", "STL": "Leidschendam", "UNOAU": "Addis Ababa",
    "UNCTAD": "Geneva", "UNOG": "Geneva", "UNON": "Nairobi", "UNOV": "Vienna",
    "UNODC": "Vienna", "MONUSCO": "Kinshasa", "MINUSMA": "Bamako", "UNMISS": "Juba",
    "UNAMID": "El Fasher", "MINUSTAH": "Port-au-Prince", "UNIFIL": "Naqoura",
    "MINUSCA": "Bangui", "UNMIL": "Monrovia", "UNOCI": "Abidjan", "UNSOA": "Nairobi",
    "UNMIK": "Pristina", "MINURSO": "Laayoune", "UNFICYP": "Nicosia", "UNDOF": "Damascus",
    "UNLB": "Brindisi", "RSCE": "Entebbe", "UNRWA": "Amman", "UNIDIR": "Geneva",
    "UNICRI": "Turin", "UNAIDS": "Geneva", "UNCCD": "Bonn", "UNHCR": "Geneva",
    "UNCC": "Geneva", "UNFCCC": "Bonn", "UNITAR": "Geneva", "UNU": "Tokyo", "ICC": "Geneva",
}
GRADES = ["D-1", "P-5", "P-4", "D-2", "P-4", "P-3", "P-5", "G-7", "P-4", "P-2"]  # ILLUSTRATIVE


def load(client, say=print):
    entities = {code: category for category, counts in CATEGORIES.items() for code in counts}
    changed = _participants(client, entities)
    say(f"disclosure: {len(entities)} participating entities ({changed} added or changed)")
    plan = Plan(entities)
    for year in sorted(CYCLES):
        changed = _cycle(client, year, plan.rows(year))
        say(f"disclosure: the {year} cycle, {len(plan.rows(year)):,} filers "
            f"({changed:,} records added or changed)")


# the plan: who files in which cycle, built the same way on every run

class Plan:
    def __init__(self, entities: dict[str, str]):
        self.entities = entities
        self.next_id = 0
        self.filed: dict[str, list[str]] = {e: [] for e in entities}  # who filed, per entity
        self.by_year: dict[int, list[dict]] = {}
        for year in sorted(CYCLES):
            self.by_year[year] = self._year(year)

    def rows(self, year: int) -> list[dict]:
        return self.by_year[year]

    def _new_id(self) -> str:
        self.next_id += 1
        return f"S{self.next_id:06d}"

    def _year(self, year: int) -> list[dict]:
        counts = _per_entity(year)
        new = _first_timers(counts, self.filed) if year == 2014 else {
            e: n - min(round(n * RETURNING_SHARE), len(self.filed[e])) for e, n in counts.items()}
        rows = []
        for entity, n in counts.items():
            returning = _most_recent(self.filed[entity], n - new[entity])
            staff = sorted(returning + [self._new_id() for _ in range(new[entity])])
            rows += [_filer(entity, staff_id, i) for i, staff_id in enumerate(staff)]
        rows.sort(key=lambda r: r["staff_id"])
        _mark_non_filers(rows, CYCLES[year]["non_filers"])
        for row in rows:
            if row["files"]:  # the most recent filers come last
                filed = self.filed[row["entity"]]
                if row["staff_id"] in filed:
                    filed.remove(row["staff_id"])
                filed.append(row["staff_id"])
        in_2014 = sum(FIGURE_V[2014].values())  # other years: ILLUSTRATIVE, in proportion
        _senior_officials(rows, round(ELIGIBLE_2014 * len(rows) / in_2014))
        return rows


def _per_entity(year: int) -> dict[str, int]:
    counts = {}
    for category, in_2014 in CATEGORIES.items():
        counts.update(_shares(in_2014, FIGURE_V[year][category]))
    return counts


def _shares(weights: dict[str, int], total: int) -> dict[str, int]:
    """`total` split in proportion to `weights`, by largest remainders."""
    whole = sum(weights.values())
    shares = {k: total * w // whole for k, w in weights.items()}
    order = sorted(weights, key=lambda k: (-(total * weights[k] % whole), k))
    for k in order[:total - sum(shares.values())]:
        shares[k] += 1
    return shares


def _first_timers(counts: dict[str, int], filed: dict[str, list[str]]) -> dict[str, int]:
    """2014's new staff per entity, adding up to the report's 1,092: proportional, at least
    what the entity's earlier filers cannot cover."""
    least = {e: max(0, n - len(filed[e])) for e, n in counts.items()}
    new = {e: max(least[e], n) for e, n in _shares(counts, FIRST_TIME_2014).items()}
    excess = sum(new.values()) - FIRST_TIME_2014
    for e in sorted(new, key=lambda e: (-(new[e] - least[e]), e)):
        if excess <= 0:
            break
        give = min(excess, new[e] - least[e])
        new[e] -= give
        excess -= give
    return new


def _most_recent(filed: list[str], n: int) -> list[str]:
    return filed[len(filed) - n:] if n else []


def _filer(entity: str, staff_id: str, i: int) -> dict:
    grade = GRADES[i % len(GRADES)]
    senior = grade in ("D-1", "D-2")
    designation = ("senior_official" if senior else "investment" if entity == "UNJSPF"
                   else "procurement" if i % 5 < 3 else "other")
    return {"staff_id": staff_id, "entity": entity,
            "duty_station": DUTY_STATIONS.get(entity, "New York"), "grade": grade,
            "designation": designation, "files": True}


def _mark_non_filers(rows: list[dict], non_filers: int | None):
    """`non_filers` of the rows, spread evenly, do not file; None: nobody files (yet)."""
    if non_filers is None:
        for row in rows:
            row["files"] = False
        return
    for k in range(non_filers):
        rows[(2 * k + 1) * len(rows) // (2 * non_filers)]["files"] = False


def _senior_officials(rows: list[dict], count: int):
    """Make `count` of the rows ASG or USG: one head per entity of two filers or more, the rest
    in proportion to the larger entities."""
    by_entity: dict[str, list[dict]] = {}
    for row in rows:
        by_entity.setdefault(row["entity"], []).append(row)
    heads = {e: 1 for e, r in by_entity.items() if len(r) >= 2}
    large = {e: len(r) for e, r in by_entity.items() if len(r) >= 20}
    extra = _shares(large, count - sum(heads.values()))
    for entity, entity_rows in sorted(by_entity.items()):
        for j, row in enumerate(entity_rows[:heads.get(entity, 0) + extra.get(entity, 0)]):
            row["grade"], row["designation"] = ("USG" if j == 0 else "ASG"), "senior_official"


# loading through the API

# ILLUSTRATIVE: where the notices go. Each entity's focal point has an address of its own
# office; ESCAP's reads Chinese; one filer in ADDRESSED_EVERY of the open cycle has an address.
READS_CHINESE = {"ESCAP": "Li Wei"}
ADDRESSED_EVERY = 25


def address(local: str, entity: str) -> str:
    return f"{local.lower()}@{entity.lower()}.example.org"


def focal_points_of(code: str) -> list[dict]:
    point = {"name": READS_CHINESE.get(code, f"Focal point, {code}"),
             "email": address("focal-point", code)}
    return [{**point, "language": "zh"} if code in READS_CHINESE else point]


def contact_of(row: dict, i: int) -> dict:
    """A filer's address and language, for one in ADDRESSED_EVERY filers of the open cycle."""
    if i % ADDRESSED_EVERY:
        return {}
    language = "zh" if row["entity"] in READS_CHINESE else "en"
    return {"email": address(row["staff_id"], row["entity"]), "language": language}


def _participants(client, entities: dict[str, str]) -> int:
    changed = 0
    existing = {p["entity"]: p for p in client.get("/disclosure/participants")}
    for code in sorted(entities):
        wanted = {"cost_sharing": code in COST_SHARING, "focal_points": focal_points_of(code)}
        found = existing.get(code)
        if not found or {k: found[k] for k in wanted} != wanted:
            client.put(f"/disclosure/participants/{code}", wanted)
            changed += 1
    return changed


def _cycle(client, year: int, rows: list[dict]) -> int:
    """Load what is missing of one cycle (a closed cycle is complete); returns how many records
    it added or changed."""
    cycles = {c["year"]: c for c in client.get("/disclosure/cycles")}
    if cycles.get(year, {}).get("status") == "closed":
        return 0
    changed = 0
    if year not in cycles:
        changed += 1
        client.post("/disclosure/cycles", {"year": year, "deadline": CYCLES[year]["deadline"],
                                           "programme_cost": CYCLES[year]["programme_cost"]})
    base = f"/disclosure/cycles/{year}"
    fields = ("staff_id", "entity", "duty_station", "grade", "designation")
    status = _statuses(client, year)
    missing = [{**{k: r[k] for k in fields}, "enrolled_on": enrolled_on(year, i),
                **(contact_of(r, i) if year == max(CYCLES) else {})}
               for i, r in enumerate(rows) if r["staff_id"] not in status]
    if missing:
        changed += _batch(client, f"{base}/filers", missing)
        status = _statuses(client, year)
    changed += _batch(client, f"{base}/statements", [
        {"staff_id": r["staff_id"], **_statement(r), "filed_on": _filed_on(year, i)}
        for i, r in enumerate(rows) if r["files"] and status[r["staff_id"]] == "invited"])
    if year == 2014:
        changed += _review_2014(client, year, rows)
    if year != max(CYCLES):
        client.post(f"{base}/close", {"closed_on": f"{year}-07-31"})
        changed += 1
    return changed


def _review_2014(client, year: int, rows: list[dict]) -> int:
    base = f"/disclosure/cycles/{year}"
    conflicts = _conflicts(rows)
    status = _statuses(client, year)
    changed = _batch(client, f"{base}/reviews", [
        {"staff_id": s, "outcome": "conflicts_found" if s in conflicts else "cleared",
         "conflicts": conflicts.get(s, [])}
        for s in sorted(status) if status[s] == "filed"])
    status = _statuses(client, year)
    changed += _batch(client, f"{base}/mitigations", [{"staff_id": s} for s in sorted(conflicts)
                                           if status[s] == "conflicts_found"])
    sample = client.post(f"{base}/verification-sample", SAMPLE_2014)  # once: a replay is a no-op
    filers = _filers(client, year)
    verified = {f["staff_id"] for f in filers if f["verification"]}
    changed += _batch(client, f"{base}/verifications", [{"staff_id": s, "outcome": "verified"}
                                             for s in sample["staff_ids"] if s not in verified])
    decided = {f["staff_id"] for f in filers if f["public_disclosure"]}
    changed += _batch(client, f"{base}/public-disclosures",
                      [d for d in _public_decisions(rows) if d["staff_id"] not in decided])
    pending = [{"staff_id": f["staff_id"]} for f in _filers(client, year)
               if f.get("public_review") == "pending"]
    return changed + _batch(client, f"{base}/public-disclosure-approvals", pending)


def _conflicts(rows: list[dict]) -> dict[str, list[dict]]:
    """177 filers spread over the cycle, with 193 matters of the report's types: 161 filers
    with one matter, 16 with two (of different types)."""
    kinds = [t for t, n in CONFLICTS_2014.items() for _ in range(n)]
    chosen = [rows[(2 * k + 1) * len(rows) // (2 * CONFLICTED_FILERS_2014)]["staff_id"]
              for k in range(CONFLICTED_FILERS_2014)]
    matters = {s: [kinds[k]] for k, s in enumerate(chosen)}
    for k, kind in enumerate(kinds[CONFLICTED_FILERS_2014:]):
        matters[chosen[k]].append(kind)
    return {s: [{"type": t, "recommendation": RECOMMENDATIONS[t]} for t in types]
            for s, types in matters.items()}


RECOMMENDATIONS = {
    "financial_holding": "Divest the holding or place it in a blind trust",
    "outside_activity": "Seek approval for the outside activity or end it",
    "family_relationship": "Recuse from decisions concerning the relative's office",
    "other": "Disclose the interest to the head of office and recuse where it applies",
}


def _public_decisions(rows: list[dict]) -> list[dict]:
    seniors = [r for r in rows if r["grade"] in ("ASG", "USG")]
    reasons = [r for r, n in DECLINED_2014.items() for _ in range(n)]
    decisions = []
    for k, row in enumerate(seniors):
        if k < PUBLISHED_2014:
            decisions.append({"staff_id": row["staff_id"], "publish": True, "summary": {
                "assets": "Residence; retirement savings; bank accounts",
                "liabilities": "Mortgage on the residence",
                "outside_interests": "None"}, "title": f"Senior official, {row['entity']}"})
        else:
            decisions.append({"staff_id": row["staff_id"], "publish": False,
                              "declined_reason": reasons[k - PUBLISHED_2014]})
    return decisions


def _statement(row: dict) -> dict:
    return {"assets": [{"description": "Bank accounts and retirement savings"}],
            "liabilities": [], "outside_interests": [], "relatives_in_un": [], "certified": True}


def enrolled_on(year: int, i: int) -> str:
    """ILLUSTRATIVE: filers are enrolled when their cycle opens on 1 March; those of 2015, whose
    cycle was still open on 31 July 2015, from March to July."""
    if year != max(CYCLES):
        return f"{year}-03-01"
    return (dt.date(year, 3, 1) + dt.timedelta(days=i % 153)).isoformat()


def _filed_on(year: int, i: int) -> str:
    """ILLUSTRATIVE: filings spread over March to May."""
    return (dt.date(year, 3, 1) + dt.timedelta(days=i % 91)).isoformat()


def _filers(client, year: int) -> list[dict]:
    items, cursor = [], None
    while True:
        page = client.get(f"/disclosure/cycles/{year}/filers",
                          params={"limit": 1000, **({"cursor": cursor} if cursor else {})})
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def _statuses(client, year: int) -> dict[str, str]:
    return {f["staff_id"]: f["status"] for f in _filers(client, year)}


def _batch(client, path: str, rows: list[dict]) -> int:
    """Post `rows` in chunks; a refused row is an error (the plan only sends what is missing)."""
    for start in range(0, len(rows), CHUNK):
        answer = client.post(path, {"items": rows[start:start + CHUNK]})
        if answer["rejected"]:
            raise RuntimeError(f"{path}: rows refused: {answer['rejected'][:5]}")
    return len(rows)
