"""Reading the portal's forms, and placing each error next to the field it names.

A form field is named by the dotted path of the contract field it fills (`retaliation.prima_facie`,
`assets.0.description`), so an error's `loc` from the services or from pydantic names its field.
"""
import re

from shared.kernel.errors import WHERE, Conflict, Invalid
from shared.kernel.errors import validated  # noqa: F401  (a form's values as a contract)

from .messages import sentence


def field_name(loc) -> str:
    parts = [str(p) for p in (loc or [])]
    if parts and parts[0] in WHERE:
        parts = parts[1:]
    return ".".join(parts)


class FormErrors:
    """Messages by field name, and those that belong to no field (shown above the form).

    A message is a sentence, or an error of the services (`{loc, msg, kind, ctx}`) that the page
    words in its language (`in_language`)."""

    def __init__(self, errors=(), general=()) -> None:
        self.by_field: dict[str, list] = {}
        self.general: list = list(general)
        for error in errors:
            self.add(field_name(error.get("loc")), error)

    def add(self, name: str, msg):
        if name:
            self.by_field.setdefault(name, []).append(msg)
        else:
            self.general.append(msg)

    def in_language(self, lang: str) -> "FormErrors":
        out = FormErrors(general=[worded(m, lang) for m in self.general])
        out.by_field = {name: [worded(m, lang) for m in msgs]
                        for name, msgs in self.by_field.items()}
        return out

    def of(self, name: str) -> list:
        return self.by_field.get(name, [])

    def under(self, prefix: str) -> list[str]:
        """Messages of a field and of everything below it (`assets` holds `assets.0.value`)."""
        return [m for n, msgs in self.by_field.items()
                if n == prefix or n.startswith(prefix + ".") for m in msgs]

    def placed(self, names) -> "FormErrors":
        """These errors with those of fields the form does not show moved to the general list."""
        shown = set(names)
        out = FormErrors(general=self.general)
        for name, msgs in self.by_field.items():
            for msg in msgs:
                if name in shown:
                    out.add(name, msg)
                else:
                    out.general.append({**msg, "field": name} if isinstance(msg, dict)
                                       else f"{name}: {msg}")
        return out

    def __bool__(self):
        return bool(self.by_field or self.general)

    @classmethod
    def of_exception(cls, exc) -> "FormErrors":
        """The errors a form shows again; any other error is raised again."""
        if isinstance(exc, Invalid):
            return cls(exc.errors, [] if exc.errors else [{"loc": [], "msg": exc.detail}])
        if isinstance(exc, Conflict):
            return cls(general=[{"loc": [], "msg": exc.detail}])
        raise exc


def worded(msg, lang: str) -> str:
    if not isinstance(msg, dict):
        return msg  # worded by the portal
    said = sentence(msg, lang)
    return f"{msg['field']}: {said}" if msg.get("field") else said


def attempt(action, show_again):
    """`action()`; when the services refuse the values (Invalid, Conflict), the form is shown
    again by `show_again(errors)`. Forbidden and NotFound become their pages."""
    try:
        return action()
    except (Invalid, Conflict) as exc:
        return show_again(FormErrors.of_exception(exc))


def text(form, name: str) -> str | None:
    value = (form.get(name) or "").strip()
    return value or None


def lines(form, name: str) -> list[str]:
    """A textarea with one item a line."""
    return [line.strip() for line in (form.get(name) or "").splitlines() if line.strip()]


# 12000, 12,000 or 12 000 (and a decimal part after a point): what a filer may type for a number
GROUPED = re.compile(r"\d{1,3}(?:(?P<sep>[, \u00a0\u202f])\d{3})(?:(?P=sep)\d{3})*(?:\.\d+)?")


def figure(value: str) -> str:
    """`value` without its thousands separators when they are unambiguous (12,000 but not 12,5
    nor 1,2,3); otherwise as typed, for the contract to refuse."""
    value = value.strip()
    return re.sub(r"[, \u00a0\u202f]", "", value) if GROUPED.fullmatch(value) else value


def number(form, name: str):
    """A whole number, or the text as typed (so the contract names the field that is wrong), or
    None for an empty field."""
    value = text(form, name)
    if value is None:
        return None
    try:
        return int(figure(value))
    except ValueError:
        return value


def rows(form, prefix: str, columns: list[str]) -> list[dict]:
    """The filled rows of a repeating group: fields `prefix.N.column`; blank rows are left out."""
    found: dict[int, dict] = {}
    for key in form.keys():
        head, _, rest = key.partition(".")
        index, _, column = rest.partition(".")
        if head == prefix and index.isdigit() and column in columns:
            value = (form.get(key) or "").strip()
            found.setdefault(int(index), {})[column] = value
    return [{c: row.get(c, "") for c in columns}
            for _, row in sorted(found.items()) if any(row.values())]
