"""The API fuzzed from its own document, as `make fuzz` does it (schemathesis.toml: a fixed
seed, every check) with fewer examples per operation, against a platform of its own so its
writes meet no other test's records: no server error, no answer that contradicts the document,
no invalid request accepted."""
import os

import pytest

from ..fuzzing import KINDS, fuzz
from ..helpers import platform_of_its_own

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("FUZZ_TEST_EXAMPLES", "5"))


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    with platform_of_its_own(tmp_path_factory.mktemp("fuzzed")) as stack:
        yield fuzz(stack.base_url, stack.admin_token(), EXAMPLES,
                   tmp_path_factory.mktemp("fuzz-reports"))


def test_every_operation_is_fuzzed(fuzzed, capsys):
    with capsys.disabled():  # the counts are part of the suite's output
        print("\n" + fuzzed.summary())
    assert fuzzed.errors == 0
    assert fuzzed.operations >= 100 and fuzzed.cases >= fuzzed.operations * EXAMPLES


def test_no_server_error_no_answer_against_the_document_no_invalid_request_accepted(fuzzed):
    assert fuzzed.counts == {kind: 0 for kind in KINDS}, fuzzed.summary()
    assert fuzzed.other == {}, fuzzed.summary()
