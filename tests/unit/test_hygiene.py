"""What every checkout and package carries: the licence pyproject names, and `epun` commands
free of eventlet's deprecation warning."""
import os
import subprocess
import sys
import tomllib

from epun import ROOT


def test_the_licence_file_is_the_apache_licence_pyproject_names():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_an_epun_command_importing_eventlet_prints_no_deprecation_warning():
    """`epun token create` and `epun audit verify` import shared/, which imports eventlet."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONWARNINGS",
                                                             "EVENTLET_TESTS")}
    env["PYTHONPATH"] = str(ROOT)
    run = subprocess.run([sys.executable, "-W", "default", "-c",
                          "import epun.cli, shared.outbox, eventlet; print(eventlet.__name__)"],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "eventlet"
    assert "Eventlet is deprecated" not in run.stderr
    # without the filter the same import does warn: the check above is not vacuous
    bare = subprocess.run([sys.executable, "-W", "default", "-c", "import eventlet"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert "Eventlet is deprecated" in bare.stderr
