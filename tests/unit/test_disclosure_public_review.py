"""Voluntary public disclosure's review: a summary to publish waits for the Ethics Office, which
approves it (public) or returns it with a reason (decided again); empty sections are none."""
import datetime as dt

import pytest

from services.disclosure import domain
from shared.contracts.common import Actor, Role
from shared.contracts.disclosure import (PublicDisclosureIn, PublicDisclosureReturn,
                                         PublicSummary)
from shared.kernel.errors import Conflict

TODAY = dt.date(2015, 7, 1)
FILER = Actor(role=Role.filer, staff_id="S1", label="S1")
OFFICE = Actor(role=Role.ethics_office, label="eo@un.org")
SUMMARY = {"assets": "A house", "liabilities": "", "outside_interests": None}


def official() -> domain.Filer:
    return domain.Filer(2015, "S1", "DM", "New York", "ASG", "senior_official", False,
                        status="filed")


def publish(filer, **kw):
    return filer.decide_public_disclosure(PublicDisclosureIn(
        publish=True, summary=kw.pop("summary", SUMMARY), **kw), FILER, TODAY)


def test_a_summary_to_publish_waits_for_the_office():
    filer = official()
    record = publish(filer, name="A. Official")
    assert (filer.public_disclosure, filer.public_review) == ("published", "pending")
    assert record.review == "pending" and not record.published


def test_a_declined_disclosure_needs_no_review():
    filer = official()
    record = filer.decide_public_disclosure(PublicDisclosureIn(
        publish=False, declined_reason="security"), FILER, TODAY)
    assert filer.public_review is None and record.review is None
    with pytest.raises(Conflict):
        filer.approve_public_disclosure(OFFICE, TODAY)


def test_an_approved_summary_is_public_with_its_date_and_approver():
    filer = official()
    record = publish(filer)
    filer.take_events()
    reviewed = filer.approve_public_disclosure(OFFICE, TODAY)
    assert filer.public_review == "approved"
    [event] = filer.take_events()
    assert event.payload.event_type == "public_disclosure_approved"
    assert event.payload.approved_on == TODAY
    public = record.reviewed(reviewed)
    assert public.published and (public.reviewed_on, public.reviewed_by) == (TODAY, "eo@un.org")
    with pytest.raises(Conflict):  # once
        filer.approve_public_disclosure(OFFICE, TODAY)
    with pytest.raises(Conflict):  # an approved summary stays as it is
        publish(filer)


def test_a_returned_summary_carries_its_reason_and_is_decided_again():
    filer = official()
    publish(filer)
    reviewed = filer.return_public_disclosure(PublicDisclosureReturn(
        reason="Name the school"), OFFICE, TODAY)
    assert (reviewed.review, reviewed.returned_reason) == ("returned", "Name the school")
    assert filer.view(FILER)["returned_reason"] == "Name the school"
    with pytest.raises(Conflict):
        filer.approve_public_disclosure(OFFICE, TODAY)
    again = publish(filer, summary={"outside_interests": "Trustee of a school"})
    assert (filer.public_review, filer.returned_reason, again.review) == (
        "pending", None, "pending")


def test_empty_sections_are_none_and_the_public_view_names_no_staff_id():
    assert PublicSummary(assets="  ", liabilities="").model_dump() == {
        "assets": None, "liabilities": None, "outside_interests": None}
    filer = official()
    record = publish(filer).reviewed(filer.approve_public_disclosure(OFFICE, TODAY))
    view = record.published_view()
    assert "staff_id" not in view and "S1" not in str(view)
    assert view["summary"] == {"assets": "A house", "liabilities": None,
                               "outside_interests": None}
    assert (view["name"], view["entity"]) == (None, "DM")
