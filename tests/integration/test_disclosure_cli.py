"""`epun upload filers` and `epun disclosure compliance` against the running services."""
import csv
import json
import subprocess
import sys

import pytest

from epun import ROOT

from .test_disclosure import open_cycle, participants

pytestmark = pytest.mark.integration


def epun(stack, token, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "epun.cli", *args, "--url", stack.base_url,
                           "--token", token], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_filers_upload_from_csv_with_a_progress_bar_and_the_rejected_rows(stack, api,
                                                                          unique_code,
                                                                          tmp_path):
    entity = participants(api, unique_code)[0]
    year = open_cycle(api)
    upload = tmp_path / "filers.csv"
    upload.write_text("staff_id,entity,duty_station,grade,designation\n"
                      f"{entity}-1,{entity},Nairobi,P-4,procurement\n"
                      f"{entity}-2,{entity},Nairobi,P-7,procurement\n"
                      f"{entity}-3,{entity},Nairobi,D-1,senior_official\n")
    errors = tmp_path / "errors.csv"
    run = epun(stack, api.token, "upload", "filers", str(upload), "--year", str(year),
               "--chunk", "2", "--errors", str(errors))
    assert run.returncode == 3, run.stderr  # done, with a row rejected
    answer = json.loads(run.stdout)
    assert (answer["accepted"], answer["rejected"]) == (2, 1)
    assert "filers.csv" in run.stderr and "3/3" in run.stderr  # the progress bar
    assert list(csv.reader(errors.open()))[1][:2] == ["2", "grade"]

    again = epun(stack, api.token, "upload", "filers", str(upload), "--year", str(year),
                 "--chunk", "2")
    assert json.loads(again.stdout)["accepted"] == 2  # the same chunks replay their answers
    assert api.get(f"/disclosure/cycles/{year}")["figures"]["filers"] == 2

    table = epun(stack, api.token, "disclosure", "compliance", str(year))
    assert table.returncode == 0, table.stderr
    assert any(line.split()[:4] == [entity, "2", "0", "2"] for line in table.stdout.splitlines())
