"""Report labels: one JSON file per language in this folder (`en.json`, `zh.json`, ...), all with
the same keys; another language is one more file. A key missing from a language falls back to
English, and a key missing everywhere shows as itself."""
import functools
import json
from pathlib import Path

FOLDER = Path(__file__).parent
DEFAULT = "en"


def languages() -> list[str]:
    return sorted(p.stem for p in FOLDER.glob("*.json"))


class Labels:
    def __init__(self, lang: str, texts: dict, fallback: dict):
        self.lang, self._texts, self._fallback = lang, texts, fallback

    def __call__(self, key: str, default: str | None = None) -> str:
        return self._texts.get(key) or self._fallback.get(key) or (
            default if default is not None else key)

    def of(self, prefix: str, key) -> str:
        return self(f"{prefix}{key}", str(key))

    def number(self, value) -> str:
        """A count with the language's thousands separator; other values as they are."""
        if value is None:
            return self("none")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, float) and not value.is_integer():
            return f"{value:,.1f}".replace(",", self("thousands"))
        return f"{int(value):,}".replace(",", self("thousands"))

    def text(self, key: str, **values) -> str:
        shown = {k: self.number(v) if isinstance(v, int) and k not in ("cycle", "year") else v
                 for k, v in values.items()}
        return self(key).format(**shown)


@functools.cache
def _load(lang: str) -> dict:
    return json.loads((FOLDER / f"{lang}.json").read_text(encoding="utf-8"))


def labels(lang: str | None = None) -> Labels:
    """The labels of `lang`; ValueError when there is no such translation file."""
    lang = lang or DEFAULT
    if lang not in languages():
        raise ValueError(f"no labels in '{lang}' (there are: {', '.join(languages())})")
    return Labels(lang, _load(lang), _load(DEFAULT))
