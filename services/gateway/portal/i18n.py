"""The portal's labels in the six official languages, and the visitor's language.

A language's labels are `labels/<lang>.json` and, per area of the portal,
`labels/<area>/<lang>.json` (the Office's pages, the Panel's...): one file per area keeps each
area's words together. A key is defined once across them."""
import json
from functools import lru_cache
from pathlib import Path

from shared.contracts.languages import CODES, direction  # noqa: F401 (the pages' `dir`)

LABELS = Path(__file__).parent / "labels"
LANGUAGES = CODES  # also the order of the language menu
TAGS = {"zh": "zh-Hans"}  # the HTML lang of each, where it is not the code itself
NAMES = {"en": "English", "zh": "中文", "fr": "Français", "es": "Español", "ru": "Русский",
         "ar": "العربية"}  # each in its own words


DEFAULT = "en"


def tag(lang: str) -> str:
    return TAGS.get(lang, lang)


def label_files(lang: str) -> list[Path]:
    return [LABELS / f"{lang}.json", *sorted(LABELS.glob(f"*/{lang}.json"))]


@lru_cache(maxsize=None)
def labels(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in label_files(lang):
        found = json.loads(path.read_text(encoding="utf-8"))
        twice = set(found) & set(merged)
        if twice:
            raise ValueError(f"{path.parent.name}/{path.name} defines again {sorted(twice)}")
        merged.update(found)
    return merged


def translate(lang: str, key: str, **values) -> str:
    """The label `key` in `lang` (English when it lacks one, the key itself when both do),
    with `{name}` placeholders filled from `values`."""
    text = labels(lang).get(key) or labels(DEFAULT).get(key) or key
    return text.format(**values) if values else text


def has_label(key: str) -> bool:
    return key in labels(DEFAULT)


def choose(cookie: str | None, accept_language: str | None) -> str:
    """The visitor's language: the one they chose (a cookie), else their browser's preference."""
    if cookie in LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT
