"""The refusals the platform words for a person, read from its source: every sentence given to
an error (Conflict, Invalid, NotFound, Forbidden, a validator's ValueError...), to a field's
`problem`, or returned by a `*_problem(s)` rule. A placeholder of an f-string is `\\x00`."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("services", "shared")
ERRORS = {"Conflict", "Invalid", "NotFound", "Forbidden", "Malformed", "TooLarge", "ValueError",
          "Unauthenticated", "SignInRefused"}
NAMES = {"msg", "refused", "why"}
HOLE = "\x00"


def sample(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else HOLE for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = sample(node.left), sample(node.right)
        return left + right if left is not None and right is not None else None
    return None


def _called(node) -> tuple[str | None, str | None]:
    f = node.func
    if isinstance(f, ast.Name):
        return f.id, None
    if isinstance(f, ast.Attribute):
        return f.attr, f.value.id if isinstance(f.value, ast.Name) else None
    return None, None


class Collector(ast.NodeVisitor):
    def __init__(self):
        self.found: list[tuple[int, str]] = []
        self._rule = []

    def _add(self, node, value):
        if isinstance(value, ast.IfExp):
            self._add(node, value.body)
            self._add(node, value.orelse)
            return
        text = sample(value)
        if text is not None and " " in text.strip():
            self.found.append((node.lineno, text))

    def visit_FunctionDef(self, node):
        self._rule.append(node.name.endswith(("_problem", "_problems")))
        self.generic_visit(node)
        self._rule.pop()

    def visit_Call(self, node):
        name, owner = _called(node)
        if name in ERRORS and node.args:
            self._add(node, node.args[0])
        elif (name == "field" and owner == "Invalid" or name == "problem") and len(node.args) > 1:
            self._add(node, node.args[1])
        elif name == "append" and self._rule and self._rule[-1] and node.args:
            self._add(node, node.args[0])
        self.generic_visit(node)

    def visit_Assign(self, node):
        if any(isinstance(t, ast.Name) and t.id in NAMES for t in node.targets):
            self._add(node, node.value)
        self.generic_visit(node)

    def visit_Return(self, node):
        if self._rule and self._rule[-1] and node.value is not None:
            values = node.value.values if isinstance(node.value, ast.BoolOp) else [node.value]
            for value in values:
                self._add(node, value)
        self.generic_visit(node)


def refusals() -> list[tuple[str, int, str]]:
    """(file, line, sentence) of every refusal in the platform's source."""
    out = []
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*.py")):
            collector = Collector()
            collector.visit(ast.parse(path.read_text(encoding="utf-8")))
            out += [(str(path.relative_to(ROOT)), line, text) for line, text in collector.found]
    return out


def hole_names(node) -> list[str]:
    """The names of an f-string's placeholders: `{cycle.year}` is `year`, `{state.value}` is
    `state`."""
    names = []
    for value in getattr(node, "values", []):
        if isinstance(value, ast.FormattedValue):
            expr = value.value
            parts = []
            while isinstance(expr, (ast.Attribute, ast.Subscript, ast.Call)):
                if isinstance(expr, ast.Attribute):
                    parts.append(expr.attr)
                expr = expr.value if not isinstance(expr, ast.Call) else expr.func
            if isinstance(expr, ast.Name):
                parts.append(expr.id)
            parts = [p for p in parts if p not in ("value", "self", "join", "isoformat")]
            names.append(parts[0] if parts else "value")
    return names
