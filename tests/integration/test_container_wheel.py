"""The wheel the image's builder stage makes, from exactly what that stage copies: it holds the
services' configs, templates and label files and the `epun-service` entry point; installed into
a virtualenv of its own, it starts every service, and the reporting service renders its report
template. (A build takes some seconds, so it runs with the integration tests, not in
`make unit`.)"""
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from epun import ROOT
from epun.client import Client
from epun.stack import SERVICES, Stack, drop_vhost, open_vhost, private_stack
from tests.unit.deploy_platform import PLATFORM, service_config
from tests.unit.test_container_image import dockerfile, steps  # noqa: F401 (a fixture)

pytestmark = pytest.mark.integration

# what the services read at run time besides their code
DATA = ("*.yaml", "*.json", "*.html", "*.j2", "*.css", "*.csv", "*.svg")


@pytest.fixture(scope="module")
def wheel(dockerfile, tmp_path_factory) -> Path:  # noqa: F811 (the fixture imported above)
    tmp = tmp_path_factory.mktemp("wheel")
    context = tmp / "context"
    for copy in steps(dockerfile[0], "COPY"):
        *sources, _ = copy.split()
        for source in sources:
            path = ROOT / source
            if path.is_dir():
                shutil.copytree(path, context / source,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                (context / source).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, context / source)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                            "--no-build-isolation", "-q", "-w", str(tmp / "wheels"),
                            str(context)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    (found,) = (tmp / "wheels").glob("epun-*.whl")
    return found


def tracked_data_files() -> set[str]:
    listed = subprocess.run(["git", "ls-files", "epun", "services", "shared"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split()
    return {name for name in listed if any(Path(name).match(p) for p in DATA)}


def test_the_wheel_holds_every_config_template_and_label_file_and_the_launcher(wheel, tmp_path):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        assert "epun-service = epun.service_main:main" in archive.read(entry_points).decode()
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
        archive.extractall(tmp_path / "installed")
    assert "services/reporting/templates/report.html.j2" in names
    assert tracked_data_files() - names == set()
    for service in PLATFORM:
        if service_config(service) is not None:
            assert f"services/{service}/config.yaml" in names
    # the launcher, as installed, finds the installed configs (no site, no checkout on the path)
    found = subprocess.run(
        [sys.executable, "-S", "-c",
         "from epun.service_main import command; print(command('intake', {})[5])"],
        cwd=tmp_path, env={"PYTHONPATH": str(tmp_path / "installed")},
        capture_output=True, text=True, timeout=60)
    installed = tmp_path / "installed"
    assert found.stdout.strip() == str(installed / "services" / "intake" / "config.yaml")


@dataclass
class InstalledStack(Stack):
    """A private stack whose services are started by an installed `epun-service`, in a folder
    that holds no checkout."""
    venv: Path = Path()

    def start_service(self, service: str):
        if not self.running(service):
            self.spawn(service, [str(self.venv / "bin" / "epun-service"), service],
                       self.service_env(service))

    def spawn(self, name, cmd, env):
        log = open(self.log_dir / f"{name}.log", "ab")
        proc = subprocess.Popen(cmd, cwd=self.state_dir, env={**env, "PATH": "/usr/bin:/bin"},
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        self.pidfile(name).write_text(str(proc.pid))
        return proc


def fresh_venv(folder: Path, wheel: Path) -> Path:
    """A virtualenv holding the wheel, its dependencies read from this interpreter's
    site-packages (a path entry, so the editable checkout there is not imported)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    site = Path(subprocess.run([str(folder / "bin" / "python"), "-c",
                                "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run([sys.executable, "-m", "pip", "--python",
                                str(folder / "bin" / "python"), "install", "-q", "--no-deps",
                                "--no-index", str(wheel)],
                               capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr
    return folder


def test_the_installed_wheel_starts_every_service_and_renders_a_report(wheel, tmp_path):
    venv = fresh_venv(tmp_path / "venv", wheel)
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import services, epun; print(services.__file__, epun.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True,
                           env={"PATH": "/usr/bin:/bin"}).stdout.split()
    assert all(path.startswith(str(venv)) for path in where), where
    Stack().ensure_rabbitmq()
    vhost = open_vhost("epun-wheel")
    base = private_stack(tmp_path / "state", vhost, "w")
    stack = InstalledStack(**{f: getattr(base, f) for f in base.__dataclass_fields__},
                           venv=venv)
    try:
        stack.up()
        health = Client(stack.base_url).get("/health")
        # the gateway's health names the services it calls for records; notifications is not one
        assert set(health["services"]) == {*SERVICES} - {"notifications"}, health
        assert health["status"] == "ok", health
        api = Client(stack.base_url, stack.admin_token())
        page = api.call("GET", "/reports/annual/2014-15", params={"format": "html"})
        assert page.status_code == 200, page.text
        assert page.headers["Content-Type"].startswith("text/html")
        assert "<html" in page.text.lower()
    finally:
        stack.down()
        drop_vhost(vhost)
