"""Processes and signals under --dynamic: nothing left running, no temporary folder left, honest reports."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

import pytest

from nnlint.dynamic.processes import Cgroup, ProcessTracker
from nnlint.dynamic.runner import run_script
from tests.dynamic.test_runner import TRAIN_STEP, processes_mentioning, script

pytestmark = [
    pytest.mark.dynamic,
    pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed"),
    pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc"),
]

NNLINT = [sys.executable, "-m", "nnlint"]
STEP = (
    TRAIN_STEP
    + """
for _ in range(3):
    optimizer.zero_grad()
    nn.functional.cross_entropy(model(torch.randn(8, 4)), torch.randint(0, 2, (8,))).backward()
    optimizer.step()
"""
)


def marker_for(name: str) -> str:
    return f"nnlint-test-{name}-{os.getpid()}-{time.time_ns()}"


def daemon_code(marker: str) -> str:
    """Forks, calls setsid() and forks again: the grandchild leaves the script's process group and session."""
    return f"""
import os, sys
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)", "{marker}"])
    os._exit(0)
"""


def wait_for(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def nnlint_environment(tmp_path: Path, **extra: str) -> Dict[str, str]:
    temporary = tmp_path / "tmp"
    temporary.mkdir(exist_ok=True)
    return dict(os.environ, TMPDIR=str(temporary), NNLINT_NO_CGROUP="1", **extra)


def leftovers(tmp_path: Path) -> List[str]:
    return sorted(p.name for p in (tmp_path / "tmp").iterdir())


def start_nnlint(path: Path, env: Dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [*NNLINT, "--no-cache", "--dynamic", "--device", "cpu", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as from a terminal, not a background job
    )


# --------------------------------------------------------------------------------- item 1 and 5: signals
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_is_forwarded_and_ends_everything(tmp_path: Path, signum: int) -> None:
    marker = marker_for("signalled")
    received = tmp_path / "received.txt"
    path = script(
        tmp_path,
        f"""
        import signal, subprocess, sys, time
        import torch
        def note(number, frame):
            open({str(received)!r}, "w").write(str(number))
            time.sleep(300)  # it handles the signal but does not exit: nnlint must still end it
        for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(number, note)
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", "{marker}"])
        time.sleep(300)
        """,
    )
    process = start_nnlint(path, nnlint_environment(tmp_path))
    try:
        assert wait_for(lambda: processes_mentioning(marker)), "the script's child never started"
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 128 + signum
    last = stderr.strip().splitlines()[-1]
    assert last == (
        "nnlint: interrupted" if signum == signal.SIGINT else f"nnlint: terminated by {signal.Signals(signum).name}"
    )
    assert "Traceback" not in stderr
    assert received.read_text() == str(int(signum))  # the script got the same signal first
    assert wait_for(lambda: not processes_mentioning(marker), 5)
    assert not processes_mentioning(str(path))
    assert leftovers(tmp_path) == []  # no nnlint-dynamic-* folder


def test_ctrl_c_in_the_static_pass_exits_130_with_one_line(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [*NNLINT, "--no-cache", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        time.sleep(1.5)  # reading stdin, which never ends
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    assert stderr.strip() == "nnlint: interrupted" and stdout == ""


# --------------------------------------------------------------------------------- item 2: daemons
@pytest.mark.parametrize("use_cgroup", [False, True], ids=["proc", "cgroup"])
def test_a_setsid_daemon_is_ended_and_reported(
    tmp_path: Path, use_cgroup: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if use_cgroup:
        probe = Cgroup.create(f"nnlint-test-{os.getpid()}")
        if probe is None:
            pytest.skip("no writable cgroup v2 here")
        probe.remove()
    monkeypatch.setenv("NNLINT_NO_CGROUP", "0" if use_cgroup else "1")
    marker = marker_for("daemon")
    path = script(tmp_path, daemon_code(marker) + STEP)
    result = run_script(str(path), device="cpu", timeout=60)
    assert result.error is None, result.error
    assert result.observations["steps"] >= 1
    assert len(result.ended) == 1 and marker in result.ended[0]
    assert wait_for(lambda: not processes_mentioning(marker), 5)


def test_the_cli_says_what_it_ended(tmp_path: Path) -> None:
    marker = marker_for("daemon-cli")
    path = script(tmp_path, daemon_code(marker) + STEP)
    done = subprocess.run(
        [*NNLINT, "--no-cache", "--dynamic", "--device", "cpu", str(path)],
        env=nnlint_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    [note] = [line for line in done.stderr.splitlines() if "ended" in line]
    assert note.startswith(
        "nnlint: dynamic: note: ended 1 process(es) the script left running outside its process group: "
    )
    assert marker in note
    assert not processes_mentioning(marker)
    assert leftovers(tmp_path) == []


def test_the_tracker_finds_an_orphan_by_the_process_tree_alone(tmp_path: Path) -> None:
    """Without the environment marker (the daemon replaced its environment) and without a cgroup."""
    marker = marker_for("bare-env")
    tracker = ProcessTracker(use_cgroup=False)
    try:
        code = (
            "import os, sys\n"
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    if os.fork() == 0:\n"
            "        os.execve(sys.executable, [sys.executable, '-c', 'import time; time.sleep(300)', "
            f"'{marker}'], {{}})\n"
            "    os._exit(0)\n"
        )
        child = subprocess.Popen(
            [sys.executable, "-c", code], env=tracker.environment(os.environ), start_new_session=True
        )
        tracker.started(child.pid)
        child.wait(timeout=30)
        assert wait_for(lambda: processes_mentioning(marker), 10)
        ended = tracker.end()
        assert [marker in info.command for info in ended] == [True]
    finally:
        tracker.close()
    assert wait_for(lambda: not processes_mentioning(marker), 5)


# --------------------------------------------------------------------------------- item 3: abrupt deaths
@pytest.mark.parametrize(
    "death, expected",
    [
        ("os._exit(3)", "the script exited with status 3 before its first training step"),
        (
            "os.kill(os.getpid(), signal.SIGSEGV)",
            "the script was killed by SIGSEGV (a crash in native code) before its first training step",
        ),
        (
            "os.kill(os.getpid(), signal.SIGKILL)",
            "the script was killed by SIGKILL (as the out-of-memory killer does) before its first training step",
        ),
    ],
)
def test_an_abrupt_death_is_reported_with_its_status_and_last_output(tmp_path: Path, death: str, expected: str) -> None:
    path = script(
        tmp_path,
        "import os, signal, sys, torch\nprint('loading shard 7', flush=True)\n"
        f"print('warning: low memory', file=sys.stderr, flush=True)\n{death}\n",
    )
    result = run_script(str(path), device="cpu", timeout=60)
    assert str(result.error) == f"{expected}; it printed last: warning: low memory"
    assert "could not import torch" not in str(result.error)


def test_an_abrupt_death_after_the_step_says_the_observations_were_lost(tmp_path: Path) -> None:
    path = script(
        tmp_path,
        TRAIN_STEP
        + """
import os
optimizer.zero_grad()
nn.functional.cross_entropy(model(torch.randn(8, 4)), torch.randint(0, 2, (8,))).backward()
optimizer.step()
os._exit(0)
""",
    )
    result = run_script(str(path), device="cpu", timeout=60)
    assert (
        str(result.error)
        == "the script exited with status 0 after its first training step (its observations were lost); it printed "
        "nothing"
    )


def test_a_death_while_importing_torch_names_the_interpreter_and_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "site" / "torch"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("import os\nprint('fake torch loading')\nos._exit(5)\n")
    path = script(tmp_path, STEP)
    monkeypatch.setenv("PYTHONPATH", str(fake.parent))
    result = run_script(str(path), device="cpu", timeout=60)
    assert (
        str(result.error)
        == f"could not import torch in {sys.executable}: the child process exited with status 5; it printed last: "
        "fake torch loading"
    )


# --------------------------------------------------------------------------------- item 4: torch.compile
def test_compiled_models_are_observed_on_cpu(tmp_path: Path) -> None:
    path = script(
        tmp_path,
        """
        import torch
        from torch import nn
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=1))
        model = torch.compile(model)
        helper = nn.Linear(3, 3)
        helper.compile()
        @torch.compile(fullgraph=True)
        def loss_of(out, y):
            return nn.functional.cross_entropy(out, y)
        optimizer = torch.optim.SGD([*model.parameters(), *helper.parameters()], lr=0.1)
        for step in range(3):
            x, y = torch.randn(16, 4), torch.randint(0, 3, (16,))
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y) + loss_of(helper(torch.randn(16, 3)), y)
            loss.backward()
            optimizer.step()
        torch.save(model._orig_mod.state_dict(), "checkpoint.pt")
        """,
    )
    started = time.monotonic()
    result = run_script(str(path), device="cpu", timeout=120)
    assert result.error is None, result.error
    assert time.monotonic() - started < 60
    obs = result.observations
    assert obs["steps"] >= 1 and obs["compiled"] == 3
    assert {f["model"] for f in obs["train_forwards"]} <= {"Sequential", "Linear"}
    at_the_loss = [loss for loss in obs["losses"] if loss["where"][0][1] == 15]
    assert at_the_loss and at_the_loss[0]["origin_op"] == "F.softmax"  # seen through the compiled wrapper


def test_the_script_dies_with_nnlint_even_under_sigkill(tmp_path: Path) -> None:
    path = script(tmp_path, "import time\nimport torch\ntime.sleep(300)\n")
    process = start_nnlint(path, nnlint_environment(tmp_path))
    try:
        assert wait_for(lambda: set(processes_mentioning(str(path))) - {process.pid}), "the script never started"
        process.kill()  # SIGKILL: nnlint cannot clean up; the kernel's parent-death signal ends the script
        process.wait(timeout=30)
    finally:
        process.kill()
    assert wait_for(lambda: not processes_mentioning(str(path)), 10)


def test_two_runs_at_once_end_only_their_own_processes(tmp_path: Path) -> None:
    """Runs in threads of one process (as the dynamic corpus test does): each ends its own daemon only."""
    from concurrent.futures import ThreadPoolExecutor

    markers = [marker_for(f"concurrent{index}") for index in range(2)]
    paths = []
    for index, marker in enumerate(markers):
        folder = tmp_path / str(index)
        folder.mkdir()
        slow = "import time\ntime.sleep(2)\n" if index == 0 else ""  # still running when the other one ends
        paths.append(script(folder, daemon_code(marker) + slow + STEP))
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda path: run_script(str(path), device="cpu", timeout=60), paths))
    for result, marker in zip(results, markers):
        assert result.error is None, result.error
        assert len(result.ended) == 1 and marker in result.ended[0]
    assert wait_for(lambda: not any(processes_mentioning(marker) for marker in markers), 5)
