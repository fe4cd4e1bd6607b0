"""An error of the services `{loc, msg, kind, ctx}` as a sentence in the page's language.

The sentence is the label `error.<kind>.<field>` (a field's own wording) or `error.<kind>`, with
the constraint pydantic reports (`{ge}`, `{max_length}`...). Domain rules word their refusals in
English (`value_error`, or errors with no kind, or a refusal's bare sentence). The portal's forms'
frequent ones are matched by `RULES`; every other refusal the services word is a label
`refusal.*` whose English text is the services' own sentence with `{placeholders}`, read as its
pattern (`labels/refusals/`). Values that are codes (a status, a role) are shown by their labels.
Anything else is shown in English only on English pages: elsewhere the generic sentence.
"""
import re
from functools import lru_cache

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


# a Panel record's states, by the record's name in a refusal
RECORD_STATES = {"membership": "member.status.", "meeting": "meeting.status.",
                 "consultation": "consultation.status.", "report review": "report_review.status.",
                 "chair review": "chair_review.status."}
# the labels a placeholder's value is shown by, when it is a code: tried in order
VALUE_LABELS = {"current": ("status.",), "new": ("status.",),
                "status": ("status.", "inquiry.status."),
                "allowed": ("status.", "inquiry.status.", "panel.move."),
                "decision": ("inquiry.status.",),
                "state": ("public_review.", "status."), "role": ("role.",),
                "move": ("panel.move.",), "record": ("panel.record.",),
                "name": ("panel.record.",), "outcome": ("status.",)}
LISTED = re.compile(r"(, | or )")


@lru_cache(maxsize=None)
def refusal_patterns() -> list[tuple[re.Pattern, str]]:
    """The `refusal.*` labels' English sentences as patterns, the most specific first."""
    found = []
    for key, text in i18n.labels(i18n.DEFAULT).items():
        if key.startswith("refusal."):
            parts = re.split(r"\{(\w+)\}", text)
            regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)"
                            for i, part in enumerate(parts))
            literal = sum(len(part) for part in parts[::2])
            found.append((literal, re.compile(regex), key))
    return [(pattern, key) for _, pattern, key in sorted(found, key=lambda f: -f[0])]


def shown_value(name: str, value: str, lang: str, record: str | None = None) -> str:
    """A code (a status, a role) by its label in `lang`; a list of them each by its label. The
    state of a Panel `record` is one of that record's states."""
    prefixes = VALUE_LABELS.get(name.rstrip("0123456789"), ())
    if name == "state" and record in RECORD_STATES:
        prefixes = (RECORD_STATES[record],)
    if not prefixes:
        return value

    def one(code: str) -> str:
        for prefix in prefixes:
            key = prefix + code.replace(" ", "_")
            if i18n.has_label(key):
                return i18n.translate(lang, key)
        return code
    joints = {", ": i18n.translate(lang, "list.separator"),
              " or ": i18n.translate(lang, "list.or")}
    return "".join(joints[part] if LISTED.fullmatch(part) else one(part)
                   for part in LISTED.split(value))


def refusal(msg: str, lang: str, otherwise: str = "error.value_error") -> str:
    """A refusal's sentence (a Conflict's, a Forbidden's...) in `lang`; the label `otherwise`
    when it is not one the portal knows."""
    said = domain_rule(msg, lang)
    if said:
        return said
    if lang == i18n.DEFAULT:
        return msg
    for pattern, key in refusal_patterns():
        found = pattern.fullmatch(msg)
        if found:
            values = found.groupdict()
            return i18n.translate(lang, key, **{
                name: shown_value(name, value, lang, values.get("record"))
                for name, value in values.items()})
    head, colon, rest = msg.partition(": ")  # "UN-1: <a refusal>", a row's or a field's
    if colon and " " not in head and rest:
        return f"{head}: {refusal(rest, lang, otherwise)}"
    return i18n.translate(lang, otherwise)


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
        if kind is None and not msg.isascii():
            return msg  # worded by the portal
        return refusal(msg.removeprefix("Value error, "), lang,
                       "error.value_error" if field else "error.refused")
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
