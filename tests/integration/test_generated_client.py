"""The API as a client generated from its served document sees it: `openapi-python-client`
generates a package here (nothing generated is kept), and a write, a read and a refusal go
through it, the refusal read as the document's Problem."""
import datetime as dt
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.integration

PACKAGE = "epun_generated_client"


@pytest.fixture(scope="module")
def generated(stack, tmp_path_factory):
    """The generated package, imported; its warnings (the CSV bodies it leaves to JSON) are
    printed."""
    where = tmp_path_factory.mktemp("generated-client")
    document = where / "openapi.json"
    document.write_bytes(requests.get(f"{stack.base_url}/api/v1/openapi.json", timeout=60).content)
    bin_dir = Path(sys.executable).parent  # the generator formats its code with this ruff
    done = subprocess.run(
        [str(bin_dir / "openapi-python-client"), "generate", "--path", str(document),
         "--meta", "none", "--output-path", str(where / PACKAGE)],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"})
    print(done.stdout[-3000:], done.stderr[-3000:])
    assert done.returncode == 0, done.stderr
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))
        for name in [n for n in sys.modules if n.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def module(name: str):
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_a_write_a_read_and_a_refusal_through_the_generated_client(generated, stack,
                                                                   unique_code):
    client = generated.AuthenticatedClient(base_url=stack.base_url, token=stack.admin_token())
    models = module("models")
    code = unique_code("GC")

    entity = module("api.directory.put_entity").sync(
        code, client=client, body=models.EntityIn(name="An ethics office",
                                                  category=models.EntityCategory("other")))
    assert isinstance(entity, models.Entity) and entity.code == code

    created = module("api.intake.log_service_request").sync(
        client=client, idempotency_key=f"client-{code}", body=models.ServiceRequestIn(
            entity=code, received_on=dt.date(2014, 9, 1), category=models.Category("advice"),
            advice_topic=models.AdviceTopic("outside_activities"),
            source=models.Source("headquarters")))
    assert isinstance(created, models.Created), created

    read = module("api.intake.get_service_request").sync(created.id, client=client)
    assert isinstance(read, models.ServiceRequestRecord)
    assert (read.entity, read.received_on, read.category.value) == (
        code, dt.date(2014, 9, 1), "advice")

    refused = module("api.intake.log_service_request").sync_detailed(
        client=client, body=models.ServiceRequestIn(
            entity=code, received_on=dt.date(2014, 9, 1), category=models.Category("advice"),
            source=models.Source("headquarters")))
    assert refused.status_code == 422
    problem = refused.parsed
    assert isinstance(problem, models.Problem) and problem.status == 422
    assert any(e.loc[-1] == "advice_topic" for e in problem.errors), problem.to_dict()
