"""Install the Debian packages the tests (and the reports' PDF) need, when they are missing and
we may."""
import ctypes.util
import os
import shutil
import subprocess

# command on PATH (or a file it installs) -> Debian package that provides it
NEEDED = {
    "promtool": "prometheus",  # promtool checks the alert rules; the server runs in tests
    "prometheus-alertmanager": "prometheus-alertmanager",  # epun up --with-prometheus; tests
    "chromium": "chromium",  # the portal's browser tests drive Debian's Chromium
    "chromedriver": "chromium-driver",
    # Chinese labels in the portal's screenshots and the reports' charts need a CJK font
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc": "fonts-wqy-zenhei",
    # the reports' PDF: WeasyPrint lays text out with Pango; Latin, Cyrillic and Arabic glyphs
    "lib:pango-1.0": "libpango-1.0-0",
    "lib:pangoft2-1.0": "libpangoft2-1.0-0",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf": "fonts-dejavu-core",
    "pdftotext": "poppler-utils",  # the tests read the PDF back
}


def present(thing: str) -> bool:
    """A file (`/...`), a shared library (`lib:name`) or a command on PATH."""
    if thing.startswith("lib:"):
        return ctypes.util.find_library(thing[4:]) is not None
    return os.path.exists(thing) if thing.startswith("/") else shutil.which(thing) is not None


def missing() -> list[str]:
    return sorted({pkg for thing, pkg in NEEDED.items() if not present(thing)})


def main():
    packages = missing()
    if not packages:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print(f"missing system packages: {' '.join(packages)}; install them to run every test")
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"installing {' '.join(packages)} ...", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
                   check=True, env=env)


if __name__ == "__main__":
    main()
