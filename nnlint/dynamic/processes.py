"""Every process a dynamic run starts is found and ended, including daemons that left its process group.

The child runs in its own session, so killing its process group ends what stays in the group (DataLoader
workers, torchrun ranks). A daemon that forks, calls ``setsid()`` and forks again leaves the group and
would survive. Three nets catch it, and the tracker ends the union:

* a cgroup (v2) made for the run, where this process may make one: every descendant is in it, whatever
  it does (``NNLINT_NO_CGROUP=1`` turns this net off);
* this process as the *child subreaper* for the duration (Linux): an orphaned descendant is re-parented
  to nnlint instead of init, so it stays in the process tree read from ``/proc``;
* a marker in the child's environment, inherited by every descendant that does not replace its
  environment, found in ``/proc/PID/environ``.

Off Linux only the process group is ended. Nothing here imports torch.
"""

from __future__ import annotations

import os
import secrets
import signal
import threading
import time
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Set

MARKER_VARIABLE = "NNLINT_DYNAMIC_RUN"
NO_CGROUP_VARIABLE = "NNLINT_NO_CGROUP"
_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_PROC = "/proc"


@dataclass(frozen=True)
class ProcessInfo:
    pid: int
    ppid: int
    pgid: int
    state: str
    start: int  # clock ticks after boot: tells a process from a later one that reuses its pid
    command: str

    def describe(self) -> str:
        return f"{self.pid} ({self.command})" if self.command else str(self.pid)


def read_process(pid: int) -> Optional[ProcessInfo]:
    """What ``/proc/PID`` says about one process; None when it is gone or unreadable."""
    try:
        with open(f"{_PROC}/{pid}/stat", "rb") as handle:
            stat = handle.read().decode("utf-8", "replace")
    except OSError:
        return None
    name_end = stat.rfind(")")  # the command name may hold spaces and parentheses
    fields = stat[name_end + 2 :].split()
    if name_end < 0 or len(fields) < 20:
        return None
    try:
        with open(f"{_PROC}/{pid}/cmdline", "rb") as handle:
            command = handle.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        command = ""
    if not command:
        command = stat[stat.find("(") + 1 : name_end]
    return ProcessInfo(pid, int(fields[1]), int(fields[2]), fields[0], int(fields[19]), command[:200])


def all_processes() -> Dict[int, ProcessInfo]:
    found: Dict[int, ProcessInfo] = {}
    try:
        names = os.listdir(_PROC)
    except OSError:
        return found
    for name in names:
        if name.isdigit():
            info = read_process(int(name))
            if info is not None:
                found[info.pid] = info
    return found


def descendants(root: int, table: Mapping[int, ProcessInfo]) -> Set[int]:
    children: Dict[int, List[int]] = {}
    for info in table.values():
        children.setdefault(info.ppid, []).append(info.pid)
    found: Set[int] = set()
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _has_marker(pid: int, marker: bytes) -> bool:
    try:
        with open(f"{_PROC}/{pid}/environ", "rb") as handle:
            return marker in handle.read().split(b"\0")
    except OSError:
        return False


def _prctl(option: int, value: int) -> bool:
    if not os.path.isdir(_PROC) or not hasattr(os, "fork"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


class Cgroup:
    """A cgroup v2 folder for one run: the child joins it before ``exec``; ended with ``cgroup.kill``."""

    def __init__(self, path: str) -> None:
        self.path = path

    @classmethod
    def create(cls, name: str) -> Optional["Cgroup"]:
        own = _own_cgroup()
        mount = _cgroup2_mount()
        if own is None or mount is None:
            return None
        path = os.path.join(mount, own.lstrip("/"), name)
        try:
            os.mkdir(path)
        except OSError:
            return None
        group = cls(path)
        if not os.access(os.path.join(path, "cgroup.procs"), os.W_OK):
            group.remove()
            return None
        return group

    def join(self) -> None:
        """Moves the calling process in (called in the child between fork and exec; must not raise)."""
        try:
            descriptor = os.open(os.path.join(self.path, "cgroup.procs"), os.O_WRONLY)
            try:
                os.write(descriptor, b"0")
            finally:
                os.close(descriptor)
        except OSError:
            pass

    def holds(self, pid: int) -> bool:
        return pid in self.pids()

    def pids(self) -> Set[int]:
        found: Set[int] = set()
        for folder, _dirs, files in os.walk(self.path):
            if "cgroup.procs" not in files:
                continue
            try:
                with open(os.path.join(folder, "cgroup.procs"), encoding="ascii") as handle:
                    found.update(int(line) for line in handle if line.strip().isdigit())
            except OSError:
                continue
        return found

    def kill(self) -> None:
        try:
            with open(os.path.join(self.path, "cgroup.kill"), "w", encoding="ascii") as handle:
                handle.write("1")
        except OSError:
            for pid in self.pids():
                _signal(pid, signal.SIGKILL)

    def remove(self) -> None:
        deadline = time.monotonic() + 2.0
        for folder, _dirs, _files in sorted(os.walk(self.path), key=lambda entry: -len(entry[0])):
            while True:
                try:
                    os.rmdir(folder)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.02)


def _own_cgroup() -> Optional[str]:
    try:
        with open(f"{_PROC}/self/cgroup", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("0::"):
                    return line[3:].strip() or "/"
    except OSError:
        pass
    return None


def _cgroup2_mount() -> Optional[str]:
    try:
        with open(f"{_PROC}/self/mounts", encoding="utf-8") as handle:
            for line in handle:
                parts = line.split()
                if len(parts) > 2 and parts[2] == "cgroup2":
                    return parts[1]
    except OSError:
        pass
    return None


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


_ACTIVE: List["ProcessTracker"] = []  # runs in progress in this process (the dynamic corpus test runs two at once)
_ACTIVE_LOCK = threading.Lock()


class ProcessTracker:
    """Finds and ends everything one child process started; see the module docstring. Several trackers may
    be active at once (threads): an adopted orphan belongs to the run whose marker it carries, and one
    without any marker to this run only while no other run is active."""

    def __init__(self, use_cgroup: Optional[bool] = None) -> None:
        self.parent = os.getpid()
        self.token = secrets.token_hex(8)
        self.root: Optional[int] = None
        self._marker = f"{MARKER_VARIABLE}={self.token}".encode()
        self._earlier_children = {info.pid for info in all_processes().values() if info.ppid == self.parent}
        with _ACTIVE_LOCK:
            self._subreaper = _prctl(_PR_SET_CHILD_SUBREAPER, 1)
            _ACTIVE.append(self)
        if use_cgroup is None:
            use_cgroup = os.environ.get(NO_CGROUP_VARIABLE, "") in ("", "0")
        self.cgroup = Cgroup.create(f"nnlint-dynamic-{self.parent}-{self.token}") if use_cgroup else None
        self._closed = False

    def environment(self, env: Mapping[str, str]) -> Dict[str, str]:
        return {**env, MARKER_VARIABLE: self.token}

    def before_exec(self) -> Callable[[], None]:
        """Runs in the child between fork and exec: joins the cgroup, dies with nnlint if nnlint is killed."""
        cgroup = self.cgroup
        parent = self.parent

        def prepare() -> None:
            if cgroup is not None:
                cgroup.join()
            if _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) and os.getppid() != parent:
                os._exit(1)  # nnlint died before the death signal was armed

        return prepare

    def started(self, pid: int) -> None:
        self.root = pid
        if self.cgroup is not None and not self.cgroup.holds(pid):
            self.cgroup.remove()  # could not join it (permissions): the /proc nets remain
            self.cgroup = None

    def members(self) -> Dict[int, ProcessInfo]:
        """The run's live processes (not the root child itself once it has been waited for)."""
        table = all_processes()
        pids: Set[int] = set()
        if self.root is not None:
            pids.add(self.root)
            pids |= descendants(self.root, table)
        if self._subreaper:
            for pid in self._adopted(table):
                if pid not in pids and self._owns_orphan(pid, table):
                    pids.add(pid)
                    pids |= descendants(pid, table)
        if self.cgroup is not None:
            pids |= self.cgroup.pids()
        pids |= {pid for pid in table if pid not in pids and _has_marker(pid, self._marker)}
        pids.discard(self.parent)
        return {pid: table[pid] for pid in pids if pid in table and table[pid].state not in ("Z", "X")}

    def _adopted(self, table: Mapping[int, ProcessInfo]) -> List[int]:
        """Children of this process that were not there before the run (its root and adopted orphans)."""
        return [pid for pid, info in table.items() if info.ppid == self.parent and pid not in self._earlier_children]

    def _owns_orphan(self, pid: int, table: Mapping[int, ProcessInfo]) -> bool:
        if _has_marker(pid, self._marker):
            return True
        with _ACTIVE_LOCK:
            others = [tracker for tracker in _ACTIVE if tracker is not self]
        for other in others:
            if (
                pid == other.root
                or (other.root is not None and pid in descendants(other.root, table))
                or _has_marker(pid, other._marker)
            ):
                return False
        return not others  # no marker at all (it replaced its environment): ours only if no other run is active

    def end(self, first_signal: int = signal.SIGKILL, grace: float = 2.0) -> List[ProcessInfo]:
        """Ends every member: ``first_signal`` (to the group and each member), then SIGKILL after ``grace``
        seconds. Returns the processes that had left the root's process group (what a group kill misses)."""
        if self._closed:
            return []
        found = self.members()
        escaped = [info for info in found.values() if self.root is None or info.pgid != self.root]
        self._send(first_signal, found)
        if first_signal != signal.SIGKILL:
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and self._alive(found):
                time.sleep(0.05)
            found.update(self.members())
            self._send(signal.SIGKILL, found)
        if self.cgroup is not None:
            self.cgroup.kill()
        self._reap(set(found) - {self.root})
        return sorted(escaped, key=lambda info: info.pid)

    def close(self) -> None:
        """Ends anything left, removes the cgroup and gives up the subreaper role (idempotent)."""
        if self._closed:
            return
        self.end(signal.SIGKILL)
        self._closed = True
        if self.cgroup is not None:
            self.cgroup.remove()
        with _ACTIVE_LOCK:
            _ACTIVE.remove(self)
            if self._subreaper and not any(tracker._subreaper for tracker in _ACTIVE):
                _prctl(_PR_SET_CHILD_SUBREAPER, 0)

    def _send(self, signum: int, found: Mapping[int, ProcessInfo]) -> None:
        if self.root is not None:
            try:
                os.killpg(self.root, signum)
            except (ProcessLookupError, PermissionError):
                pass
        for info in found.values():
            current = read_process(info.pid)
            if current is not None and current.start == info.start:  # not a new process with a reused pid
                _signal(info.pid, signum)

    def _alive(self, found: Mapping[int, ProcessInfo]) -> bool:
        for info in found.values():
            current = read_process(info.pid)
            if current is not None and current.start == info.start and current.state not in ("Z", "X"):
                return True
        return False

    def _reap(self, ended: Set[int]) -> None:
        """Collects the exit status of the orphans it adopted and ended (else they stay zombies of nnlint);
        never the root, whose status belongs to its ``Popen``, nor another run's processes."""
        if not self._subreaper:
            return
        deadline = time.monotonic() + 2.0
        while True:
            table = all_processes()
            mine = [pid for pid in ended if pid in table and table[pid].ppid == self.parent]
            for pid in mine:
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass
            if not mine or time.monotonic() > deadline:
                return
            time.sleep(0.02)


def describe(processes: Iterable[ProcessInfo]) -> str:
    return ", ".join(info.describe() for info in processes)
