"""Errors of the services worded in the page's language, and numbers typed as people write them."""
import pytest
from pydantic import BaseModel, ValidationError
from werkzeug.datastructures import MultiDict

from services.gateway.portal import focal, forms, i18n
from services.gateway.portal.messages import sentence
from shared.contracts.common import Count, Day, Period, Role
from shared.contracts.disclosure import StaffId
from shared.contracts.people import Email
from shared.kernel.errors import Invalid, checked, errors_from_validation


class Sample(BaseModel):
    name: str
    count: Count
    day: Day
    period: Period
    staff_id: StaffId
    email: Email


def errors_of(**values) -> dict:
    good = {"name": "x", "count": 1, "day": "2015-01-01", "period": "2014-15",
            "staff_id": "123456", "email": "a@un.org"}
    with pytest.raises(ValidationError) as raised:
        Sample.model_validate({**good, **values})
    return {e["loc"][-1]: e for e in errors_from_validation(raised.value)}


def test_an_error_keeps_its_kind_and_constraint_but_the_api_tells_loc_and_msg():
    from shared import problems
    error = errors_of(count=-1)["count"]
    assert error["kind"] == "greater_than_equal" and error["ctx"] == {"ge": 0}
    body = problems.problem(Invalid("invalid values", [error]))
    assert body["errors"] == [{"loc": ["count"], "msg": error["msg"]}]


@pytest.mark.parametrize("values, field, en, zh", [
    ({"name": None}, "name", "Fill in this field.", "请填写此项。"),
    ({"count": "12,5"}, "count", "Type a number, for example 12000 or 12,000.",
     "请输入数字，例如 12000 或 12,000。"),
    ({"count": -1}, "count", "This may not be less than 0.", "不能小于 0。"),
    ({"count": 10**9}, "count", "This may not be more than 10000000.", "不能大于 10000000。"),
    ({"day": "31/03/2015"}, "day", "Type a date as YYYY-MM-DD, for example 2015-03-31.",
     "请按 YYYY-MM-DD 格式输入日期，例如 2015-03-31。"),
    ({"period": "2014-16"}, "period",
     "A period runs from one year to the next, for example 2014-15.",
     "报告期须从一年跨到下一年，例如 2014-15。"),
    ({"staff_id": "no spaces"}, "staff_id",
     "A staff ID is letters and digits, for example 123456.",
     "工作人员编号由字母和数字组成，例如 123456。"),
    ({"email": "nobody"}, "email", "Type an e-mail address, for example name@un.org.",
     "请输入电子邮件地址，例如 name@un.org。"),
])
def test_each_kind_of_error_is_a_sentence_in_english_and_chinese(values, field, en, zh):
    error = errors_of(**values)[field]
    assert (sentence(error, "en"), sentence(error, "zh")) == (en, zh)


def test_a_missing_field_and_a_choice():
    class Choice(BaseModel):
        role: Role
    with pytest.raises(ValidationError) as raised:
        Choice.model_validate({"role": "king"})
    [error] = errors_from_validation(raised.value)
    assert sentence(error, "zh") == "请从选项中选择一项。"
    missing = {"loc": ["x"], "msg": "Field required", "kind": "missing"}
    assert sentence(missing, "zh") == "请填写此项。"


def test_domain_sentences_are_translated_and_others_fall_back_to_their_kind():
    rule = {"loc": ["requests_by_category"], "msg": "the categories add up to 9, not the total 10"}
    assert sentence(rule, "zh") == "各类别合计为 9，而非总数 10。"
    odd = {"loc": ["x"], "msg": "Value error, a rule nobody translated", "kind": "value_error"}
    assert sentence(odd, "en") == "a rule nobody translated"
    assert sentence(odd, "zh") == "此项的值无效。"
    unknown = {"loc": ["x"], "msg": "Some pydantic words", "kind": "url_parsing"}
    assert (sentence(unknown, "en"), sentence(unknown, "zh")) == ("Some pydantic words",
                                                                  "此项的值无效。")
    worded = {"loc": ["code"], "msg": i18n.translate("zh", "error.missing")}
    assert sentence(worded, "zh") == "请填写此项。"


def test_a_period_of_a_form_is_worded_from_its_check():
    with pytest.raises(Invalid) as raised:
        checked(Period, "1999-01", "period")
    found = forms.FormErrors.of_exception(raised.value).in_language("zh")
    assert found.of("period") == ["报告期须从一年跨到下一年，例如 2014-15。"]
    no_period = {"loc": ["annual.period"], "msg": "no reporting period 1999-01"}
    assert sentence(no_period, "zh") == "没有报告期 1999-01；格式为 YYYY-YY，例如 2014-15。"


@pytest.mark.parametrize("typed, read", [
    ("12000", "12000"), ("12,000", "12000"), ("12 000", "12000"), ("1,234,567", "1234567"),
    ("12,000.50", "12000.50"), ("12\u00a0000", "12000"),
    ("12,5", "12,5"), ("1,2,3", "1,2,3"), ("12,00", "12,00"), ("1,234 567", "1,234 567"),
    ("abc", "abc"),
])
def test_thousands_separators_are_read_only_where_they_are_unambiguous(typed, read):
    assert forms.figure(typed) == read


def test_the_figures_form_reads_grouped_numbers_and_keeps_ambiguous_ones():
    body = focal.figures_from_form(MultiDict({"total_requests": "12,000",
                                              "activities.participants": "1,2,3"}))
    assert body["total_requests"] == 12000
    assert body["activities"] == {"participants": "1,2,3"}


def test_labels_of_errors_exist_in_every_language():
    keys = [k for k in i18n.labels("en") if k.startswith("error.")]
    assert len(keys) > 20
    for lang in i18n.LANGUAGES:
        assert [k for k in keys if k not in i18n.labels(lang)] == [], lang


def test_a_text_too_short_is_empty_or_needs_its_length():
    empty = {"loc": ["reason"], "msg": "x", "kind": "string_too_short", "ctx": {"min_length": 1}}
    short = {**empty, "ctx": {"min_length": 8}}
    assert (sentence(empty, "zh"), sentence(short, "zh")) == ("请填写此项。", "至少 8 个字符。")
