"""The local web page's server: the standard library's HTTP server, one static page, a JSON API.

    GET  /                          the page
    GET  /api/examples              the example faces' names
    GET  /api/limits                {"max_side", "max_bytes"}: the page fits larger photos to them
    GET  /examples/NAME             one of them (only names from that list)
    POST /api/complete              {"photo": data URL, "mask": data URL, "gray": optional bool}
                                    -> 202 {"id": ...}; "gray": return a colour photo as grey
    GET  /api/jobs/ID               {"status", "iteration", "total", "error", "seconds_left",
                                     "classical_share": of the hole, the share outside every face,
                                     "preview": whether preview.png has a picture yet}
    DELETE /api/jobs/ID             cancels a queued or running job (its status becomes cancelled)
    GET  /api/jobs/ID/preview.png   the completion so far
    GET  /api/jobs/ID/result.png    the finished photo, its size and mode

No path from the client is ever opened: examples are served from a list made at start.
"""

import http.server
import json
import mimetypes
import os
import re

from dcgan.utils.files import IMAGE_EXTENSIONS, list_files
from dcgan.web import jobs, requests
from dcgan.web.jobs import BadRequest

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")


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
    """One request, routed by `ROUTES`; what it serves is its server's, set by make_server."""

    timeout = requests.READ_TIMEOUT  # a client that stops sending is answered 408, not waited for

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

    def _route(self):
        """Finds the request's route in ROUTES and answers it; a client that left is one line."""
        path = self.path.split("?", 1)[0]
        found = [(method, name, match) for method, pattern, name in ROUTES
                 for match in [pattern.fullmatch(path)] if match]
        route = next(((name, match) for method, name, match in found if method == self.command), None)
        try:
            if route is None and found:
                allowed = " or ".join(sorted({method for method, _, _ in found}))
                return self._send(405, {"error": f"{self.command} is not allowed here; use {allowed}"})
            if route is None:
                return self._send(404, {"error": "no such page or job"})
            name, match = route
            return getattr(self, name)(*match.groups())
        except BadRequest as e:
            return self._send(e.status, {"error": str(e)})
        except (requests.ClientGone, ConnectionError) as e:
            print(f"a client left in the middle of {self.command} {path}: {e}", flush=True)
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _route

    def page(self):
        return self._send(200, self.server.pages["index.html"], "text/html; charset=utf-8")

    def static(self, name):
        if name not in self.server.pages:
            return self._send(404, {"error": "no such page"})
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        return self._send(200, self.server.pages[name], kind)

    def example_names(self):
        return self._send(200, sorted(self.server.examples))

    def example(self, name):
        if name not in self.server.examples:  # only names from the list: no client path is opened
            return self._send(404, {"error": "no such example"})
        with open(self.server.examples[name], "rb") as f:
            return self._send(200, f.read(), mimetypes.guess_type(name)[0] or "image/png")

    def limits(self):
        return self._send(200, {"max_side": jobs.MAX_SIDE, "max_bytes": jobs.MAX_BYTES})

    def complete(self):
        request = requests.read_complete(self.headers, self.rfile)
        job = self.server.runner.submit(request.photo, request.mask, request.gray)
        return self._send(202, job.describe())

    def cancel(self, job_id):
        job = self.server.runner.cancel(job_id)
        if job is None:
            return self._send(404, {"error": "no such job (finished jobs are kept for a while)"})
        return self._send(202, job.describe())

    def job(self, job_id, picture=None):
        job = self.server.runner.jobs.get(job_id)
        if job is None:
            return self._send(404, {"error": "no such job (finished jobs are kept for a while)"})
        if picture is None:
            return self._send(200, job.describe())
        image = job.result if picture == "result" else job.preview
        if image is None:
            return self._send(409, {"error": f"the job is {job.status}: no picture yet"})
        return self._send(200, image, "image/png")


ROUTES = [(method, re.compile(pattern), name) for method, pattern, name in (
    ("GET", r"/|/index\.html", "page"),
    ("GET", r"/static/([\w.-]+)", "static"),
    ("GET", r"/api/examples", "example_names"),
    ("GET", r"/examples/([^/]+)", "example"),
    ("GET", r"/api/limits", "limits"),
    ("POST", r"/api/complete", "complete"),
    ("GET", r"/api/jobs/([0-9a-f]{12})", "job"),
    ("DELETE", r"/api/jobs/([0-9a-f]{12})", "cancel"),
    ("GET", r"/api/jobs/([0-9a-f]{12})/(preview|result)\.png", "job"),
)]
