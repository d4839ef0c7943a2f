#!/usr/bin/env python3
"""A small CGI server, for bench/serve.py to put Xapian Omega's CGI
beside `newsquery --serve` under the same load.

    bench/cgi-server.py [--threads N] PORT SCRIPT

Runs SCRIPT (e.g. /usr/lib/cgi-bin/omega/omega) once per GET, as a web
server runs a CGI program (RFC 3875: the request in the environment,
the answer on its standard output, headers first), and answers over
HTTP/1.1 with a Content-Length, so the connection is kept alive as
newsquery --serve keeps it: what differs is the program, not the
connection.  Python's http.server --cgi cannot do that (it answers
HTTP/1.0 and closes, and wrk counts every close as an error).

The environment is passed on (OMEGA_CONFIG_FILE, for Omega), each
request runs on a thread of its own, and the script's start is the cost
CGI has by design.  Never part of `meson test`.
"""
import argparse
import http.server
import os
import subprocess
import sys
import urllib.parse


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes
    script = None

    def do_GET(self):
        path, _, query = self.path.partition("?")
        env = dict(os.environ, GATEWAY_INTERFACE="CGI/1.1",
                   REQUEST_METHOD="GET", QUERY_STRING=query,
                   SCRIPT_NAME=urllib.parse.unquote(path),
                   SERVER_PROTOCOL="HTTP/1.1",
                   SERVER_NAME="127.0.0.1",
                   SERVER_PORT=str(self.server.server_port),
                   REMOTE_ADDR=self.client_address[0])
        run = subprocess.run([self.script], env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        head, _, body = run.stdout.replace(b"\r\n", b"\n").partition(b"\n\n")
        status = 200 if run.returncode == 0 else 500
        headers = []
        for line in head.split(b"\n"):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("script")
    a = p.parse_args()
    Handler.script = a.script
    server = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    print("serving http://127.0.0.1:%d/" % server.server_port,
          file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
