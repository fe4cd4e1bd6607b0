"""The demo's 2014-15 Panel, loaded through the API: the report's figures, and a second load
that changes nothing."""
import pytest

from epun.demo import directory, panel

from ..helpers import eventually

pytestmark = pytest.mark.integration


def snapshot(api) -> dict:
    return {"members": api.every("/panel/members"),
            "meetings": api.every("/panel/meetings", period="2014-15"),
            "consultations": api.every("/panel/consultations", period="2014-15"),
            "reviews": api.every("/panel/report-reviews", period="2013-14")}


def test_the_2014_15_panel_loads_once_with_the_reports_figures(api):
    directory.load(api, say=lambda _: None)
    said = []
    panel.load(api, said.append)
    first = snapshot(api)
    panel.load(api, said.append)
    assert snapshot(api) == first
    assert said[1].endswith("(0 records added or completed)")

    active = {m["entity"] for m in first["members"] if m["status"] == "active"}
    assert {"EO", "UNDP", "UNICEF", "UNFPA", "UNOPS", "UNHCR", "WFP", "UNRWA",
            "UN-WOMEN"} <= active
    formal = [m for m in first["meetings"] if m["kind"] == "formal"]
    assert len(formal) == 11 and {m["status"] for m in formal} == {"approved"}
    topics = api.get("/panel/topics", params={"period": "2014-15"})
    assert len(topics) == 8 and all(t["concluded"] == t["consultations"] for t in topics)
    assert "Use of social media" in {t["topic"] for t in topics}
    consultations = first["consultations"]
    assert all(c["answered"] and c["not_answered"] for c in consultations)
    reviews = first["reviews"]
    assert len(reviews) == 8 and {r["status"] for r in reviews} == {"concluded"}
    assert "EO" not in {r["entity"] for r in reviews}


def test_the_demo_panel_reaches_the_ethics_offices_annual_report(api):
    directory.load(api, say=lambda _: None)
    panel.load(api, say=lambda _: None)
    demo_topics = {topic for topic, _, _ in panel.TOPICS}

    def reported():
        section = api.get("/reports/annual/2014-15", params={"format": "json"})["panel"]
        done = section["formal_meetings"] >= 11 and demo_topics <= set(
            section["consultation_topics"])
        return section if done else None
    section = eventually(reported, 60)
    # the members of 2014-15 by the Panel's own records (another test may have made a member
    # of an entity today, which is no member of 2014-15)
    members = [m for m in api.every("/panel/members")
               if m["joined_on"] <= "2015-07-31" and (m["left_on"] or "9999") > "2014-08-01"]
    assert section["scope"] == "panel" and section["members"] >= len(members) >= 1
