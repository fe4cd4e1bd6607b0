"""An error of the services `{loc, msg, kind, ctx}` as a sentence in the page's language.

The sentence is the label `error.<kind>.<field>` (a field's own wording) or `error.<kind>`, with
the constraint pydantic reports (`{ge}`, `{max_length}`...). Domain rules word their refusals in
English (`value_error`, or errors with no kind); the frequent ones are matched by `RULES`, and any
other is shown in English only on English pages: elsewhere the generic sentence of its kind.
"""
import re

from . import i18n

# pydantic's kinds that say the same thing to a person
SAME = {
    "string_type": "missing", "none_required": "missing",
    "float_parsing": "number", "int_parsing": "number", "float_type": "number",
    "int_type": "number", "int_from_float": "whole_number", "finite_number": "number",
    "decimal_parsing": "number",
    "date_parsing": "date", "date_from_datetime_parsing": "date", "date_type": "date",
    "date_from_datetime_inexact": "date",
    "enum": "choice", "literal_error": "choice",
    "greater_than_equal": "ge", "greater_than": "gt", "less_than_equal": "le",
    "less_than": "lt", "string_too_long": "max_length", "too_long": "max_items",
    "string_pattern_mismatch": "pattern", "extra_forbidden": "unknown",
}

# the domain's English sentences the portal's forms meet, and their labels
RULES = [(re.compile(pattern), key) for pattern, key in (
    (r"a period is written YYYY-YY.*", "error.rule.period_format"),
    (r"a period runs from one year to the next.*", "error.rule.period_years"),
    (r"no reporting period (?P<value>.*)", "error.rule.no_period"),
    (r"no year (?P<value>.*)", "error.rule.no_year"),
    (r"a grade is one of .*", "error.rule.grade"),
    (r"(?P<value>.*) is not an e-mail address.*", "error.rule.email"),
    (r"no entity (?P<value>\S+) in the directory", "error.rule.no_entity"),
    (r"(?P<value>\S+) is after today", "error.rule.after_today"),
    (r"must not be negative", "error.rule.negative"),
    (r"the categories add up to (?P<sum>\d+), not the total (?P<total>\d+)",
     "error.rule.categories_sum"),
    (r"the sources add up to (?P<sum>\d+), not the total (?P<total>\d+)",
     "error.rule.sources_sum"),
    (r"the advice topics add up to (?P<sum>\d+), not the (?P<total>\d+) advice requests",
     "error.rule.topics_sum"),
    (r"(?P<sum>\d+) prima facie cases but only (?P<total>\d+) preliminary reviews",
     "error.rule.prima_facie"),
    (r"(?P<sum>\d+) preliminary reviews but only (?P<total>\d+) inquiries",
     "error.rule.preliminary_reviews"),
    (r"(?P<sum>\d+) filed but only (?P<total>\d+) filers", "error.rule.filed"),
    (r"the deadline comes after the opening", "error.rule.deadline_after_opening"),
    (r"the (?P<year>\d+) cycle opens in \d+", "error.rule.cycle_opens_in_year"),
    (r"an advice request needs an advice_topic", "error.rule.advice_topic_needed"),
    (r"only advice requests have an advice_topic", "error.rule.advice_topic_only"),
    (r"a note needs its text", "error.rule.note_text"),
    (r"a measure needs its description", "error.rule.measure_text"),
    (r"is before the inquiry was received \((?P<value>[0-9-]+)\)",
     "error.rule.before_receipt"),
    (r"is before the inquiry's last step \((?P<value>[0-9-]+)\)",
     "error.rule.before_last_step"),
    (r"certify that the statement is true and complete.*", "error.rule.uncertified"),
    (r"confirm or remove this item carried over.*", "error.rule.unconfirmed"),
)]


def kind_of(error: dict) -> str | None:
    kind = error.get("kind")
    return SAME.get(kind, kind) if kind else None


def sentence(error: dict, lang: str) -> str:
    """The error's sentence in `lang`."""
    msg = error.get("msg", "")
    kind = kind_of(error)
    field = str((error.get("loc") or [""])[-1])
    if kind == "string_too_short":
        kind = "missing" if (error.get("ctx") or {}).get("min_length", 1) <= 1 else "min_length"
    if kind in (None, "value_error", "email", "assertion_error"):
        rule = domain_rule(msg.removeprefix("Value error, "), lang)
        if rule:
            return rule
        if lang == i18n.DEFAULT or (kind is None and not msg.isascii()):
            return msg.removeprefix("Value error, ")  # English, or worded by the portal
        return i18n.translate(lang, "error.value_error")
    for key in (f"error.{kind}.{field}", f"error.{kind}"):
        if i18n.has_label(key):
            return i18n.translate(lang, key, **(error.get("ctx") or {}))
    return msg if lang == i18n.DEFAULT else i18n.translate(lang, "error.value_error")


def domain_rule(msg: str, lang: str) -> str | None:
    for pattern, key in RULES:
        found = pattern.fullmatch(msg)
        if found:
            return i18n.translate(lang, key, **found.groupdict())
    return None
