"""Demo data of the financial disclosure programme's first cycle the report compares with: 2006,
when 1,704 staff filed, 339 of them from other United Nations entities (A/70/307, para 36; the
programme grew by 222 per cent to the 5,488 filers of 2015). Loaded through the public API like
the other cycles, after them: the report computes the growth from these records.

ILLUSTRATIVE: the split of the 1,365 Secretariat and peacekeeping filers between the two (in
proportion to 2014), each entity's share, the programme's cost, the dates, and that every filer
filed. The 2006 filers' staff ids are their own (no one of them files again in the later cycles
the demo holds), so the later cycles' first-time filers stay as the report gives them.
Loading twice changes nothing: a closed cycle is complete and skipped.
"""
import datetime as dt

from .disclosure import CATEGORIES, DUTY_STATIONS, _batch, _shares, _statement, _statuses

YEAR = 2006
FILERS, OTHER = 1704, 339
CYCLE = {"year": YEAR, "opens_on": f"{YEAR}-03-01", "deadline": f"{YEAR}-05-31",
         "programme_cost": 1_250_000.00}
CLOSED_ON = f"{YEAR}-07-31"
GRADES = ["D-1", "P-5", "D-2", "P-4", "P-5"]


def load(client, say=print):
    rows = filers()
    cycles = {c["year"]: c for c in client.get("/disclosure/cycles")}
    if cycles.get(YEAR, {}).get("status") == "closed":
        say(f"disclosure: the {YEAR} cycle, {len(rows):,} filers (0 records added or changed)")
        return
    if YEAR not in cycles:
        client.post("/disclosure/cycles", CYCLE)
    base = f"/disclosure/cycles/{YEAR}"
    status = _statuses(client, YEAR)
    changed = _batch(client, f"{base}/filers", [r for r in rows if r["staff_id"] not in status])
    status = _statuses(client, YEAR)
    changed += _batch(client, f"{base}/statements", [
        {"staff_id": r["staff_id"], **_statement(r),
         "filed_on": (dt.date(YEAR, 3, 1) + dt.timedelta(days=i % 91)).isoformat()}
        for i, r in enumerate(rows) if status[r["staff_id"]] == "invited"])
    client.post(f"{base}/close", {"closed_on": CLOSED_ON})
    say(f"disclosure: the {YEAR} cycle, {len(rows):,} filers ({changed:,} records added or "
        "changed)")


def filers() -> list[dict]:
    """The 2006 filers: 339 of other entities (among the cost-sharing participants), the rest
    of the Secretariat and peacekeeping in 2014's proportion."""
    un = sum(CATEGORIES["secretariat"].values()) + sum(CATEGORIES["peacekeeping"].values())
    secretariat = round((FILERS - OTHER) * sum(CATEGORIES["secretariat"].values()) / un)
    counts = {**_shares(CATEGORIES["secretariat"], secretariat),
              **_shares(CATEGORIES["peacekeeping"], FILERS - OTHER - secretariat),
              **_shares(CATEGORIES["other"], OTHER)}
    rows, n = [], 0
    for entity, count in sorted(counts.items()):
        for i in range(count):
            n += 1
            grade = GRADES[i % len(GRADES)]
            rows.append({"staff_id": f"B{YEAR}-{n:05d}", "entity": entity,
                         "duty_station": DUTY_STATIONS.get(entity, "New York"), "grade": grade,
                         "designation": "senior_official" if grade.startswith("D")
                         else "procurement", "enrolled_on": CYCLE["opens_on"]})
    return rows
