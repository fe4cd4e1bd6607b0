"""schemathesis run against a stack's own document, with the settings of schemathesis.toml, its
failures counted in three kinds: server errors, answers that contradict the document, invalid
requests accepted (and any other failure, which should not happen either).

`python -m tests.fuzzing [--examples N]` fuzzes the local stack (`make fuzz`); the suite's
test_api_fuzzing runs the same against a private stack with fewer examples."""
import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = {
    "server errors": {"ST101", "ST102"},
    "responses contradicting the document": {
        "ST103", "ST104", "ST105", "ST106", "ST107", "ST108", "ST109", "ST110", "ST111",
        "ST204", "ST205"},
    "invalid requests accepted": {"ST201", "ST203", "ST401", "ST402"},
}


@dataclass
class FuzzRun:
    counts: dict[str, int]
    other: dict[str, int]  # failures of no kind above, by code
    errors: int  # operations schemathesis could not test
    operations: int
    cases: int
    examples: dict[str, list[str]] = field(default_factory=dict)  # code: operations
    failures: str = ""  # schemathesis' own account of each failure, with its curl

    def summary(self) -> str:
        lines = [f"schemathesis: {self.operations} operations, {self.cases} test cases"]
        lines += [f"  {kind}: {n}" for kind, n in self.counts.items()]
        lines += [f"  other failures {code}: {n}" for code, n in self.other.items()]
        lines += [f"  operations not tested: {self.errors}"]
        lines += [f"  {code} at {', '.join(ops)}" for code, ops in self.examples.items()]
        return "\n".join(lines + ([self.failures] if self.failures else []))


def fuzz(base_url: str, token: str, examples: int, report_dir: Path) -> FuzzRun:
    output = subprocess.run(
        [str(Path(sys.executable).with_name("st")), "run", f"{base_url}/api/v1/openapi.json",
         "--url", base_url, "-H", f"Authorization: Bearer {token}", "--checks", "all",
         "--max-examples", str(examples), "--report", "json", "--report-dir", str(report_dir),
         "--no-color"],
        cwd=ROOT, check=False, capture_output=True, text=True)
    reports = sorted(report_dir.glob("json-*.json"))
    if not reports:
        raise RuntimeError(f"schemathesis wrote no report:\n{output.stdout}{output.stderr}")
    run = counted(json.loads(reports[-1].read_text()))
    run.failures = _failures(output.stdout)
    return run


def _failures(output: str) -> str:
    """The FAILURES part of schemathesis' output."""
    start, end = output.find("= FAILURES ="), output.find("= SUMMARY =")
    return output[output.rfind("\n", 0, start) + 1:output.rfind("\n", 0, end)] if start >= 0 else ""


def counted(report: dict) -> FuzzRun:
    counts = {kind: 0 for kind in KINDS}
    other: dict[str, int] = {}
    for failure in report["failures"]:
        kind = next((k for k, codes in KINDS.items() if failure["code"] in codes), None)
        if kind is None:
            other[failure["code"]] = other.get(failure["code"], 0) + failure["count"]
        else:
            counts[kind] += failure["count"]
    return FuzzRun(counts, other, report["operations"]["errored"] + len(report["errors"]),
                   report["operations"]["tested"], report["test_cases"]["generated"],
                   {f["code"]: f["operations"] for f in report["failures"]})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--token-file", default=str(ROOT / ".epun" / "admin-token"))
    parser.add_argument("--examples", type=int, default=30)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as reports:
        run = fuzz(args.url, Path(args.token_file).read_text().strip(), args.examples,
                   Path(reports))
    print(run.summary())
    return 1 if any(run.counts.values()) or run.other or run.errors else 0


if __name__ == "__main__":
    sys.exit(main())
