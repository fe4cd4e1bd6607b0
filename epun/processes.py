"""What the local stack knows of its processes: alive or not, which TCP ports they listen on,
and who else holds a port (from /proc, on Linux)."""
import os
import socket
from pathlib import Path

PROC = Path("/proc")
LISTEN = "0A"  # the TCP state LISTEN in /proc/net/tcp


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:  # a zombie is not alive
        with open(PROC / str(pid) / "stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on `port`: a socket may bind it. SO_REUSEADDR lets connections
    lingering in TIME_WAIT pass; a listening socket (even one with SO_REUSEPORT) still fails."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            return True
        except OSError:
            return False


def _listening_inodes(port: int | None = None) -> dict[str, int]:
    """inode -> port of the listening TCP sockets (of one port, or all)."""
    found = {}
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if fields[3] == LISTEN and (port is None or local_port == port):
                found[fields[9]] = local_port
    return found


def _socket_inodes(pid: int) -> set[str]:
    inodes: set[str] = set()
    try:
        entries = list((PROC / str(pid) / "fd").iterdir())
    except OSError:
        return inodes
    for entry in entries:
        try:
            target = os.readlink(entry)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def listening_ports(pid: int) -> set[int]:
    """The TCP ports process `pid` listens on."""
    listening = _listening_inodes()
    return {listening[inode] for inode in _socket_inodes(pid) if inode in listening}


def port_holders(port: int) -> dict[int, str]:
    """pid -> command line of the processes listening on `port` (those this user may see)."""
    inodes = set(_listening_inodes(port))
    holders: dict[int, str] = {}
    if not inodes:
        return holders
    for entry in PROC.iterdir():
        if entry.name.isdigit() and _socket_inodes(int(entry.name)) & inodes:
            holders[int(entry.name)] = command_line(int(entry.name))
    return holders


def command_line(pid: int) -> str:
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return "?"
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()[:160] or "?"


def log_tail(path: Path, lines: int = 3) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""
