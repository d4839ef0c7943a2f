"""What the HTTP tests of `newsquery --serve` share (tests/http/*.py).

Each test starts the real server on a free loopback port (`--serve
127.0.0.1:0`: it says on stderr where it listens), asks it over HTTP
with the standard library only (http.client, sockets), and checks what
it answers.  Checks are counted as tests/e2e/lib.sh counts them: a
failed one is printed and the test goes on; finish() gives the exit
status.

NEWSQUERY and NEWSINDEX name the programs (the ones built:
NI_BUILT_NEWSQUERY, NI_BUILT_NEWSINDEX, when meson sets them);
NI_TEST_SAMPLES and NI_TEST_FIXTURES the folders.
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "e2e"))
import json_check  # noqa: E402

NEWSQUERY = os.environ.get("NI_BUILT_NEWSQUERY") or \
    os.environ.get("NEWSQUERY", "newsquery")
NEWSINDEX = os.environ.get("NI_BUILT_NEWSINDEX") or \
    os.environ.get("NEWSINDEX", "newsindex")
SAMPLES = os.environ.get("NI_TEST_SAMPLES", "samples/articles")
FIXTURES = os.environ.get("NI_TEST_FIXTURES", "tests/fixtures")
# The type of every JSON answer (docs/serving.md).
JSON_TYPE = "application/json; charset=utf-8"
# How long a server may take to start or stop, and a request to be
# answered: only hangs are caught (a sanitized build is slow).
PATIENCE = 60

WORK = tempfile.mkdtemp(prefix="ni-http-")
# No config file, no index of the user's: as tests/e2e/lib.sh.
ENV = dict(os.environ, HOME=os.path.join(WORK, "home"), XDG_DATA_HOME="",
           NEWSINDEX_DB="", NEWSINDEX_CONFIG="", XDG_CONFIG_HOME="",
           NO_COLOR="")
os.makedirs(ENV["HOME"])

_checks = 0
_failures = 0
_servers = []


def check(ok, what, detail=""):
    """Count a check; say what failed."""
    global _checks, _failures
    _checks += 1
    if not ok:
        _failures += 1
        print("FAIL: %s%s" % (what, ": " + str(detail)[:2000]
                              if detail != "" else ""), file=sys.stderr)
    return ok


def finish():
    """Stop the servers left, remove the work folder; the exit status."""
    for server in list(_servers):
        server.stop()
    shutil.rmtree(WORK, ignore_errors=True)
    print("%d passed, %d failed" % (_checks - _failures, _failures))
    return 1 if _failures else 0


def run(*argv, **kwargs):
    """Run a program to its end: (status, stdout bytes, stderr text)."""
    kwargs.setdefault("timeout", PATIENCE * 5)
    done = subprocess.run(list(argv), env=ENV, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, **kwargs)
    return done.returncode, done.stdout, done.stderr.decode(
        "utf-8", "replace")


def build(db, *sources, options=()):
    """newsindex build, which must succeed."""
    status, out, err = run(NEWSINDEX, "build", "--db", db, *options,
                           *sources)
    check(status == 0, "newsindex build %s" % " ".join(sources), err)


def write_article(folder, name, **fields):
    """An article file of YAML front matter, each value as given."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "w") as f:
        f.write("---\n")
        for key, value in fields.items():
            f.write("%s: %s\n" % (key, value))
        f.write("---\n")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """A `newsquery --serve` running, until stop()."""

    def __init__(self, db, *options, address="127.0.0.1:0", wait=True):
        self.log_path = os.path.join(WORK, "server-%d.log" % len(_servers))
        self.log_file = open(self.log_path, "wb")
        # address None: --serve alone (the config file's, or 8765).
        argv = [NEWSQUERY, "--db", db, "--serve",
                *([address] if address else []), *options]
        self.proc = subprocess.Popen(argv, env=ENV, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=self.log_file)
        _servers.append(self)
        self.host = self.port = None
        if wait:
            self.wait_listening()

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_listening(self):
        deadline = time.time() + PATIENCE
        while time.time() < deadline:
            found = re.search(r"serving http://(\[[^]]+\]|[^:/]+):(\d+)/",
                              self.log())
            if found:
                self.host = found.group(1).strip("[]")
                self.port = int(found.group(2))
                return True
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("the server did not start: " + self.log())

    def connection(self):
        return http.client.HTTPConnection(self.host, self.port,
                                          timeout=PATIENCE)

    def request(self, path, method="GET", headers=None, body=None,
                conn=None):
        """(status, headers as a dict of lowercase names, body bytes)."""
        own = conn is None
        conn = conn or self.connection()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, \
                data
        finally:
            if own:
                conn.close()

    def get_json(self, path):
        """(status, the JSON object, headers, body bytes)."""
        status, headers, body = self.request(path)
        try:
            obj = json.loads(body)
        except ValueError:
            obj = None
        return status, obj, headers, body

    def stop(self, sig=signal.SIGTERM):
        """Signal the server and wait for its end: its exit status,
        which must be 0, with nothing a sanitizer said in its log."""
        if self in _servers:
            _servers.remove(self)
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            status = self.proc.wait(PATIENCE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            status = self.proc.wait()
        self.log_file.close()
        log = self.log()
        check(status == 0, "the server stops with exit status 0", status)
        check("Sanitizer" not in log and "runtime error" not in log,
              "the server's sanitizers said nothing", log[-3000:])
        return status


def newsquery_json(db, *argv):
    """newsquery --json's stdout (bytes) and exit status."""
    status, out, err = run(NEWSQUERY, "--db", db, "--json", *argv)
    return status, out, err


def schema_problems(kind, body):
    """What is wrong with a body (bytes) as docs/json-schema/ says."""
    return json_check.problems(kind, 0, body)
