"""A small LSP client speaking JSON-RPC over a child process's stdio, for end-to-end server tests."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from typing import Any, Callable, Dict, List, Optional

TIMEOUT_S = 60


class LspClient:
    def __init__(self, command: List[str], cwd: str) -> None:
        self.process = subprocess.Popen(
            command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.messages: "queue.Queue[Dict[str, Any]]" = queue.Queue()
        self.backlog: List[Dict[str, Any]] = []
        self.next_id = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    @classmethod
    def start(cls, cwd: str) -> "LspClient":
        return cls([sys.executable, "-m", "nnlint", "lsp"], cwd)

    # ------------------------------------------------------------------------------ framing
    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            headers: Dict[str, str] = {}
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                key, _, value = line.decode("ascii").partition(":")
                headers[key.strip().lower()] = value.strip()
            body = stream.read(int(headers["content-length"]))
            self.messages.put(json.loads(body.decode("utf-8")))

    def _send(self, message: Dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    # ----------------------------------------------------------------------------- messages
    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        request_id = self.next_id
        self._send({"id": request_id, "method": method, "params": params})
        response = self.wait_for(lambda m: m.get("id") == request_id and "method" not in m)
        if "error" in response:
            raise AssertionError(f"{method} failed: {response['error']}")
        return response.get("result")

    def wait_for(self, predicate: Callable[[Dict[str, Any]], bool]) -> Dict[str, Any]:
        for index, message in enumerate(self.backlog):
            if predicate(message):
                return self.backlog.pop(index)
        while True:
            try:
                message = self.messages.get(timeout=TIMEOUT_S)
            except queue.Empty:
                raise AssertionError(
                    f"no matching message from the server in {TIMEOUT_S}s; stderr: {self._stderr()}"
                ) from None
            if "method" in message and "id" in message:  # a server->client request: answer it plainly
                self._send({"id": message["id"], "result": None})
                continue
            if predicate(message):
                return message
            self.backlog.append(message)

    def diagnostics(self, uri: str, version: Optional[int] = None) -> List[Dict[str, Any]]:
        message = self.wait_for(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
                and (version is None or m["params"].get("version") == version)
            )
        )
        return message["params"]["diagnostics"]

    def _stderr(self) -> str:
        if self.process.poll() is None:
            return "(server still running)"
        assert self.process.stderr is not None
        return self.process.stderr.read().decode("utf-8", "replace")[-2000:]

    def shutdown(self) -> None:
        try:
            if self.process.poll() is None:
                self.request("shutdown", None)
                self.notify("exit", None)
                self.process.wait(timeout=TIMEOUT_S)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()
