"""Composing messages from templates that are data: one JSON file per language under
`templates/`, each kind with a subject, a plain-text and an HTML body (Jinja2).

A kind missing in the recipient's language falls back to English and says so (the caller counts
it); a kind missing in English, a missing value or a broken template raises `TemplateBroken`,
so no message ever leaves empty or half-written.
"""
import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
from babel.dates import format_date

from shared.contracts.languages import direction
from shared.kernel.errors import DomainError

FOLDER = Path(__file__).resolve().parent.parent / "templates"
FALLBACK = "en"
PARTS = ("subject", "text", "html")
LOCALES = {"en": "en_GB"}  # the United Nations write 2 May 2015
TERMS = "_terms"  # the vocabulary a template names values with, not a kind


class TemplateBroken(DomainError):
    """A template that cannot make its message: a bug in the templates, never the recipient's."""


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str
    language: str      # the language it is written in
    fell_back: bool    # the recipient's language had no template of this kind


def _day(value, language: str) -> str:
    if isinstance(value, jinja2.Undefined):
        str(value)  # raises: the value is missing
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return format_date(value, format="long", locale=LOCALES.get(language, language))


@lru_cache(maxsize=None)
def _environment(language: str, autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=autoescape,
                             keep_trailing_newline=True)
    env.filters["day"] = lambda value: _day(value, language)
    env.filters["term"] = lambda value, group: _term(value, group, language)
    return env


def _term(value, group: str, language: str) -> str:
    """A value of the platform's vocabulary (a meeting's kind, a conflict's type) in the
    language; a list is joined the language's way."""
    if isinstance(value, jinja2.Undefined):
        str(value)  # raises: the value is missing
    terms = catalogue(language).get(TERMS) or catalogue(FALLBACK)[TERMS]
    if isinstance(value, (list, tuple)):
        return terms["separator"].join(_term(v, group, language) for v in value)
    found = terms[group].get(str(value)) or catalogue(FALLBACK)[TERMS][group].get(str(value))
    if found is None:
        raise TemplateBroken(f"no {language} term for the {group} {value!r}")
    return found


@lru_cache(maxsize=None)
def catalogue(language: str) -> dict:
    path = FOLDER / f"{language}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


@lru_cache(maxsize=None)
def _compiled(language: str, kind: str) -> dict:
    source = catalogue(language)[kind]
    missing = [p for p in PARTS if not source.get(p)]
    if missing:
        raise TemplateBroken(f"the {language} template of {kind} has no {', '.join(missing)}")
    try:
        return {part: _environment(language, part == "html").from_string(source[part])
                for part in PARTS}
    except jinja2.TemplateError as exc:
        raise TemplateBroken(f"the {language} template of {kind} is broken: {exc}") from exc


def kinds() -> list[str]:
    return sorted(k for k in catalogue(FALLBACK) if k != TERMS)


def compose(kind: str, language: str, values: dict, portal_url: str) -> Composed:
    """The message of `kind` in `language` (or English) with `values`; links are `portal_url`
    followed by the `link` value's path."""
    used = language if kind in catalogue(language) else FALLBACK
    if kind not in catalogue(used):
        raise TemplateBroken(f"no template for {kind}")
    link = portal_url.rstrip("/") + values.get("link", "/")
    parts = _compiled(used, kind)
    try:
        rendered = {part: parts[part].render(**{**values, "link": link}) for part in PARTS}
    except (jinja2.TemplateError, ValueError, TypeError) as exc:
        raise TemplateBroken(f"the {used} template of {kind} failed: {exc}") from exc
    subject = " ".join(rendered["subject"].split())
    if not subject or not rendered["text"].strip() or not rendered["html"].strip():
        raise TemplateBroken(f"the {used} template of {kind} made an empty message")
    html = rendered["html"].replace("<html>", f'<html lang="{used}" dir="{direction(used)}">', 1)
    return Composed(subject, rendered["text"], html, used, used != language)
