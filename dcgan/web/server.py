"""The local web page's server: the standard library's HTTP server, one static page, a JSON API.

    GET  /                          the page
    GET  /api/examples              the example faces' names
    GET  /api/limits                {"max_side", "max_bytes"}: the page fits larger photos to them
    GET  /examples/NAME             one of them (only names from that list)
    POST /api/complete              {"photo": data URL, "mask": data URL, "gray": optional bool}
                                    -> 202 {"id": ...}; "gray": return a colour photo as grey
    GET  /api/jobs/ID               {"status", "iteration", "total", "error"}
    GET  /api/jobs/ID/preview.png   the completion so far
    GET  /api/jobs/ID/result.png    the finished photo, its size and mode

No path from the client is ever opened: examples are served from a list made at start.
"""

import http.server
import json
import mimetypes
import os
import re

from dcgan.files import IMAGE_EXTENSIONS, list_files
from dcgan.web import jobs
from dcgan.web.jobs import BadRequest

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
JOB_PATH = re.compile(r"^/api/jobs/([0-9a-f]{12})(/preview\.png|/result\.png)?$")


def make_server(host, port, runner, examples_dir):
    """A `ThreadingHTTPServer` on (host, port) serving the page and `runner`'s jobs."""
    examples = {os.path.basename(p): p for p in list_files(examples_dir, IMAGE_EXTENSIONS)} \
        if os.path.isdir(examples_dir) else {}
    pages = {}
    for name in os.listdir(STATIC):
        with open(os.path.join(STATIC, name), "rb") as f:
            pages[name] = f.read()
    server = http.server.ThreadingHTTPServer((host, port), Handler)  # listens from here
    server.runner, server.examples, server.pages = runner, examples, pages
    return server


class Handler(http.server.BaseHTTPRequestHandler):
    """One request: what it serves (`runner`, `examples`, `pages`) is its server's, set by make_server."""

    def log_message(self, *args):  # quiet: the terminal shows the jobs, not every poll
        pass

    def _send(self, status, body, content_type="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        pages, examples = self.server.pages, self.server.examples
        if path in ("/", "/index.html"):
            return self._send(200, pages["index.html"], "text/html; charset=utf-8")
        if path.startswith("/static/") and path[8:] in pages:
            kind = "text/javascript" if path.endswith(".js") else "text/css"
            return self._send(200, pages[path[8:]], kind)
        if path == "/api/examples":
            return self._send(200, sorted(examples))
        if path == "/api/limits":
            return self._send(200, {"max_side": jobs.MAX_SIDE, "max_bytes": jobs.MAX_BYTES})
        if path.startswith("/examples/") and path[10:] in examples:
            with open(examples[path[10:]], "rb") as f:
                return self._send(200, f.read(), mimetypes.guess_type(path)[0] or "image/png")
        return self._send_job(path)

    def _send_job(self, path):
        match = JOB_PATH.match(path)
        job = self.server.runner.jobs.get(match.group(1)) if match else None
        if job is None:
            return self._send(404, {"error": "no such page or job"})
        if match.group(2) is None:
            return self._send(200, job.describe())
        picture = job.result if match.group(2) == "/result.png" else job.preview
        if picture is None:
            return self._send(409, {"error": f"the job is {job.status}: no picture yet"})
        return self._send(200, picture, "image/png")

    def do_POST(self):
        if self.path != "/api/complete":
            return self._send(404, {"error": "no such page"})
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit():  # a negative length would read until the client hangs up
            return self._send(400, {"error": f"the request's Content-Length is not a size: {length}"})
        length = int(length)
        if length > 2 * jobs.MAX_BYTES:  # base64 of a photo and a mask at their limits
            return self._send(413, {"error": f"the request is over "
                                             f"{2 * jobs.MAX_BYTES // 2 ** 20} MB"})
        try:
            request = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self._send(400, {"error": "the request is not JSON"})
        try:
            if not isinstance(request, dict):
                raise BadRequest("send a JSON object with photo and mask")
            job = self.server.runner.submit(request.get("photo"), request.get("mask"),
                                            request.get("gray") is True)
        except BadRequest as e:
            return self._send(e.status, {"error": str(e)})
        return self._send(202, job.describe())
