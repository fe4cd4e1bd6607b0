"""Demo data of the panel area: the Ethics Panel of 2014-15, loaded through the public API.

A/70/307 (paras 61-67) gives the Panel's membership, its 11 formal meetings and the eight topics
of its consultations in 2014/15, and says it reviews its members' annual reports. The dates, the
attendance, the positions and the texts below are illustrative; heads are named by post.
Each step checks what is already recorded, so loading twice changes nothing.
"""
import datetime as dt

PERIOD = "2014-15"
REPORTED_PERIOD = "2013-14"  # the members' annual reports the Panel reviewed during 2014-15

MEMBERS = [
    ("EO", "Director, Ethics Office (chair of the Panel)"),
    ("UNDP", "Director, UNDP Ethics Office"),
    ("UNICEF", "Principal Adviser, UNICEF Ethics Office"),
    ("UNFPA", "Ethics Adviser, UNFPA Ethics Office"),
    ("UNOPS", "Head, UNOPS Ethics Office"),
    ("UNHCR", "Head, UNHCR Ethics Office"),
    ("WFP", "Director, WFP Ethics Office"),
    ("UNRWA", "Director, UNRWA Ethics Office"),
    ("UN-WOMEN", "Ethics Adviser, UN-Women"),
]
MEMBER_OFFICES = [code for code, _ in MEMBERS if code != "EO"]

MEETING_DAYS = ["2014-09-17", "2014-10-15", "2014-11-19", "2014-12-17", "2015-01-21",
                "2015-02-18", "2015-03-18", "2015-04-15", "2015-05-20", "2015-06-17",
                "2015-07-15"]
STANDING_ITEMS = ["Coherent application of ethics standards across the Panel",
                  "Lessons learned from members' cases"]

# (topic, tags, day opened): the eight topics of A/70/307, para 66
TOPICS = [
    ("Reputational risk management", ["reputational-risk"], "2014-09-02"),
    ("Organizational and personal conflicts of interest", ["conflict-of-interest"],
     "2014-10-06"),
    ("Outside activities", ["outside-activities"], "2014-11-03"),
    ("Use of social media", ["social-media"], "2014-12-01"),
    ("Review of financial disclosure statements", ["financial-disclosure"], "2015-01-12"),
    ("Internal relationships", ["relationships", "conflict-of-interest"], "2015-02-09"),
    ("Scope of confidentiality", ["confidentiality"], "2015-03-09"),
    ("Internal justice challenges", ["internal-justice"], "2015-04-13"),
]
ANSWER_DAYS, CONCLUSION_AFTER = 28, 14


def _day(iso: str, plus: int = 0) -> str:
    return (dt.date.fromisoformat(iso) + dt.timedelta(days=plus)).isoformat()


def contacts_of(code: str, head: str) -> list[dict]:
    """ILLUSTRATIVE: the head of each member office, at the office's address, and the Ethics
    Office's own mailbox for the chair's office; the Panel's notices go to them."""
    local = "ethics-office" if code == "EO" else "head-of-ethics"
    return [{"name": head, "email": f"{local}@{code.lower()}.example.org", "language": "en"}]


def load_members(client) -> int:
    current = {m["entity"]: m for m in client.every("/panel/members")}
    changed = 0
    for code, head in MEMBERS:
        known, contacts = current.get(code), contacts_of(code, head)
        if (not known or known["status"] != "active" or known["head"] != head
                or known.get("contacts") != contacts):
            client.put(f"/panel/members/{code}", {"head": head, "joined_on": "2014-08-01",
                                                  "contacts": contacts})
            changed += 1
    return changed


def load_meetings(client) -> int:
    held = {m["scheduled_for"]: m for m in client.every("/panel/meetings", period=PERIOD,
                                                kind="formal")}
    changed = 0
    for number, day in enumerate(MEETING_DAYS):
        meeting = held.get(day)
        if meeting is None:
            meeting = client.post("/panel/meetings", {
                "scheduled_for": day, "kind": "formal", "convened_on": _day(day, -21),
                "agenda": [*STANDING_ITEMS, f"Consultation: {TOPICS[number % len(TOPICS)][0]}"]})
        path = f"/panel/meetings/{meeting['id']}"
        if meeting["status"] == "convened":
            absent = MEMBER_OFFICES[number % len(MEMBER_OFFICES)] if number % 3 == 2 else None
            meeting = client.post(f"{path}/record", {
                "held_on": day, "attendees": [c for c, _ in MEMBERS if c != absent],
                "decisions": [f"Record of the {_ordinal(number + 1)} formal meeting of "
                              f"{PERIOD} adopted"],
                "minutes": "Summary record of the Panel's deliberations (illustrative)."})
        if meeting["status"] == "held":
            client.post(f"{path}/approve", {"on": _day(day, 28)})
            changed += 1
    return changed


def load_consultations(client) -> int:
    known = {c["topic"]: c for c in client.every("/panel/consultations", period=PERIOD)}
    changed = 0
    for number, (topic, tags, opened_on) in enumerate(TOPICS):
        respond_by = _day(opened_on, ANSWER_DAYS)
        consultation = known.get(topic) or client.post("/panel/consultations", {
            "topic": topic, "tags": tags, "opened_on": opened_on, "respond_by": respond_by,
            "question": f"How does each member office handle {topic.lower()}, and what common "
                        "guidance should the Panel give?"})
        if consultation["status"] != "open":
            continue
        answered = set(consultation["answered"])
        for rank, (code, _) in enumerate(MEMBERS):
            if code in answered or (number + rank) % 5 == 0:  # some members did not answer
                continue
            client.post(f"/panel/consultations/{consultation['id']}/positions", {
                "entity": code, "submitted_on": _day(opened_on, 7 + rank),
                "position": f"The {code} ethics office's practice on {topic.lower()} "
                            "(illustrative)."})
        client.post(f"/panel/consultations/{consultation['id']}/conclusion", {
            "outcome": f"The Panel agreed a common approach to {topic.lower()}.",
            "guidance": "Members apply the common approach in their advice (illustrative).",
            "concluded_on": _day(respond_by, CONCLUSION_AFTER)})
        changed += 1
    return changed


def load_report_reviews(client) -> int:
    known = {r["entity"]: r for r in client.every("/panel/report-reviews",
                                          period=REPORTED_PERIOD)}
    changed = 0
    for number, code in enumerate(MEMBER_OFFICES):
        submitted_on = _day("2014-09-01", 14 * number)
        review = known.get(code) or client.post("/panel/report-reviews", {
            "entity": code, "period": REPORTED_PERIOD, "submitted_on": submitted_on,
            "document": f"Annual report of the {code} ethics office, {REPORTED_PERIOD}"})
        path = f"/panel/report-reviews/{review['id']}"
        if review["status"] == "submitted":
            review = client.post(f"{path}/comments", {
                "by": "EO", "commented_on": _day(submitted_on, 21),
                "comment": "The Panel noted the report and the office's lessons learned."})
        if review["status"] == "commented":
            client.post(f"{path}/conclusion", {"summary": "Reviewed by the Panel.",
                                               "concluded_on": _day(submitted_on, 35)})
            changed += 1
    return changed


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def load(client, say=print):
    changed = {"members": load_members(client), "meetings": load_meetings(client),
               "consultations": load_consultations(client),
               "report reviews": load_report_reviews(client)}
    members = [m for m in client.every("/panel/members") if m["status"] == "active"]
    formal = [m for m in client.every("/panel/meetings", period=PERIOD, kind="formal")
              if m["held_on"]]
    topics = client.get("/panel/topics", params={"period": PERIOD})
    reviews = client.every("/panel/report-reviews", period=REPORTED_PERIOD, status="concluded")
    say(f"panel: {len(members)} members; {len(formal)} formal meetings held in {PERIOD}; "
        f"consultations on {len(topics)} topics; {len(reviews)} annual reports of "
        f"{REPORTED_PERIOD} reviewed ({sum(changed.values())} records added or completed)")
