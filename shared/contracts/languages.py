"""The languages the platform writes in, and how each is written."""
from enum import Enum


class Language(str, Enum):
    """The six official languages of the United Nations, in which the platform writes."""
    en = "en"
    zh = "zh"
    fr = "fr"
    es = "es"
    ru = "ru"
    ar = "ar"


CODES = tuple(language.value for language in Language)
RIGHT_TO_LEFT = frozenset({Language.ar.value})


def direction(language: str) -> str:
    """`rtl` for a language written right to left (Arabic), else `ltr`: HTML's `dir`."""
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"
