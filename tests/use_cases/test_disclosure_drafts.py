"""The filer's draft over in-memory repositories: started from last year's statement, saved
and read back by its filer alone, not a filing, removed by the filing; a filing certified; the
filer's acknowledgement and the mitigation's detail; the returned summary's event."""
import datetime as dt

import pytest
from people import EO

from services.disclosure import use_cases as uc
from shared.contracts.disclosure import (AcknowledgementIn, CycleIn, MitigationIn,
                                         PublicDisclosureReturn, ReviewIn, StatementContents,
                                         StatementIn)
from shared.kernel.errors import Conflict, Forbidden, Invalid

from test_disclosure import (REVIEWER, YEAR, enrol, fdp, filer_actor, one,  # noqa: F401
                              row)

NEXT = YEAR + 1


@pytest.fixture
def two_cycles(fdp, clock):  # noqa: F811
    """S1 filed in 2015; the 2016 cycle is open with S1 enrolled (today: 1 April 2016)."""
    enrol(fdp, row("S1"), row("S2"))
    uc.file_statement(fdp(filer_actor("S1")), one("S1", StatementIn(
        certified=True, assets=[{"description": "Flat", "value_usd": 1000}])))
    uc.open_cycle(fdp(), CycleIn(year=NEXT, deadline=dt.date(NEXT, 5, 31), programme_cost=1.0))
    enrol(fdp, row("S1"), year=NEXT)
    clock.advance(days=245)
    return fdp


def test_a_draft_starts_from_last_year_and_is_the_filer_s_until_the_filing_removes_it(
        two_cycles, state):
    make, me = two_cycles, filer_actor("S1")
    start = uc.get_draft(make(me), one("S1", year=NEXT))
    assert (start["saved_on"], start["prefilled_from"]) == (None, YEAR)
    assert start["assets"] == [{"description": "Flat", "value_usd": 1000,
                                "from_last_year": True}]
    events = len(state.outbox)
    figures = uc.get_cycle(make(), NEXT)["figures"]
    kept = StatementContents(assets=[{"description": "Flat", "from_last_year": True},
                                     {"description": "Shares"}])
    saved = uc.save_draft(make(me), one("S1", kept, year=NEXT))
    assert (saved["saved_on"], saved["prefilled_from"]) == ("2016-04-01", YEAR)
    again = uc.get_draft(make(me), one("S1", year=NEXT))
    assert [a["from_last_year"] for a in again["assets"]] == [True, False]
    assert len(state.outbox) == events  # a draft is not a filing: no event, same counts
    assert uc.get_cycle(make(), NEXT)["figures"] == figures
    for someone in (EO, REVIEWER, filer_actor("S2")):
        with pytest.raises(Forbidden):
            uc.get_draft(make(someone), one("S1", year=NEXT))
    with pytest.raises(Invalid) as refused:  # the carried item is not confirmed yet
        uc.file_statement(make(me), one("S1", StatementIn(**kept.model_dump(),
                                                         certified=True), year=NEXT))
    assert refused.value.errors[0]["loc"] == ["assets", 0, "from_last_year"]
    with pytest.raises(Invalid, match="certify"):
        uc.file_statement(make(me), one("S1", StatementIn(assets=[{"description": "Flat"}]),
                                       year=NEXT))
    uc.file_statement(make(me), one("S1", StatementIn(assets=[{"description": "Flat"}],
                                                     certified=True), year=NEXT))
    assert state.collection("drafts") == {}
    filed = uc.get_statement(make(me), one("S1", year=NEXT))
    assert (filed["certified"], filed["receipt"]) == (True, f"FD-{NEXT}-S1")
    assert filed["assets"] == [{"description": "Flat", "value_usd": None}]
    with pytest.raises(Conflict):
        uc.get_draft(make(me), one("S1", year=NEXT))


def test_a_discarded_draft_starts_again_from_last_year(two_cycles):
    make, me = two_cycles, filer_actor("S1")
    uc.save_draft(make(me), one("S1", StatementContents(), year=NEXT))
    assert uc.get_draft(make(me), one("S1", year=NEXT))["assets"] == []
    again = uc.discard_draft(make(me), one("S1", year=NEXT))
    assert (again["saved_on"], len(again["assets"])) == (None, 1)


def test_the_filer_acknowledges_the_recommendation_and_the_reviewer_records_the_mitigation(
        fdp, state):  # noqa: F811
    enrol(fdp, row("S1"))
    uc.file_statement(fdp(filer_actor("S1")), one("S1", StatementIn(certified=True)))
    uc.review_filer(fdp(REVIEWER), one("S1", ReviewIn(outcome="conflicts_found", conflicts=[
        {"type": "financial_holding", "recommendation": "Divest the shares"}])))
    with pytest.raises(Forbidden):
        uc.acknowledge_recommendation(fdp(REVIEWER), one("S1", AcknowledgementIn()))
    answer = uc.acknowledge_recommendation(fdp(filer_actor("S1")), one(
        "S1", AcknowledgementIn(comment="I will sell them")))
    assert answer["acknowledgement"] == {"acknowledged_on": "2015-07-31",
                                         "comment": "I will sell them"}
    assert state.events("recommendation_acknowledged")
    mitigated = uc.record_mitigation(fdp(REVIEWER), one("S1", MitigationIn(
        measure="divestiture")))
    assert mitigated["mitigation"] == {"measure": "divestiture", "agreed_on": "2015-07-31"}
    assert mitigated["acknowledgement"]["comment"] == "I will sell them"
    assert state.events("mitigation_recorded")[0].payload["measure"] == "divestiture"
    assert any(a["action"] == "acknowledge_recommendation" for a in state.audit_log)


def test_returning_a_summary_records_its_event(fdp, state):  # noqa: F811
    enrol(fdp, row("S1", grade="ASG", designation="senior_official"))
    uc.file_statement(fdp(filer_actor("S1")), one("S1", StatementIn(certified=True)))
    from shared.contracts.disclosure import PublicDisclosureIn
    uc.decide_public_disclosure(fdp(filer_actor("S1")), one("S1", PublicDisclosureIn(
        publish=True, summary={"assets": "A flat"})))
    uc.return_public_disclosure(fdp(EO), one("S1", PublicDisclosureReturn(reason="Say more")))
    [returned] = state.events("public_disclosure_returned")
    assert returned.payload["reason"] == "Say more"
