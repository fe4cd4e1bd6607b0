"""The portal's rules without a browser: signed sessions, CSRF tokens, labels in every language,
form errors placed next to their fields, and page methods that no JSON route shadows."""
import json
import re
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from services.gateway.portal import PortalRoutes, focal, forms, i18n, sessions
from shared.contracts import panel
from shared.contracts.common import Role
from shared.contracts.contacts import Language
from shared.contracts.deliveries import DeliveryState
from shared.contracts.directory import EntityCategory
from shared.contracts.disclosure import (ConflictType, CycleStatus, DeclineReason, Designation,
                                         ExemptionReason, FilingStatus, MitigationMeasure,
                                         PublicReview, ReviewOutcome, StratumField,
                                         VerificationOutcome)
from shared.contracts.intake import ActivityKind, AdviceTopic, Category, InquiryStatus, Source
from services.gateway.service import GatewayService

TEMPLATES = Path(__file__).parents[2] / "services" / "gateway" / "templates"
SECRET = b"s" * 32
SESSION_ID = "the-gateway-s-session-record"


# sessions and CSRF

def test_a_sealed_session_opens_with_its_secret_only():
    session = sessions.new_session(SESSION_ID, now=1000)
    cookie = sessions.seal(session, SECRET)
    assert sessions.unseal(cookie, SECRET, now=1001) == session and session.signed_in
    assert sessions.unseal(cookie, b"t" * 32, now=1001) is None
    assert SESSION_ID in json.dumps(session.__dict__) and "role" not in cookie


def test_an_anonymous_session_holds_a_sign_in_under_way():
    session = sessions.new_session(pending={"second": "ana@un.org", "until": 1300}, now=1000)
    opened = sessions.unseal(sessions.seal(session, SECRET), SECRET, now=1001)
    assert not opened.signed_in and opened.pending == {"second": "ana@un.org", "until": 1300}


def test_a_tampered_or_expired_session_is_no_session():
    cookie = sessions.seal(sessions.new_session(SESSION_ID, now=1000), SECRET)
    body, mac = cookie.split(".")
    other = sessions.seal(sessions.new_session("another session", now=1000), SECRET)
    assert sessions.unseal(f"{other.split('.')[0]}.{mac}", SECRET, now=1001) is None
    assert sessions.unseal(body, SECRET, now=1001) is None
    assert sessions.unseal("not.base64!", SECRET, now=1001) is None
    expires = 1000 + sessions.SIGNED_IN_SECONDS
    assert sessions.unseal(cookie, SECRET, now=expires) is None


def test_a_csrf_token_belongs_to_one_session():
    one, two = sessions.new_session(SESSION_ID), sessions.new_session("another")
    token = sessions.csrf_token(one, SECRET)
    assert sessions.csrf_ok(one, SECRET, token)
    assert not sessions.csrf_ok(two, SECRET, token)
    assert not sessions.csrf_ok(one, SECRET, None)
    assert not sessions.csrf_ok(one, SECRET, "")


def test_an_empty_secret_becomes_one_random_secret_per_process():
    first = sessions.secret_from("")
    assert len(first) == 32 and sessions.secret_from(None) == first
    assert sessions.secret_from("configured") == b"configured"


def test_after_a_form_the_visitor_goes_only_to_a_path_of_this_site():
    assert sessions.safe_next("/focal/UNHCR?x=1") == "/focal/UNHCR?x=1"
    for unsafe in ("https://evil.example/", "//evil.example/", "/\\evil", "", None):
        assert sessions.safe_next(unsafe) == "/"


# labels

def test_every_language_has_the_same_labels():
    english = set(i18n.labels("en"))
    for lang in i18n.LANGUAGES:
        assert set(i18n.labels(lang)) == english, lang
        assert all(text.strip() for text in i18n.labels(lang).values()), lang


def test_every_label_a_template_names_exists():
    named = set()
    for template in TEMPLATES.rglob("*.html"):
        named |= set(re.findall(r"\bt\('([a-z_.]+)'[,)]", template.read_text(encoding="utf-8")))
    assert named and named <= set(i18n.labels("en")), named - set(i18n.labels("en"))


def test_every_value_a_page_shows_by_its_enumeration_has_a_label():
    shown = {"requests_by_category.": Category, "advice_by_topic.": AdviceTopic,
             "requests_by_source.": Source, "status.": FilingStatus, "conflict.": ConflictType,
             "decline.": DeclineReason, "reason.": ExemptionReason, "designation.": Designation,
             "public_review.": PublicReview, "mitigation.": MitigationMeasure,
             "review.outcome.": ReviewOutcome, "role.": Role, "home.intro.": Role,
             "meeting.kind.": panel.MeetingKind, "meeting.status.": panel.MeetingStatus,
             "consultation.status.": panel.ConsultationStatus,
             "report_review.status.": panel.ReportReviewStatus,
             "chair_review.status.": panel.ChairReviewStatus,
             "chair_review.outcome.": panel.ChairReviewOutcome,
             "category.entity.": EntityCategory, "notifications.state.": DeliveryState,
             "cycle.status.": CycleStatus, "office_fdp.outcome.": VerificationOutcome,
             "office_fdp.stratum.": StratumField, "office_fdp.language.": Language,
             "activity.kind.": ActivityKind, "inquiry.status.": InquiryStatus,
             "member.status.": panel.MemberStatus, "upload.language.": Language}
    missing = [prefix + m.value for prefix, enum in shown.items() for m in enum
               if not i18n.has_label(prefix + m.value)]
    assert missing == []


@pytest.mark.parametrize("lang", i18n.LANGUAGES[1:])
def test_placeholders_are_the_same_in_every_language(lang):
    for key, text in i18n.labels("en").items():
        assert set(re.findall(r"{(\w+)}", i18n.labels(lang)[key])) == set(
            re.findall(r"{(\w+)}", text)), key


def test_the_language_is_the_chosen_one_then_the_browser_s():
    assert i18n.choose("zh", "en-GB") == "zh"
    assert i18n.choose(None, "zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert i18n.choose("fr", "de-DE") == "fr"
    assert i18n.choose("de", "de-DE") == "en"
    assert i18n.translate("zh", "figures.title", period="2014-15") == "2014-15 年度数据"


def test_labels_are_valid_json_files_each_key_in_one_file_of_an_area():
    for lang in i18n.LANGUAGES:
        files = i18n.label_files(lang)
        keys = [k for f in files for k in json.loads(f.read_text(encoding="utf-8"))]
        assert len(keys) == len(set(keys)) == len(i18n.labels(lang)), lang
    areas = {f.parent for f in i18n.label_files("en")}
    for area in areas:
        assert sorted(p.stem for p in area.glob("*.json")) == sorted(i18n.LANGUAGES), area


# forms

def test_an_error_is_placed_next_to_the_field_its_loc_names():
    errors = forms.FormErrors([
        {"loc": ["body", "retaliation", "prima_facie"], "msg": "too many"},
        {"loc": ["path", "period"], "msg": "not started"},
        {"loc": [], "msg": "general"}])
    assert errors.in_language("en").of("retaliation.prima_facie") == ["too many"]
    placed = errors.placed(["retaliation.prima_facie"]).in_language("en")
    assert placed.of("period") == [] and placed.general == ["general", "period: not started"]


def test_repeating_rows_keep_their_order_and_leave_out_blank_rows():
    form = MultiDict({"assets.0.description": "shares", "assets.0.value_usd": "10",
                      "assets.1.description": "", "assets.1.value_usd": "",
                      "assets.2.description": "flat", "other.0.description": "x"})
    assert forms.rows(form, "assets", ["description", "value_usd"]) == [
        {"description": "shares", "value_usd": "10"}, {"description": "flat", "value_usd": ""}]


def test_the_figures_form_becomes_the_body_intake_checks():
    """The check itself is intake's (tests/use_cases/test_intake.py); the form keeps what was
    typed, so intake can name the field that fails."""
    form = MultiDict({"total_requests": "10", "requests_by_category.advice": "10",
                      "retaliation.inquiries": "3", "retaliation.preliminary_reviews": "2",
                      "retaliation.prima_facie": "5", "disclosure.filers": "x"})
    body = focal.figures_from_form(form)
    assert body["requests_by_category"] == {"advice": 10}
    assert body["disclosure"] == {"filers": "x"}
    found = forms.FormErrors([{"loc": ["body", "retaliation", "prima_facie"], "msg": "too many"}])
    assert list(found.by_field) == ["retaliation.prima_facie"]


# routes

def test_no_json_route_shadows_a_page():
    """Mixins share one class: a page method named like a route method would vanish."""
    pages = [name for cls in PortalRoutes.__mro__ for name, value in vars(cls).items()
             if callable(value) and name.startswith("portal_")]
    assert len(pages) > 30
    for name in pages:
        owner = next(c for c in GatewayService.__mro__ if name in vars(c))
        assert issubclass(PortalRoutes, owner) or owner is PortalRoutes, name


def test_every_kind_of_notice_the_service_sends_has_a_filter_and_a_label():
    from services.notifications.domain.messages import kinds
    from shared.contracts.deliveries import KINDS
    assert list(KINDS) == kinds()
    assert [k for k in KINDS if not i18n.has_label(f"notifications.kind.{k}")] == []
