"""The rules of a statement in the making: the latest earlier statement, the items carried over
from it, what a filing needs, and the filer's acknowledgement of a recommendation."""
import datetime as dt
from types import SimpleNamespace

import pytest

from services.disclosure.domain import (Filer, carried_over, latest_earlier, starting_draft,
                                        statement_problems)
from shared.contracts.common import Actor, Role
from shared.contracts.disclosure import MitigationMeasure, StatementIn
from shared.kernel.errors import Conflict, Forbidden, Invalid

ME = Actor(role=Role.filer, staff_id="S1", label="S1")
TODAY = dt.date(2016, 4, 1)


def filed(year, description):
    return SimpleNamespace(year=year, contents={"assets": [{"description": description}],
                                                "certified": True})


def test_the_latest_earlier_statement_is_of_the_latest_cycle_before_the_one_asked():
    found = [filed(2013, "a"), filed(2015, "c"), filed(2014, "b"), filed(2016, "d")]
    assert latest_earlier(found, 2016).year == 2015
    assert latest_earlier(found, 2014).year == 2013
    assert latest_earlier(found, 2013) is None
    assert latest_earlier([], 2016) is None


def test_a_new_draft_starts_with_last_year_s_items_each_marked():
    draft = starting_draft(2016, "S1", "UNDP", [filed(2014, "old"), filed(2015, "flat")])
    assert draft.prefilled_from == 2015 and draft.saved_on is None
    assert draft.view()["assets"] == [{"description": "flat", "from_last_year": True}]
    assert draft.view()["liabilities"] == []
    assert carried_over({})["assets"] == []
    empty = starting_draft(2016, "S1", "UNDP", [])
    assert (empty.prefilled_from, empty.view()["assets"]) == (None, [])


def test_a_filing_is_certified_and_has_no_item_left_unconfirmed():
    assert [p["loc"] for p in statement_problems(StatementIn())] == [["certified"]]
    assert statement_problems(StatementIn(certified=False))[0]["loc"] == ["certified"]
    assert statement_problems(StatementIn(certified=True)) == []
    carried = StatementIn(certified=True, assets=[{"description": "a"},
                                                  {"description": "b", "from_last_year": True}])
    assert [p["loc"] for p in statement_problems(carried)] == [
        ["assets", 1, "from_last_year"]]


def enrolled(status="conflicts_found", conflicts=True) -> Filer:
    filer = Filer(2016, "S1", "UNDP", "Geneva", "D-1", "senior_official", False, status)
    filer.conflicts = [{"type": "financial_holding", "recommendation": "Divest"}] \
        if conflicts else None
    return filer


def test_a_filed_statement_keeps_its_items_plain_and_its_certification():
    filer = enrolled("invited", conflicts=False)
    statement = filer.file(StatementIn(certified=True, assets=[{"description": "a"}]), ME,
                           TODAY, dt.date(2016, 3, 1), dt.date(2016, 5, 31))
    assert statement.contents["assets"] == [{"description": "a", "value_usd": None}]
    assert statement.view()["certified"] is True
    assert statement.view()["receipt"] == "FD-2016-S1"


def test_only_the_filer_acknowledges_once_and_only_after_a_recommendation():
    with pytest.raises(Forbidden):
        enrolled().acknowledge("ok", Actor(role=Role.reviewer, label="r"), TODAY)
    with pytest.raises(Forbidden):
        enrolled().acknowledge("ok", Actor(role=Role.filer, staff_id="S2", label="S2"), TODAY)
    with pytest.raises(Conflict, match="no recommendation"):
        enrolled("filed", conflicts=False).acknowledge(None, ME, TODAY)
    filer = enrolled()
    filer.acknowledge("I will sell the shares", ME, TODAY)
    assert filer.acknowledgement == {"acknowledged_on": "2016-04-01",
                                     "comment": "I will sell the shares"}
    assert [e.payload.event_type for e in filer.take_events()] == [
        "recommendation_acknowledged"]
    with pytest.raises(Conflict, match="already"):
        filer.acknowledge("again", ME, TODAY)


def test_a_mitigation_keeps_its_measure_and_day_and_is_one_of_four_kinds():
    assert [m.value for m in MitigationMeasure] == ["divestiture", "recusal", "waiver", "other"]
    filer = enrolled()
    filer.mitigate("recusal", dt.date(2016, 3, 20), TODAY)
    assert (filer.status, filer.mitigation) == ("mitigated", {"measure": "recusal",
                                                              "agreed_on": "2016-03-20"})
    with pytest.raises(Invalid):
        enrolled().mitigate("waiver", dt.date(2016, 4, 2), TODAY)
    with pytest.raises(Conflict):
        enrolled("filed", conflicts=False).mitigate("waiver", None, TODAY)
