"""Demo data of the intake area, loaded through the public API: the Ethics Office's (`EO`)
records of 2014-15, which add up to the figures of report A/70/307, and EO's annual figures of
earlier periods, so that figure I's trend can be drawn.

The report gives totals; every split or date below that it does not give is marked
ILLUSTRATIVE: a plausible choice made for the demo, not a figure of the report.
Loading twice changes nothing: each write carries a fixed Idempotency-Key, what is complete is
skipped, and the same annual figures submitted again make no new version.
"""
import datetime as dt
import random

from ..client import ApiError

EO = "EO"
PERIOD = "2014-15"
START, END = dt.date(2014, 8, 1), dt.date(2015, 7, 31)
CHUNK = 500

# Report: 980 requests in 2014-15, 533 of them advice (para 8-19).
# ILLUSTRATIVE: how the other 447 split among the categories of figure III (the text gives no
# numbers; advice plus financial disclosure advice make 588, the report's "60 per cent"; the
# retaliation category matches the 40 inquiries).
CATEGORIES = {"advice": 533, "financial_disclosure": 55, "retaliation": 40, "training": 118,
              "outreach": 131, "standards": 103}

# ILLUSTRATIVE: the advice topics of figure IV; the report says only that outside activities is
# the largest. The same holds for the 2012-13 and 2013-14 splits below.
ADVICE_TOPICS = {
    "2014-15": {"outside_activities": 150, "employment": 110, "conflict_of_interest": 75,
                "gifts_honours_awards": 50, "post_employment": 45, "personal_investments": 30,
                "misconduct_reporting": 38, "other": 35},
    # before the change of para 19, work disputes still counted as misconduct reporting
    "2013-14": {"outside_activities": 130, "employment": 105, "conflict_of_interest": 70,
                "gifts_honours_awards": 45, "post_employment": 40, "personal_investments": 28,
                "misconduct_reporting": 33, "other": 25},
    "2012-13": {"outside_activities": 110, "employment": 60, "conflict_of_interest": 65,
                "gifts_honours_awards": 40, "post_employment": 35, "personal_investments": 25,
                "misconduct_reporting": 70, "other": 25},
}

# ILLUSTRATIVE: figure II's split between New York headquarters and the offices away from it.
SOURCES = {"headquarters": 560, "offices_away_from_headquarters": 150,
           "regional_commissions": 70, "peacekeeping_operations": 130,
           "political_missions": 35, "other_entities": 35}

# Report (paras 44-57): 148 activities; outreach visits to ten places meeting more than 1,000
# personnel; 13 briefings of new ASGs/USGs; 13 briefings of new expert panel members; one
# leadership dialogue; the mandatory online course, completed by more than 11,000 staff.
# ILLUSTRATIVE: every date, the participants of each activity, and the split of the remaining
# 110 activities between training sessions (95) and other activities (15).
OUTREACH_VISITS = [  # (place, held_on, participants): 1,060 personnel met
    ("UNOG", "2014-09-16", 140), ("UNMIK", "2014-10-08", 85), ("ESCWA", "2014-11-04", 110),
    ("UNIFIL", "2014-12-02", 135), ("ECA", "2015-01-27", 120),
    ("Entebbe Regional Service Centre", "2015-02-24", 95), ("MONUSCO", "2015-03-17", 125),
    ("MINUSMA", "2015-04-21", 90), ("MINURSO", "2015-05-19", 70),
    ("Kuwait Joint Support Office", "2015-06-16", 90),
]
SENIOR_BRIEFINGS, EXPERT_PANEL_BRIEFINGS = 13, 13
TRAINING_SESSIONS, OTHER_ACTIVITIES = 95, 15
ONLINE_COURSE_COMPLETIONS = 11_200
LEADERSHIP_DIALOGUE = ("2014-11-18", 300)

# Report (paras 37-43): 40 inquiries: 4 outside the mandate, 21 advice only, 15 preliminary
# reviews of which 1 withdrawn, 1 resolved informally, 7 not prima facie, 6 still in review.
# ILLUSTRATIVE: the dates of receipt and of each decision.
INQUIRY_OUTCOMES = (
    [["outside_mandate"]] * 4 + [["advice_only"]] * 21
    + [["preliminary_review", "withdrawn"]]
    + [["preliminary_review", "resolved_informally"]]
    + [["preliminary_review", "not_prima_facie"]] * 7
    + [["preliminary_review"]] * 6)

# Annual figures of earlier periods (figure I). Report: 412 requests in 2009-10; the five
# cycles 2010-11 to 2014-15 average 872 a year, so 2010-11 to 2013-14 sum to 3,380; advice
# in 2014-15 (533) is up 12 per cent on 2013-14 (476).
# ILLUSTRATIVE: each year's total within that sum, and the category splits of 2012-13 and 2013-14.
ANNUAL_FIGURES = {
    "2009-10": {"total_requests": 412},
    "2010-11": {"total_requests": 740},
    "2011-12": {"total_requests": 796},
    "2012-13": {"total_requests": 894,
                "requests_by_category": {"advice": 430, "financial_disclosure": 70,
                                         "retaliation": 40, "training": 120, "outreach": 130,
                                         "standards": 104},
                "advice_by_topic": ADVICE_TOPICS["2012-13"]},
    "2013-14": {"total_requests": 950,
                "requests_by_category": {"advice": 476, "financial_disclosure": 60,
                                         "retaliation": 37, "training": 130, "outreach": 140,
                                         "standards": 107},
                "advice_by_topic": ADVICE_TOPICS["2013-14"]},
}


def submitted_on(period: str) -> str:
    """ILLUSTRATIVE: each period's figures were submitted in the September after it ended."""
    return f"{int(period[:4]) + 1}-09-15"


def spread(n: int, first: dt.date = START, last: dt.date = END) -> list[str]:
    """`n` dates spread evenly over [first, last] (ILLUSTRATIVE dates)."""
    days = (last - first).days
    return [(first + dt.timedelta(days=i * days // max(n - 1, 1))).isoformat() for i in range(n)]


def service_requests() -> list[dict]:
    categories = [c for c, n in CATEGORIES.items() for _ in range(n)]
    topics = [t for t, n in ADVICE_TOPICS[PERIOD].items() for _ in range(n)]
    sources = [s for s, n in SOURCES.items() for _ in range(n)]
    shuffle = random.Random(2015).shuffle  # a fixed seed: the same rows every time
    shuffle(categories)
    shuffle(topics)
    shuffle(sources)
    rows = []
    for received_on, category, source in zip(spread(len(categories)), categories, sources):
        topic = topics.pop() if category == "advice" else None
        rows.append({"entity": EO, "received_on": received_on, "category": category,
                     "advice_topic": topic, "source": source})
    return rows


def activities() -> list[dict]:
    def kind(name, dates, participants):
        return [{"entity": EO, "held_on": day, "kind": name, "participants": p}
                for day, p in zip(dates, participants)]
    rows = kind("outreach_visit", [d for _, d, _ in OUTREACH_VISITS],
                [p for _, _, p in OUTREACH_VISITS])
    rows += kind("senior_briefing", spread(SENIOR_BRIEFINGS, dt.date(2014, 8, 20)),
                 [1 + i % 2 for i in range(SENIOR_BRIEFINGS)])
    rows += kind("expert_panel_briefing", spread(EXPERT_PANEL_BRIEFINGS, dt.date(2014, 9, 3)),
                 [6 + i % 5 for i in range(EXPERT_PANEL_BRIEFINGS)])
    rows += kind("leadership_dialogue", [LEADERSHIP_DIALOGUE[0]], [LEADERSHIP_DIALOGUE[1]])
    rows += kind("online_course", ["2015-07-31"], [ONLINE_COURSE_COMPLETIONS])
    rows += kind("training_session", spread(TRAINING_SESSIONS, dt.date(2014, 8, 12)),
                 [15 + (7 * i) % 26 for i in range(TRAINING_SESSIONS)])
    rows += kind("other", spread(OTHER_ACTIVITIES, dt.date(2014, 8, 25)),
                 [10 + (3 * i) % 30 for i in range(OTHER_ACTIVITIES)])
    return rows


def inquiries() -> list[tuple[str, list[tuple[str, str]]]]:
    """(received_on, [(decision, decided_on), ...]) per inquiry; the six reviews still open at
    31 July 2015 were received last."""
    received = spread(len(INQUIRY_OUTCOMES), dt.date(2014, 8, 6), dt.date(2015, 6, 10))
    out = []
    for on, decisions in zip(received, INQUIRY_OUTCOMES):
        day = dt.date.fromisoformat(on)
        steps = [(d, min(day + dt.timedelta(days=10 + 30 * i), END).isoformat())
                 for i, d in enumerate(decisions)]
        out.append((on, steps))
    return out


def load(client, say=print):
    requests_, activities_ = service_requests(), activities()
    _load_batches(client, "/service-requests", requests_, "service-requests")
    _load_batches(client, "/activities", activities_, "activities")
    _load_inquiries(client)
    created = 0
    for period, figures in ANNUAL_FIGURES.items():
        answer = client.call("PUT", f"/annual-figures/{EO}/{period}", json=figures,
                             params={"submitted_on": submitted_on(period)})
        if answer.status_code >= 400:
            raise ApiError(answer)
        created += answer.status_code == 201
    stored = {what: len(_all(client, path)) for what, path in (
        ("requests", "/service-requests"), ("activities", "/activities"),
        ("inquiries", "/retaliation-inquiries"))}
    say(f"intake: {EO} {PERIOD}: {stored['requests']} service requests, {stored['activities']} "
        f"activities, {stored['inquiries']} retaliation inquiries; annual figures for "
        f"{len(ANNUAL_FIGURES)} earlier periods ({created} new versions)")


def _all(client, path) -> list:
    items, cursor = [], None
    while True:
        params = {"entity": EO, "period": PERIOD, "limit": 1000, **({"cursor": cursor} if cursor
                                                                   else {})}
        page = client.get(path, params=params)
        items += page["items"]
        if not (cursor := page["next_cursor"]):
            return items


def _load_batches(client, path, rows, name):
    if len(_all(client, path)) >= len(rows):
        return
    for start in range(0, len(rows), CHUNK):
        answer = client.post(f"{path}/batch", {"items": rows[start:start + CHUNK]},
                             headers={"Idempotency-Key": f"demo-{name}-{PERIOD}-{start}"})
        if answer["rejected"]:
            raise RuntimeError(f"demo {name} rejected: {answer['rejected'][:3]}")


def _load_inquiries(client):
    wanted = inquiries()
    if len(_all(client, "/retaliation-inquiries")) >= len(wanted):
        return
    for n, (received_on, steps) in enumerate(wanted, start=1):
        key = f"demo-inquiry-{PERIOD}-{n}"
        inquiry = client.post("/retaliation-inquiries", {"entity": EO, "received_on": received_on},
                              headers={"Idempotency-Key": key})["id"]
        for decision, decided_on in steps:
            client.post(f"/retaliation-inquiries/{inquiry}/decisions",
                        {"decision": decision, "decided_on": decided_on},
                        headers={"Idempotency-Key": f"{key}-{decision}"})
