"""Every refusal the services word reaches a page in the visitor's language: each sentence in the
source is a label's pattern (`refusal.*`) or one of the forms' rules, and a Chinese page shows
the label with the values of the refusal, codes by their labels."""
import re

import pytest

from services.gateway.portal import i18n, messages
from services.gateway.portal.forms import FormErrors
from shared.kernel.errors import Conflict
from tests.refusals import HOLE, refusals

# sentences no person meets on a page: a service's configuration, a programming error, or a
# refusal made of two (a row's name before another refusal, worded part by part)
NOT_FOR_PAGES = re.compile(
    r"^(FDP_ANNUAL_DEADLINE|SMTP_URL|event type |no labels in |a reminder offset is)"
    r"|is not a per-filer disclosure event|defines again|^no route of the API"
    r"|^a rebuild of the read models|^\x00: \x00$")


def worded_by_a_pattern(sentence: str) -> bool:
    filled = sentence.replace(HOLE, "2015")
    return bool(messages.domain_rule(filled, "zh")) or any(
        pattern.fullmatch(filled) for pattern, _ in messages.refusal_patterns())


def test_every_refusal_in_the_source_has_a_label():
    found = refusals()
    assert len(found) > 100
    unworded = [f"{where}:{line}: {text!r}" for where, line, text in found
                if not NOT_FOR_PAGES.search(text) and not worded_by_a_pattern(text)]
    assert unworded == []


def test_every_refusal_label_is_still_a_sentence_of_the_source():
    sentences = [text.replace(HOLE, "2015") for _, _, text in refusals()]
    unused = [key for pattern, key in messages.refusal_patterns()
              if not any(pattern.fullmatch(s) for s in sentences)]
    assert unused == []


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_a_bare_refusal_reads_in_the_page_s_language_with_its_values(lang):
    said = messages.refusal("the 2015 cycle exists already", lang)
    assert said == i18n.translate(lang, "refusal.cycle_exists_already", year="2015")
    assert "2015" in said and "exists already" not in said


def test_codes_in_a_refusal_are_shown_by_their_labels():
    said = messages.refusal("a filer whose status is invited cannot become cleared; the next "
                            "step is filed or exempted", "zh")
    for status in ("invited", "cleared", "filed", "exempted"):
        assert i18n.translate("zh", f"status.{status}") in said
        assert status not in said
    assert " or " not in said and (i18n.translate("zh", "status.filed") + "或") in said


def test_a_row_s_refusal_keeps_its_name_and_english_stays_as_the_services_say_it():
    assert messages.refusal("UN-7: the 2015 cycle exists already", "zh") == (
        "UN-7: " + i18n.translate("zh", "refusal.cycle_exists_already", year="2015"))
    assert messages.refusal("the 2015 cycle exists already", "en") == (
        "the 2015 cycle exists already")
    assert messages.refusal("something nobody foresaw", "zh") == i18n.translate(
        "zh", "error.value_error")


def test_a_form_s_general_error_from_a_conflict_is_worded_in_the_page_s_language():
    errors = FormErrors.of_exception(Conflict("the 2033 cycle is closed already"))
    shown = errors.in_language("zh").general
    assert shown == [i18n.translate("zh", "refusal.cycle_closed_already", year="2033")]
    assert errors.in_language("en").general == ["the 2033 cycle is closed already"]
    unknown = FormErrors.of_exception(Conflict("an unforeseen refusal")).in_language("zh")
    assert unknown.general == [i18n.translate("zh", "error.refused")]


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_a_panel_record_s_refusal_names_its_move_record_and_state_in_the_language(lang):
    said = messages.refusal("cannot conclude a report review that is concluded (allowed: "
                            "nothing)", lang)
    for key in ("panel.move.conclude", "panel.record.report_review",
                "report_review.status.concluded", "panel.move.nothing"):
        assert i18n.translate(lang, key) in said
    assert "report review" not in said and "nothing" not in said
