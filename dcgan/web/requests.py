"""Every check of what a client sends, in one place: the body's size and JSON, and its fields.

The server calls `read_complete` once per POST; what it returns is safe to hand
to the job runner (`jobs.decode_image` then checks the pictures themselves).
"""

import dataclasses
import json

from dcgan.web.jobs import MAX_BYTES, BadRequest

MAX_BODY = 2 * MAX_BYTES  # base64 of a photo and a mask at their limits
READ_TIMEOUT = 30  # seconds a client may take to send its request (each read of the socket)


class ClientGone(Exception):
    """The client closed the connection before its request was read: nobody to answer."""


@dataclasses.dataclass
class CompleteRequest:
    photo: str  # a data URL or plain base64
    mask: str
    gray: bool = False


def read_body(headers, stream):
    """The request's body as bytes, after checking its declared length."""
    length = headers.get("Content-Length", "0")
    if not length.isdigit():  # a negative length would read until the client hangs up
        raise BadRequest(f"the request's Content-Length is not a size: {length}")
    if int(length) > MAX_BODY:
        raise BadRequest(f"the request is over {MAX_BODY // 2 ** 20} MB", 413)
    try:
        body = stream.read(int(length))
    except TimeoutError:
        raise BadRequest(f"the request's body did not arrive within {READ_TIMEOUT} s (its "
                         f"Content-Length says {length} bytes)", 408) from None
    if len(body) < int(length):
        raise ClientGone(f"the client left after {len(body)} of {length} bytes")
    return body


def read_complete(headers, stream):
    """A `CompleteRequest` from a POST /api/complete, or BadRequest saying what is wrong."""
    try:
        request = json.loads(read_body(headers, stream) or b"{}")
    except ValueError:
        raise BadRequest("the request is not JSON") from None
    if not isinstance(request, dict):
        raise BadRequest("send a JSON object with photo and mask")
    for field in ("photo", "mask"):
        value = request.get(field)
        if value is None or value == "":
            raise BadRequest(f"no {field} in the request")
        if not isinstance(value, str):
            raise BadRequest(f"the {field} is not an image: send it as a data URL or base64 text, "
                             f"not a {type(value).__name__}")
    if not isinstance(request.get("gray", False), bool):
        raise BadRequest(f"gray must be true or false, not {json.dumps(request['gray'])}")
    return CompleteRequest(request["photo"], request["mask"], request.get("gray") is True)
