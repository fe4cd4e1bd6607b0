"""The wiring of the `epun` command, without a stack: which subcommand runs what."""
import argparse
import json

import pytest

from epun import cli, cli_stack, commands, uploads


class FakeStack:
    base_url = "http://127.0.0.1:1"

    def __init__(self):
        self.calls = []

    def up(self):
        self.calls.append("up")

    def describe(self):
        return "described"


class FakeClient:
    def __init__(self):
        self.posts = []

    def upload_batch(self, endpoint, rows, chunk, progress, key_prefix, header):
        self.posts.append((endpoint, key_prefix, chunk, header))
        progress(len(rows))
        return {"accepted": len(rows) - 1,
                "rejected": [{"row": 2, "errors": [{"loc": ["grade"], "msg": "unknown"}]}]}


@pytest.fixture
def stack(monkeypatch):
    stack = FakeStack()
    monkeypatch.setattr(commands, "from_environment", lambda: stack)
    return stack


@pytest.fixture
def client(monkeypatch):
    client = FakeClient()
    monkeypatch.setattr(uploads, "remote_client", lambda args, stack: client)
    return client


def subcommands(parser, prefix=()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from subcommands(child, (*prefix, name))
            return
    yield prefix, parser


def test_every_subcommand_has_something_to_run():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    for module in cli.COMMANDS:
        module.register(sub)
    leaves = dict(subcommands(parser))
    assert ("upload", "service-requests") in leaves and ("upload", "filers") in leaves
    assert ("up",) in leaves and ("report", "rebuild") in leaves
    assert all(leaf.get_default("run") for leaf in leaves.values())


@pytest.mark.parametrize("argv, started", [(["up"], []), (["up", "--with-prometheus"], ["up"])])
def test_up_starts_prometheus_and_alertmanager_only_when_asked(stack, monkeypatch, capsys, argv,
                                                               started):
    prometheus, alertmanager = [], []
    monkeypatch.setattr(cli_stack, "start_prometheus", lambda s: prometheus.append(s.calls[:]))
    monkeypatch.setattr(cli_stack, "start_alertmanager",
                        lambda s, routing: alertmanager.append(s.calls[:]))
    assert cli.main(argv) == 0
    assert stack.calls == ["up"] and prometheus == ([started] if started else [])
    assert alertmanager == prometheus
    assert capsys.readouterr().out == "the EPUN platform is up and healthy\ndescribed\n"


def test_service_requests_are_posted_in_chunks_under_a_key_of_the_file(stack, client, tmp_path,
                                                                       capsys):
    path = tmp_path / "requests.csv"
    path.write_text("entity,received_on,category,advice_topic,source\n"
                    "EO,2015-01-02,training,,headquarters\nEO,2015-02-30,training,,headquarters\n")
    errors = tmp_path / "rejected.csv"
    assert cli.main(["upload", "service-requests", str(path), "--errors", str(errors)]) == 3
    [(endpoint, key, chunk, header)] = client.posts
    assert (endpoint, chunk, header[0]) == ("/service-requests/batch", 2000, "entity")
    assert key == f"upload-{uploads.file_digest(path)}-2000"
    answer = json.loads(capsys.readouterr().out)
    assert list(answer) == ["file", "rows", "accepted", "rejected", "first_rejected"]
    assert (answer["rows"], answer["accepted"], answer["rejected"]) == (2, 1, 1)
    assert errors.read_text().splitlines() == ["row,field,reason", "2,grade,unknown"]


def test_filers_are_posted_to_their_cycle_and_the_year_is_in_the_key_and_answer(
        stack, client, tmp_path, capsys):
    path = tmp_path / "filers.csv"
    path.write_text("staff_id,entity,duty_station,grade,designation\nA-1,EO,Nairobi,P-4,\n")
    assert cli.main(["upload", "filers", str(path), "--year", "2014", "--chunk", "5"]) == 3
    [(endpoint, key, chunk, _)] = client.posts
    assert (endpoint, chunk) == ("/disclosure/cycles/2014/filers", 5)
    assert key == f"filers-2014-{uploads.file_digest(path)}-5"
    assert list(json.loads(capsys.readouterr().out))[:3] == ["file", "year", "rows"]


def test_an_upload_exits_0_only_when_every_row_was_accepted(stack, client, tmp_path, capsys,
                                                            monkeypatch):
    path = tmp_path / "requests.csv"
    path.write_text("entity,received_on,category,advice_topic,source\n"
                    "EO,2015-01-02,training,,headquarters\n")
    monkeypatch.setattr(client, "upload_batch", lambda *a, **k: {"accepted": 1, "rejected": []})
    assert cli.main(["upload", "service-requests", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["rejected"] == 0


def test_a_chunk_out_of_range_is_refused(stack, client, tmp_path, capsys):
    path = tmp_path / "filers.csv"
    path.write_text("staff_id\n")
    assert cli.main(["upload", "filers", str(path), "--year", "2014", "--chunk", "0"]) == 1
    assert capsys.readouterr().err == "epun: --chunk must be between 1 and 10000\n"
    assert client.posts == []


def test_the_year_of_a_filers_upload_is_required(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["upload", "filers", "filers.csv"])
    assert exited.value.code == 2
    assert "--year" in capsys.readouterr().err
