"""A minimal client of the QML language server (qmlls): open one file, return what it flags.

Enough of the Language Server Protocol to ask what a designer's editor
would show: initialize, open a document, wait for its diagnostics.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any


class LanguageServer:
    def __init__(self, command: str, cwd: Path) -> None:
        self.process = subprocess.Popen(
            [command], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self._next_id = 0

    def send(self, method: str, params: dict[str, Any], request: bool = False) -> int | None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self._next_id += 1
            message["id"] = self._next_id
        body = json.dumps(message).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.process.stdin.flush()
        return message.get("id")

    def receive(self, deadline: float) -> dict[str, Any]:
        out = self.process.stdout
        assert out is not None
        if not select.select([out], [], [], max(0.0, deadline - time.monotonic()))[0]:
            raise TimeoutError("the language server did not answer")
        header = b""
        while not header.endswith(b"\r\n\r\n"):
            header += out.read(1)
        length = next(int(h.split(b":")[1]) for h in header.split(b"\r\n") if h.lower().startswith(b"content-length"))
        return json.loads(out.read(length))

    def diagnostics(self, qml_file: Path, timeout: float = 30) -> list[str]:
        """``line: message`` for each problem the server finds in ``qml_file``."""
        deadline = time.monotonic() + timeout
        root = qml_file.parent.as_uri()
        asked = self.send(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root,
                "capabilities": {},
                "workspaceFolders": [{"uri": root, "name": "qml"}],
            },
            request=True,
        )
        while self.receive(deadline).get("id") != asked:
            pass
        self.send("initialized", {})
        document = {"uri": qml_file.as_uri(), "languageId": "qml", "version": 1, "text": qml_file.read_text()}
        self.send("textDocument/didOpen", {"textDocument": document})
        while True:
            message = self.receive(deadline)
            if message.get("method") == "textDocument/publishDiagnostics":
                found = message["params"]["diagnostics"]
                return [f"{d['range']['start']['line'] + 1}: {d['message']}" for d in found]

    def close(self) -> None:
        self.process.kill()
        self.process.communicate()  # reaps it and closes its pipes
