"""The real services the fault tests break on purpose: an SMTP server of their own (counting what it accepts by
Message-ID), a Celery worker process that can be killed with SIGKILL and started again, and a Redis server of
their own that can be restarted. Nothing here touches the machine's own Redis or mail server."""

import email
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, *, timeout, interval=0.2, what="condition"):
    """Poll until condition() is truthy; its value, or AssertionError naming what never happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


# --- SMTP ----------------------------------------------------------------------------------------------------


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 for smtplib: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def reply(self, text):
        self.wfile.write(text.encode("ascii") + b"\r\n")

    def handle(self):
        self.reply("220 fault-sink ESMTP")
        in_data, lines = False, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            if in_data:
                if line in (b".\r\n", b".\n"):
                    in_data = False
                    self.server.sink.accept(b"".join(lines))
                    lines = []
                    self.reply("250 2.0.0 queued")
                else:
                    lines.append(line[1:] if line.startswith(b"..") else line)
                continue
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.wfile.write(b"250-fault-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
            elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self.reply("250 2.0.0 ok")
            elif verb == b"DATA":
                in_data = True
                self.reply("354 end with <CRLF>.<CRLF>")
            elif verb == b"QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("502 5.5.2 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class SmtpSink:
    """A mail server on 127.0.0.1:port that keeps every accepted message; it can be down (nothing listens, the
    connection is refused as with a crashed server) and come back on the same port."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.messages = []
        self._lock = threading.Lock()
        self._server = None

    def accept(self, raw: bytes):
        with self._lock:
            self.messages.append(email.message_from_bytes(raw))

    def start(self):
        self._server = _Server(("127.0.0.1", self.port), _SmtpHandler)
        self._server.sink = self
        threading.Thread(target=self._server.serve_forever, name="smtp-sink", daemon=True).start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def message_ids(self) -> Counter:
        with self._lock:
            return Counter(str(message["Message-ID"]).strip() for message in self.messages)


# --- Redis ---------------------------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of the test's own on a free port, with the append-only file the deployment uses
    (docker-compose.yml), so a restart keeps the queue as a real restart would."""

    def __init__(self):
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="fault-redis-")
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(  # noqa: S603 — the machine's redis-server binary, fixed arguments
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.directory, "--appendonly", "yes"]
            + ["--save", "", "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.ping, timeout=20, what=f"redis-server on port {self.port}")
        return self

    def ping(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        """SIGTERM: Redis writes its append-only file and exits, as `docker compose restart redis` does."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None

    def restart(self):
        self.stop()
        return self.start()

    def close(self):
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


# --- The worker ----------------------------------------------------------------------------------------------


class WorkerProcess:
    """`celery -A lawfirm_kpi worker` in its own process group, against the test database and the given broker.

    Settings come through the environment as in a deployment (lawfirm_kpi/settings/base.py), with time limits,
    backoffs and the broker's visibility timeout shortened so a test rides out a fault in seconds.
    """

    def __init__(self, *, env: dict, log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.process = None
        self.starts = 0

    def start(self):
        self.starts += 1
        self.name = f"fault-{uuid.uuid4().hex[:8]}@localhost"
        self.log = self.log_dir / f"worker-{self.starts}.log"
        command = [sys.executable, "-m", "celery", "-A", "lawfirm_kpi", "worker", "--hostname", self.name]
        command += ["--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 — this interpreter's celery, fixed arguments
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_for(self._ready, timeout=120, what=f"the worker to start (log: {self.log})")
        return self

    def _ready(self):
        if self.process.poll() is not None:
            raise AssertionError(f"the worker exited with {self.process.returncode}: {self.log.read_text()[-3000:]}")
        return b" ready." in self.log.read_bytes()

    def kill(self):
        """SIGKILL to the whole process group (the main process and its pool child): a machine that loses power
        or an OOM killer, with no chance to finish, acknowledge or clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace")[-4000:] for path in sorted(self.log_dir.glob("*.log")))
