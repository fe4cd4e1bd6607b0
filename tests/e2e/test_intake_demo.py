"""The intake demo and the upload command, end to end against the running stack."""
from collections import Counter

import pytest

from epun import cli
from epun.demo import directory, intake

pytestmark = pytest.mark.e2e


def every(client, path, **params) -> list:
    items, cursor = [], None
    while True:
        page = client.get(path, params={**params, "limit": 1000,
                                        **({"cursor": cursor} if cursor else {})})
        items += page["items"]
        if not (cursor := page["next_cursor"]):
            return items


def eo_records(api) -> dict:
    return {path: every(api, path, entity="EO", period="2014-15")
            for path in ("/service-requests", "/activities", "/retaliation-inquiries")}


def test_the_demo_adds_up_to_the_report_and_loads_once(api):
    directory.load(api, say=lambda _: None)
    intake.load(api, say=lambda _: None)
    records = eo_records(api)
    requests_ = records["/service-requests"]
    assert len(requests_) == 980
    categories = Counter(r["category"] for r in requests_)
    assert categories["advice"] == 533
    topics = Counter(r["advice_topic"] for r in requests_ if r["category"] == "advice")
    assert sum(topics.values()) == 533 and topics.most_common(1)[0][0] == "outside_activities"
    assert {r["period"] for r in requests_} == {"2014-15"}

    activities = records["/activities"]
    assert len(activities) == 148
    kinds = Counter(a["kind"] for a in activities)
    assert (kinds["senior_briefing"], kinds["expert_panel_briefing"],
            kinds["leadership_dialogue"]) == (13, 13, 1)
    assert sum(a["participants"] for a in activities if a["kind"] == "outreach_visit") > 1000

    inquiries = records["/retaliation-inquiries"]
    assert len(inquiries) == 40
    assert Counter(i["status"] for i in inquiries) == {
        "outside_mandate": 4, "advice_only": 21, "withdrawn": 1, "resolved_informally": 1,
        "not_prima_facie": 7, "preliminary_review": 6}
    assert sum("preliminary_review" in [d["decision"] for d in i["decisions"]]
               for i in inquiries) == 15

    trend = {p: api.get(f"/annual-figures/EO/{p}")["figures"] for p in intake.ANNUAL_FIGURES}
    assert trend["2009-10"]["total_requests"] == 412
    five_cycles = [trend[p]["total_requests"] for p in ("2010-11", "2011-12", "2012-13",
                                                        "2013-14")] + [len(requests_)]
    assert sum(five_cycles) / 5 == 872
    assert round(533 / trend["2013-14"]["requests_by_category"]["advice"] - 1, 2) == 0.12

    intake.load(api, say=lambda _: None)
    assert eo_records(api) == records
    assert all(len(api.get(f"/annual-figures/EO/{p}/versions")) == 1
               for p in intake.ANNUAL_FIGURES)


def test_the_upload_command_logs_a_csv_file_once(api, monkeypatch, tmp_path, unique_code,
                                                 capsys):
    code = unique_code("UP")
    api.put(f"/entities/{code}", {"name": "Uploads", "category": "other"})
    lines = ["entity,received_on,category,advice_topic,source"]
    lines += [f"{code},2015-0{1 + i % 7}-1{i % 10},training,,headquarters" for i in range(25)]
    lines += [f"{code},2015-02-30,training,,headquarters",
              f"{code},2015-01-01,advice,,other_entities"]
    path = tmp_path / "requests.csv"
    path.write_text("\n".join(lines) + "\n")
    errors = tmp_path / "rejected.csv"
    monkeypatch.setenv("EPUN_URL", api.base_url)
    monkeypatch.setenv("EPUN_TOKEN", api.token)
    argv = ["upload", "service-requests", str(path), "--chunk", "10", "--errors", str(errors)]
    assert cli.main(argv) == 3  # done, with rejected rows
    assert '"accepted": 25' in capsys.readouterr().out
    assert [line.split(",")[:2] for line in errors.read_text().splitlines()[1:]] == [
        ["26", "received_on"], ["27", "advice_topic"]]
    assert cli.main(argv) == 3  # the same file again: replayed, stored once
    assert len(every(api, "/service-requests", entity=code)) == 25
