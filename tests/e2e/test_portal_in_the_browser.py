"""The Ethics Office's, the focal point's and the Panel chair's pages in the browser (Debian's
Chromium), each job done through the page's forms as a person does it, in English and in
Chinese: the outcome is shown in the page's language, and a Chinese page shows no English label.

The Office and the chair sign in once for the module (a browser context each) and choose the
language with the header's buttons; a focal point signs in for its own fresh entity."""
import datetime as dt
import json
import re

import pytest
from playwright.sync_api import expect

from services.gateway.portal.i18n import translate

from ..helpers import eventually
from ..integration.test_disclosure import filer, statement
from .portal_steps import leave_panel, panel_members, sign_in
from .test_portal_in_every_language import english_only_labels, untranslated

pytestmark = pytest.mark.e2e
LANGS = ["en", "zh"]
HTML_LANG = {"en": "en", "zh": "zh-Hans"}
LANG_BUTTON = {"en": "English", "zh": "中文"}
# years of cycles these tests open, apart from the other tests' (which take past years from
# 2000 up, the demo's 2011-15, and next year up): a scheduled cycle's from 2100 down, and an
# open one's (opened on 1 March of a past year) from this year down
SCHEDULED_YEARS = range(2100, 2080, -1)
OPEN_YEARS = range(dt.date.today().year, 2015, -1)
# the text a reader sees: visible text nodes (and the options of a visible list)
VISIBLE_TEXTS = r"""() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const p = n.parentElement;
    if (!p || p.closest('script, style, template')) continue;
    const box = p.closest('select') || p;
    if (!box.checkVisibility()) continue;
    const text = n.textContent.replace(/\s+/g, ' ').trim();
    if (text) out.push(text);
  }
  return out;
}"""


def day(offset: int = 0) -> str:
    return (dt.date.today() + dt.timedelta(days=offset)).isoformat()


def exactly(text: str) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


@pytest.fixture(scope="module")
def english(api):
    """The English labels a Chinese page must not show (the directory's names aside)."""
    api.put("/entities/EO", {"name": "Ethics Office", "category": "secretariat"})
    return english_only_labels(frozenset(e["name"] for e in api.get("/entities")))


@pytest.fixture(scope="module")
def signed_in(browser, stack, person_as):
    """`signed_in(role, entity=None)`: a page of a browser context signed in as that role,
    one per role and entity for the module."""
    opened = {}

    def page_of(role, entity=None):
        if (role, entity) not in opened:
            context = browser.new_context(base_url=stack.base_url, locale="en-GB",
                                          viewport={"width": 1200, "height": 900})
            context.set_default_timeout(20_000)
            page = context.new_page()
            sign_in(page, person_as(role, entity))
            opened[(role, entity)] = context, page
        return opened[(role, entity)][1]
    yield page_of
    for context, _ in opened.values():
        context.close()


@pytest.fixture
def office(signed_in):
    return signed_in("ethics_office")


@pytest.fixture
def chair(signed_in):
    return signed_in("panel_chair", "EO")


@pytest.fixture
def seen(english):
    """`seen(page, lang)`: the page is in `lang`; in Chinese, no English label is visible."""
    def check(page, lang):
        expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
        if lang == "zh":
            leaks = untranslated(page.evaluate(VISIBLE_TEXTS), english)
            assert leaks == [], (page.url, leaks)
    return check


def visit(page, path: str, lang: str):
    """Go to `path` and, unless it is in `lang` already, choose `lang` in the header."""
    page.goto(path)
    if page.locator("html").get_attribute("lang") != HTML_LANG[lang]:
        page.locator("form.lang").get_by_role("button", name=LANG_BUTTON[lang]).click()
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))


def note(page):
    return page.locator("main .note[role=status]")


def reload(page):
    """The page's address loaded again, as a fresh request (a form just sent has landed)."""
    page.goto(page.url)


def a_free_year(api, years: range) -> int:
    """The first of `years` without a cycle on this platform."""
    taken = {c["year"] for c in api.get("/disclosure/cycles")}
    free = [y for y in years if y not in taken]
    if not free:
        pytest.fail(f"every year of {years} has a cycle on this platform")
    return free[0]


def new_entity(api, unique_code, prefix: str) -> str:
    code = unique_code(prefix)
    api.put(f"/entities/{code}", {"name": f"Office {code}", "category": "secretariat"})
    return code


# the Ethics Office's intake


@pytest.mark.parametrize("lang", LANGS)
def test_the_office_logs_filters_and_uploads_service_requests(
        office, api, unique_code, seen, lang):
    t = lambda key, **v: translate(lang, key, **v)  # noqa: E731
    code = new_entity(api, unique_code, "BR")
    visit(office, "/office/service-requests", lang)
    form = office.get_by_role("form", name=t("office.requests.log"))
    form.get_by_label(t("office.entity")).select_option(code)
    form.get_by_label(t("office.received_on")).fill(day(-3))
    form.get_by_label(t("office.category")).select_option("advice")
    form.get_by_label(t("office.advice_topic")).select_option("gifts_honours_awards")
    form.get_by_label(t("office.source")).select_option("headquarters")
    form.get_by_role("button", name=t("office.requests.submit")).click()
    expect(note(office)).to_have_text(t("note.office_request_logged"))
    seen(office, lang)

    office.get_by_role("link", name=t("office.requests.upload")).click()
    expect(office.get_by_role("heading", level=1)).to_have_text(
        t("upload.office_service_requests.title"))
    seen(office, lang)
    rows = (f"entity,received_on,category,advice_topic,source\n"
            f"{code},{day(-10)},outreach,,regional_commissions\n"
            f"{code},{day(-9)},gossip,,headquarters\n")
    office.get_by_label(t("upload.file")).set_input_files(files=[{
        "name": "office.csv", "mimeType": "text/csv", "buffer": rows.encode()}])
    office.get_by_role("button", name=t("upload.submit"), exact=True).click()
    expect(office.locator("#upload-summary")).to_have_text(
        t("upload.summary", rows=2, accepted=1, rejected=1))
    expect(office.locator("#rejected-rows tbody tr")).to_have_count(1)
    seen(office, lang)

    office.get_by_role("link", name=t("office.requests.title")).first.click()
    filters = office.get_by_role("form", name=t("office.filters"))
    filters.get_by_label(t("office.filter.entity")).select_option(code)
    filters.get_by_role("button", name=t("office.filter.show")).click()
    listed = office.locator("#service-requests tbody tr")
    expect(listed).to_have_count(2)
    expect(listed.nth(0).locator("td").nth(0)).to_have_text(day(-3))  # newest first
    expect(listed.nth(0)).to_contain_text(t("advice_by_topic.gifts_honours_awards"))
    expect(listed.nth(1).locator("td").nth(0)).to_have_text(day(-10))
    expect(listed.nth(1)).to_contain_text(t("requests_by_category.outreach"))
    filters.get_by_label(t("office.filter.category")).select_option("outreach")
    filters.get_by_role("button", name=t("office.filter.show")).click()
    expect(listed).to_have_count(1)
    expect(listed.nth(0).locator("td").nth(0)).to_have_text(day(-10))
    expect(office).to_have_url(re.compile(rf"entity={code}.*category=outreach"))
    filters.get_by_label(t("office.filter.category")).select_option("training")
    filters.get_by_role("button", name=t("office.filter.show")).click()
    expect(office.locator("#empty")).to_have_text(t("office.requests.empty"))
    seen(office, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_the_office_records_an_activity(office, api, unique_code, seen, lang):
    t = lambda key, **v: translate(lang, key, **v)  # noqa: E731
    code = new_entity(api, unique_code, "BA")
    visit(office, "/office/activities", lang)
    form = office.get_by_role("form", name=t("office.activities.record"))
    form.get_by_label(t("office.entity")).select_option(code)
    form.get_by_label(t("office.held_on")).fill(day(-2))
    form.get_by_label(t("office.kind")).select_option("training_session")
    form.get_by_label(t("office.participants")).fill("25")
    form.get_by_role("button", name=t("office.activities.submit")).click()
    expect(note(office)).to_have_text(t("note.office_activity_recorded"))
    seen(office, lang)

    filters = office.get_by_role("form", name=t("office.filters"))
    filters.get_by_label(t("office.filter.entity")).select_option(code)
    filters.get_by_label(t("office.filter.kind")).select_option("training_session")
    filters.get_by_role("button", name=t("office.filter.show")).click()
    listed = office.locator("#activities tbody tr")
    expect(listed).to_have_count(1)
    cells = listed.nth(0).locator("td")
    expect(cells.nth(0)).to_have_text(day(-2))
    expect(cells.nth(1)).to_have_text(code)
    expect(cells.nth(3)).to_have_text(t("activity.kind.training_session"))
    expect(cells.nth(4)).to_have_text("25")
    seen(office, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_the_office_keeps_a_retaliation_case_file(office, api, unique_code, seen, lang):
    t = lambda key, **v: translate(lang, key, **v)  # noqa: E731
    code = new_entity(api, unique_code, "BI")
    visit(office, "/office/retaliation", lang)
    seen(office, lang)
    received = office.get_by_role("form", name=t("office.retaliation.receive"))
    received.get_by_label(t("office.entity")).select_option(code)
    received.get_by_label(t("office.received_on")).fill(day(-20))
    received.get_by_role("button", name=t("office.retaliation.receive_submit")).click()
    expect(note(office)).to_have_text(t("note.office_inquiry_received"))
    expect(office.get_by_role("heading", level=1)).to_contain_text(
        t("office.inquiry_of", received_on=day(-20)))
    expect(office.locator("#inquiry-status")).to_have_text(t("inquiry.status.received"))
    case = office.url.split("?")[0]
    inquiry = case.rsplit("/", 1)[1]
    seen(office, lang)

    decide = office.get_by_role("form", name=t("office.decide"))
    decide.get_by_label(t("office.decision"), exact=True).select_option("preliminary_review")
    decide.get_by_label(t("office.decided_on"), exact=True).fill(day(-15))
    decide.get_by_role("button", name=t("office.decide")).click()
    expect(note(office)).to_have_text(t("note.office_decision_recorded"))
    expect(office.locator("#inquiry-status")).to_have_text(
        t("inquiry.status.preliminary_review"))
    expect(office.locator("#review-opened")).to_have_text(day(-15))
    expect(office.locator("#review-due")).to_contain_text(
        f"{day(30)} · {t('office.days_left', days=30)}")

    measure = office.get_by_role("form", name=t("office.add_measure"))
    text = "临时调动" if lang == "zh" else "Temporary reassignment of the manager"
    measure.get_by_label(t("office.measure"), exact=True).fill(text)
    measure.get_by_label(t("office.measure_decided_on")).fill(day(-14))
    measure.get_by_role("button", name=t("office.add_measure")).click()
    expect(note(office)).to_have_text(t("note.office_measure_recorded"))
    measures = office.locator("#measures-list tbody tr")
    expect(measures).to_have_count(1)
    expect(measures.nth(0).locator("td")).to_have_text([day(-14), text])

    noted = office.get_by_role("form", name=t("office.add_note"))
    said = "已与经理谈话" if lang == "zh" else "Spoke to the manager on the phone"
    noted.get_by_label(t("office.note_text"), exact=True).fill(said)
    noted.get_by_label(t("office.noted_on"), exact=True).fill(day(-13))
    noted.get_by_role("button", name=t("office.add_note")).click()
    expect(note(office)).to_have_text(t("note.office_note_added"))
    notes = office.locator("#notes-list li")
    expect(notes).to_have_count(1)
    expect(notes.nth(0).locator("p").nth(0)).to_contain_text(f"{day(-13)} · ")
    expect(notes.nth(0).locator("p").nth(1)).to_have_text(said)
    seen(office, lang)

    office.get_by_role("link", name=t("office.retaliation.title")).first.click()
    row = office.locator(f"#inquiry-{inquiry}")
    expect(row.locator("td")).to_have_text([
        day(-20), code, t("inquiry.status.preliminary_review"), day(-15), day(30),
        t("office.days_left", days=30)])
    seen(office, lang)


# the Ethics Office's financial disclosure programme


@pytest.mark.parametrize("lang", LANGS)
def test_the_office_opens_a_cycle_and_closes_it_once_confirmed(office, api, seen, lang):
    t = lambda key, **v: translate(lang, key, **v)  # noqa: E731
    year = a_free_year(api, SCHEDULED_YEARS)
    visit(office, "/office/cycles", lang)
    form = office.get_by_role("form", name=t("office_fdp.open_cycle"))
    form.get_by_label(t("office_fdp.year"), exact=True).fill(str(year))
    form.get_by_label(t("office_fdp.opens_on"), exact=True).fill(f"{year}-03-01")
    form.get_by_label(t("office_fdp.deadline"), exact=True).fill(f"{year}-02-01")
    form.get_by_label(t("office_fdp.programme_cost"), exact=True).fill("12,000")
    form.get_by_role("button", name=t("office_fdp.open_submit")).click()
    expect(office.locator("#f-deadline-error")).to_contain_text(
        t("error.rule.deadline_after_opening"))
    seen(office, lang)
    form.get_by_label(t("office_fdp.deadline"), exact=True).fill(f"{year}-05-31")
    form.get_by_role("button", name=t("office_fdp.open_submit")).click()
    expect(note(office)).to_have_text(t("note.office_fdp_cycle_opened", year=year))
    row = office.locator(f"#cycle-{year}")
    expect(row.locator("td.state")).to_have_text(t("cycle.status.scheduled"))
    expect(row).to_contain_text(f"{year}-03-01")
    expect(row).to_contain_text(f"{year}-05-31")
    seen(office, lang)

    row.get_by_role("link", name=t("office_fdp.close"), exact=True).click()
    expect(office.get_by_role("heading", level=1)).to_have_text(
        t("office_fdp.close_title", year=year))
    expect(office.locator("#outstanding")).to_have_text(
        t("office_fdp.close_outstanding", year=year, n=0))
    seen(office, lang)
    office.get_by_role("button", name=t("office_fdp.close_submit", year=year)).click()
    expect(note(office)).to_have_text(t("note.office_fdp_cycle_closed", year=year))
    expect(row.locator("td.state")).to_have_text(t("cycle.status.closed"))
    expect(row.get_by_role("link", name=t("office_fdp.close"), exact=True)).to_have_count(0)
    seen(office, lang)
    assert api.get(f"/disclosure/cycles/{year}")["status"] == "closed"


@pytest.mark.parametrize("lang", LANGS)
def test_a_participant_its_sample_its_cost_share_and_its_focal_points_reminders(
        office, open_page, api, person_as, unique_code, seen, lang):
    """The Office adds a participant, draws the sample and records a verification, reads the
    cost shares with their chart; the focal point reminds one non-filer, then all; the Office
    reads the reminders among the notifications sent."""
    t = lambda key, **v: translate(lang, key, **v)  # noqa: E731
    code, year = new_entity(api, unique_code, "BD"), a_free_year(api, OPEN_YEARS)
    api.post("/disclosure/cycles", {"year": year, "opens_on": f"{year}-03-01",
                                    "deadline": day(30), "programme_cost": 12000})

    visit(office, "/office/participants", lang)
    form = office.get_by_role("form", name=t("office_fdp.add_or_change"))
    form.get_by_label(t("office_fdp.entity"), exact=True).fill(code.lower())
    form.get_by_label(t("office_fdp.shares_cost")).check()
    form.get_by_label(t("office_fdp.focal_name", n=1)).fill("Li Wei")
    form.get_by_label(t("office_fdp.focal_email", n=1)).fill(f"focal@{code.lower()}.example.org")
    form.get_by_label(t("office_fdp.focal_language", n=1)).select_option("zh")
    form.get_by_role("button", name=t("office_fdp.save_participant")).click()
    expect(note(office)).to_have_text(t("note.office_fdp_participant_saved", entity=code))
    row = office.locator(f"#participant-{code}")
    expect(row.locator("td").nth(0)).to_have_text(t("office_fdp.yes"))
    expect(row.locator("td").nth(1)).to_have_text(f"Li Wei <focal@{code.lower()}.example.org>")
    seen(office, lang)

    staff = [f"{code}-{n}" for n in (1, 2, 3)]
    mails = {s: f"{s.lower()}@{code.lower()}.example.org" for s in staff}
    assert api.post(f"/disclosure/cycles/{year}/filers", {"items": [
        {**filer(s, code), "email": mails[s], "language": lang} for s in staff]})[
        "accepted"] == 3
    api.post(f"/disclosure/cycles/{year}/statements", {"items": [
        {"staff_id": staff[0], **statement()}]})

    visit(office, "/office/cycles", lang)
    seen(office, lang)
    office.locator(f"#cycle-{year}").get_by_role("link", name=t("office_fdp.sample")).click()
    expect(office.locator("#no-sample")).to_have_text(t("office_fdp.no_sample"))
    seen(office, lang)
    draw = office.get_by_role("form", name=t("office_fdp.draw"))
    draw.get_by_label(t("office_fdp.sample_size")).fill("1")
    draw.get_by_label(t("office_fdp.seed"), exact=True).fill("browser")
    draw.get_by_role("button", name=t("office_fdp.draw_submit")).click()
    expect(note(office)).to_have_text(t("note.office_fdp_sample_drawn"))
    sampled = office.locator(f"#sampled-{staff[0]}")
    expect(sampled).to_be_visible()
    seen(office, lang)
    sampled.get_by_label(t("office_fdp.outcome_of", staff_id=staff[0])).select_option(
        "verified")
    sampled.get_by_role("button", name=t("office_fdp.record")).click()
    expect(note(office)).to_have_text(
        t("note.office_fdp_verification_recorded", staff_id=staff[0]))
    expect(sampled.locator(".outcome")).to_have_text(t("office_fdp.outcome.verified"))
    seen(office, lang)

    office.get_by_role("link", name=t("office_fdp.cycles")).first.click()
    office.locator(f"#cycle-{year}").get_by_role("link", name=t("office_fdp.cost_shares")).click()
    expect(office.get_by_role("heading", level=1)).to_have_text(
        t("office_fdp.cost_shares_of", year=year))
    share = office.locator("#shares-table tbody tr").filter(
        has=office.get_by_role("rowheader", name=code, exact=True))
    expect(share.locator("td").nth(0)).to_have_text("3")
    chart = office.locator("svg#unit-cost-chart")

    def charted():  # the reporting service hears of the cycle through its events
        reload(office)
        return chart.locator("text", has_text=exactly(str(year))).count()
    eventually(charted, 30, 0.5)
    expect(chart).to_be_visible()
    expect(chart.locator("polyline")).to_have_count(1)
    expect(office.locator("#trend-table").get_by_role("rowheader", name=str(year),
                                                       exact=True)).to_be_visible()
    seen(office, lang)

    focal = open_page()
    sign_in(focal, person_as("focal_point", code))
    visit(focal, f"/focal/{code}/compliance/{year}", lang)
    focal.get_by_role("button", name=t("office_fdp.remind_one_of", staff_id=staff[1])).click()
    expect(note(focal)).to_have_text(t("note.office_fdp_filer_reminded", staff_id=staff[1]))
    expect(focal.locator(f"#remind-{staff[1]} .reminded")).to_have_text(
        t("office_fdp.reminded_on", day=day()))
    seen(focal, lang)
    focal.get_by_role("button", name=t("office_fdp.remind_all")).click()
    expect(note(focal)).to_have_text(t("note.office_fdp_reminders_sent", non_filers=2))
    sent = focal.locator("#reminders tbody tr")
    expect(sent).to_have_count(2)
    expect(sent.locator("td:first-child")).to_have_text([day(), day()])
    recipients = sorted(text.strip() for text in
                        sent.locator("td:nth-child(2)").all_inner_texts())
    assert recipients == sorted([t("office_fdp.all_non_filers", n=2), staff[1]])
    expect(focal.locator(f"#remind-{staff[2]} .reminded")).to_have_count(0)
    seen(focal, lang)

    visit(office, "/notifications", lang)
    office.get_by_label(t("notifications.kind"), exact=True).select_option("filing_reminder")
    office.get_by_label(t("notifications.recipient"), exact=True).fill(mails[staff[1]])
    office.get_by_role("button", name=t("notifications.filter")).click()
    expect(office).to_have_url(re.compile(r"[?&]kind=filing_reminder"))
    deliveries = office.locator("#deliveries tbody tr[class^=delivery-]")

    def both_listed():  # the notifications service hears of the reminders through events
        reload(office)
        return deliveries.count() == 2
    eventually(both_listed, 30, 0.5)
    expect(deliveries.locator("td:nth-child(2)")).to_have_text(
        [t("notifications.kind.filing_reminder")] * 2)
    expect(deliveries.locator("td:nth-child(3)")).to_have_text([mails[staff[1]]] * 2)
    expect(office.locator("#deliveries-shown")).to_have_text(t("notifications.shown", count=2))
    seen(office, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_the_office_adds_a_panel_member_and_records_its_leaving(
        office, api, unique_code, seen, lang):
    t = lambda key, **v: translate(lang, key, **v)  # noqa: E731
    code = new_entity(api, unique_code, "BM")
    visit(office, "/panel/members", lang)
    join = office.locator("form[action='/panel/members']")
    join.get_by_label(t("filer.entity"), exact=True).fill(code)
    join.get_by_label(t("panel.head"), exact=True).fill("Ms. Zhang")
    join.get_by_label(t("panel.joined_on"), exact=True).fill(day(-30))
    join.get_by_role("button", name=t("panel.join_submit")).click()
    expect(note(office)).to_have_text(t("note.member_joined", entity=code))
    row = office.locator(f"tr[data-member='{code}']")
    expect(row.locator("td")).to_have_text(
        ["Ms. Zhang", t("member.status.active"), day(-30), "—", re.compile(".*")])
    seen(office, lang)

    row.get_by_label(t("panel.leaves_on")).fill(day(-60))  # before it joined: refused
    row.get_by_role("button", name=t("panel.leave_submit")).click()
    expect(office.locator("#f-on-error")).to_be_visible()
    expect(row.get_by_label(t("panel.leaves_on"))).to_have_attribute("aria-invalid", "true")
    expect(row.locator("td.left")).to_have_text("—")
    seen(office, lang)
    # the refused form's page is at the address of its POST: the language switch goes back
    # to the page that held the form
    other = "en" if lang == "zh" else "zh"
    office.locator("form.lang").get_by_role("button", name=LANG_BUTTON[other]).click()
    expect(office).to_have_url(re.compile(r"/panel/members(\?[^/]*)?$"))
    expect(office.get_by_role("heading", level=1)).to_have_text(
        translate(other, "panel.membership_title"))
    office.locator("form.lang").get_by_role("button", name=LANG_BUTTON[lang]).click()
    expect(office.get_by_role("heading", level=1)).to_have_text(t("panel.membership_title"))

    row.get_by_label(t("panel.leaves_on")).fill(day(-1))
    row.get_by_role("button", name=t("panel.leave_submit")).click()
    expect(note(office)).to_have_text(t("note.member_left", entity=code))
    expect(row.locator("td")).to_have_text(
        ["Ms. Zhang", t("member.status.left"), day(-30), day(-1), ""])
    expect(row.get_by_role("button", name=t("panel.leave_submit"))).to_have_count(0)
    seen(office, lang)


# the Panel chair


@pytest.mark.parametrize("lang", LANGS)
def test_the_chair_moves_a_meeting_then_cancels_it(chair, seen, lang):
    t = lambda key, **v: translate(lang, key, **v)  # noqa: E731
    visit(chair, "/panel/meetings/new", lang)
    seen(chair, lang)
    chair.get_by_label(t("panel.scheduled_for"), exact=True).fill(day(20))
    chair.get_by_label(t("panel.kind"), exact=True).select_option("informal")
    chair.get_by_label(t("panel.agenda"), exact=True).fill("Outreach")
    chair.get_by_role("button", name=t("panel.convene_submit"), exact=True).click()
    expect(note(chair)).to_have_text(t("note.meeting_convened"))
    heading = chair.get_by_role("heading", level=1)
    expect(heading).to_contain_text(t("panel.meeting_of", day=day(20)))
    seen(chair, lang)

    chair.get_by_label(t("panel.new_date"), exact=True).fill(day(10))
    chair.get_by_role("button", name=t("panel.reschedule_submit")).click()
    expect(note(chair)).to_have_text(t("note.meeting_rescheduled"))
    expect(heading).to_contain_text(t("panel.meeting_of", day=day(10)))
    expect(heading.locator(".tag")).to_have_text(t("meeting.status.convened"))
    seen(chair, lang)

    chair.get_by_label(t("panel.cancelled_on"), exact=True).fill(day())
    chair.get_by_role("button", name=t("panel.cancel_submit")).click()
    expect(note(chair)).to_have_text(t("note.meeting_cancelled"))
    expect(heading.locator(".tag")).to_have_text(t("meeting.status.cancelled"))
    expect(chair.locator("#cancelled-on")).to_have_text(day())
    expect(chair.get_by_role("button", name=t("panel.reschedule_submit"))).to_have_count(0)
    expect(chair.get_by_role("button", name=t("panel.cancel_submit"))).to_have_count(0)
    seen(chair, lang)


@pytest.fixture
def members(api, client_as):
    codes = panel_members(api, client_as, 2)
    yield codes
    leave_panel(client_as, codes)


@pytest.mark.parametrize("lang", LANGS)
def test_the_chair_concludes_a_consultation_without_every_answer_once_confirmed(
        chair, members, seen, lang):
    t = lambda key, **v: translate(lang, key, **v)  # noqa: E731
    answered, silent = members
    visit(chair, "/panel/consultations/new", lang)
    seen(chair, lang)
    chair.get_by_label(t("panel.topic"), exact=True).fill("Gifts at conferences")
    chair.get_by_label(t("panel.question"), exact=True).fill("May staff keep them?")
    chair.get_by_label(t("panel.respond_by"), exact=True).fill(day(14))
    chair.get_by_role("button", name=t("panel.open_submit")).click()
    expect(note(chair)).to_have_text(t("note.consultation_opened"))
    seen(chair, lang)

    chair.get_by_label(t("panel.answer_for_member"), exact=True).select_option(answered)
    chair.get_by_label(t("panel.position"), exact=True).fill("Only of nominal value")
    chair.get_by_role("button", name=t("panel.answer_submit")).click()
    expect(note(chair)).to_have_text(t("note.position_recorded", entity=answered))

    warning = chair.locator("#outstanding-warning")
    outstanding = warning.locator("#outstanding li")
    expect(outstanding.filter(has_text=exactly(silent))).to_have_count(1)
    expect(outstanding.filter(has_text=exactly(answered))).to_have_count(0)
    count = outstanding.count()
    expect(warning.locator("p").first).to_have_text(
        t("panel.outstanding_warning", count=count))
    seen(chair, lang)

    chair.get_by_label(t("panel.outcome"), exact=True).fill("Agreed")
    chair.get_by_label(t("panel.guidance"), exact=True).fill("Nominal value only")
    chair.get_by_role("button", name=t("panel.conclude_submit"), exact=True).click()
    expect(chair.locator("#f-confirm-error")).to_contain_text(
        t("panel.confirm_needed", count=count))
    expect(chair.get_by_label(t("panel.conclude_anyway"))).to_have_attribute(
        "aria-invalid", "true")
    expect(chair.locator("#consultation-status")).to_have_text(t("consultation.status.open"))
    expect(chair.get_by_label(t("panel.outcome"), exact=True)).to_have_value("Agreed")
    expect(outstanding.filter(has_text=exactly(silent))).to_have_count(1)
    seen(chair, lang)

    chair.get_by_label(t("panel.conclude_anyway")).check()
    chair.get_by_role("button", name=t("panel.conclude_submit"), exact=True).click()
    expect(note(chair)).to_have_text(t("note.consultation_concluded"))
    expect(chair.locator("#consultation-status")).to_have_text(
        t("consultation.status.concluded"))
    expect(chair.locator("#outcome")).to_have_text("Agreed")
    expect(chair.locator("#not-answered li").filter(has_text=exactly(silent))).to_have_count(1)
    seen(chair, lang)


# the upload page's progress bar


@pytest.mark.parametrize("lang", LANGS)
def test_an_upload_shows_its_progress_then_its_result(
        open_page, api, person_as, unique_code, seen, lang):
    """A file of a few hundred KB sent slowly (the upload throttled): the progress bar shows,
    climbs to 100 and the result replaces the page, still at the upload's address."""
    t = lambda key, **v: translate(lang, key, **v)  # noqa: E731
    code = new_entity(api, unique_code, "BU")
    page = open_page()
    sign_in(page, person_as("focal_point", code))
    upload = f"/focal/{code}/service-requests/upload"
    visit(page, upload, lang)
    progress = page.locator("progress#upload-progress")
    expect(progress).to_be_hidden()
    seen(page, lang)

    padding = " " * 90_000  # a cell's spaces are trimmed: three rows of 90 KB each
    rows = ["received_on,category,advice_topic,source"] + [
        f"{day(-n)},training,,headquarters{padding}" for n in (1, 2, 3)]
    page.get_by_label(t("upload.file")).set_input_files(files=[{
        "name": "slow.csv", "mimeType": "text/csv", "buffer": "\n".join(rows).encode()}])
    # what the bar shows, kept where the result page (written over this one) leaves it
    page.evaluate("""() => {
      const box = document.querySelector('.upload-progress');
      const bar = box.querySelector('progress');
      sessionStorage.setItem('seen', '[]');
      new MutationObserver(() => {
        const seen = JSON.parse(sessionStorage.getItem('seen'));
        seen.push({shown: !box.hidden, value: bar.value});
        sessionStorage.setItem('seen', JSON.stringify(seen));
      }).observe(box, {attributes: true, subtree: true});
    }""")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1,
        "uploadThroughput": 100 * 1024})
    page.get_by_role("button", name=t("upload.submit"), exact=True).click()
    expect(progress).to_be_visible()
    expect(page.get_by_text(t("upload.sending"), exact=True)).to_be_visible()

    summary = page.locator("#upload-summary")
    expect(summary).to_have_text(t("upload.summary", rows=3, accepted=3, rejected=0),
                                 timeout=30_000)
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    expect(page).to_have_url(re.compile(re.escape(upload) + "$"))  # no navigation: the script
    expect(page.locator("#result")).to_have_text(t("upload.result", filename="slow.csv"))
    expect(page.locator("progress#upload-progress")).to_be_hidden()  # the result's own form
    seen(page, lang)
    shown = json.loads(page.evaluate("() => sessionStorage.getItem('seen')"))
    values = [s["value"] for s in shown if s["shown"]]
    assert values and values[-1] == 100, shown
    assert any(0 < v < 100 for v in values), shown  # the bar moved while the file was sent
    listed = api.get("/service-requests", params={"entity": code})["items"]
    assert sorted(r["received_on"] for r in listed) == [day(-3), day(-2), day(-1)]
