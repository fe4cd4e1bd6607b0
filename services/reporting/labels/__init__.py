"""Report labels in the six official languages of the United Nations: one JSON file per
language in this folder (`en.json`, `zh.json`, ...), all with the same keys; another language
is one more file. Numbers and dates follow each language's conventions (Babel's locale data).

Names the platform holds as data, in English (entities of the directory, consultation topics),
are translated by the glossary (`glossary/<lang>.json`, the United Nations' names in each
language); a name the glossary of a language lacks falls back to English, and `missing()` lists
it. A label missing everywhere shows as its key.
"""
import datetime as dt
import functools
import json
from pathlib import Path

from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal

FOLDER = Path(__file__).parent
GLOSSARY = FOLDER.parent / "glossary"
DEFAULT = "en"
RIGHT_TO_LEFT = {"ar"}
LOCALES = {"en": "en_GB", "zh": "zh_Hans_CN", "fr": "fr_FR", "es": "es_ES", "ru": "ru_RU",
           "ar": "ar"}  # UN English writes "31 July 2015"
NAMES = ("entities", "consultation_topics")  # the glossary's kinds of names


def languages() -> list[str]:
    return sorted(p.stem for p in FOLDER.glob("*.json"))


class Labels:
    def __init__(self, lang: str, texts: dict, fallback: dict, glossary: dict):
        self.lang, self._texts, self._fallback = lang, texts, fallback
        self._glossary = glossary
        self.locale = LOCALES.get(lang, lang)
        self.direction = "rtl" if lang in RIGHT_TO_LEFT else "ltr"

    def __call__(self, key: str, default: str | None = None) -> str:
        return self._texts.get(key) or self._fallback.get(key) or (
            default if default is not None else key)

    def of(self, prefix: str, key) -> str:
        return self(f"{prefix}{key}", str(key))

    def entity(self, code: str, name: str | None = None) -> str:
        """An entity's name in this language; else the directory's (English) name."""
        return self._glossary.get("entities", {}).get(code) or name or code

    def topic(self, text: str) -> str:
        """A consultation topic, as recorded in English, in this language when known."""
        return self._glossary.get("consultation_topics", {}).get(text) or text

    def number(self, value) -> str:
        """A count or a share as this language writes it; other values as they are."""
        if value is None:
            return self("none")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, float) and not value.is_integer():
            return format_decimal(value, format="#,##0.0#", locale=self.locale,
                                  numbering_system="latn")
        return format_decimal(int(value), locale=self.locale, numbering_system="latn")

    def money(self, value) -> str:
        if value is None:
            return self("none")
        return format_decimal(value, format="#,##0.00", locale=self.locale,
                              numbering_system="latn")

    def date(self, value) -> str:
        """A day written out (31 July 2015, 2015年7月31日, ...)."""
        if not value:
            return self("none")
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
        return format_date(day, "long", locale=self.locale)

    def day_month(self, value) -> str:
        """A day of the year without its year (31 July), as figure V's last year shows it."""
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
        return format_skeleton("MMMMd", day, locale=self.locale)

    def text(self, key: str, **values) -> str:
        shown = {k: self.number(v) if (v is None or isinstance(v, (int, float)))
                 and not isinstance(v, bool) and k not in ("cycle", "year", "from", "to") else v
                 for k, v in values.items()}
        return self(key).format(**shown)


@functools.cache
def _load(lang: str) -> dict:
    return json.loads((FOLDER / f"{lang}.json").read_text(encoding="utf-8"))


@functools.cache
def _glossary(lang: str) -> dict:
    path = GLOSSARY / f"{lang}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def labels(lang: str | None = None) -> Labels:
    """The labels of `lang`; ValueError when there is no such translation file."""
    lang = lang or DEFAULT
    if lang not in languages():
        raise ValueError(f"no labels in '{lang}' (there are: {', '.join(languages())})")
    return Labels(lang, _load(lang), _load(DEFAULT), _glossary(lang))


def missing() -> dict[str, dict[str, list[str]]]:
    """Per language, what falls back to English: labels without a text, and the names of the
    English glossary that its glossary lacks."""
    english, names = _load(DEFAULT), _glossary(DEFAULT)
    found = {}
    for lang in languages():
        if lang == DEFAULT:
            continue
        texts, glossary = _load(lang), _glossary(lang)
        found[lang] = {"labels": sorted(k for k in english if not texts.get(k)),
                       **{kind: sorted(n for n in names.get(kind, {})
                                       if not glossary.get(kind, {}).get(n))
                          for kind in NAMES}}
    return found
