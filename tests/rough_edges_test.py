"""What a new user met: a small face is named, a hole of specks is not searched, results.md
explains itself, the API checks "gray" and does not wait forever for a request's body."""

import http.client
import io
import json
import os
import threading
import time

import numpy as np
import pytest
from PIL import Image

from conftest import SHARED_DATA, shared_data


def test_a_face_below_the_minimum_width_is_named_with_its_size(tiny_model, tmp_path):
    from align.aligner import AlignDlib
    from dcgan.completion.photos import MIN_FACE_WIDTH, complete_photo
    from dcgan.modeling.checkpoints import load_models
    from dcgan.options import CompletionOptions, SearchOptions
    folder = shared_data("lfw_deepfunneled")
    small = tmp_path / "small.png"  # LFW's face is about 110 px wide at 250: about 40 px at 90
    Image.open(os.path.join(folder, sorted(os.listdir(folder))[0])).resize((90, 90)).save(small)
    said = []
    options = CompletionOptions(box="36,54,18,10", progress=False, search=SearchOptions(n_iter=2))
    complete_photo(str(small), load_models(tiny_model), options, AlignDlib(), str(tmp_path / "out"),
                   log=said.append)
    warning = [line for line in said if "px wide" in line]
    assert len(warning) == 1 and f"below the {MIN_FACE_WIDTH} px" in warning[0], said


def test_a_hole_of_specks_alone_is_not_searched(monkeypatch):
    from dcgan.search import batches
    from dcgan.fill.hole_fill import HoleFill
    from dcgan.hole.masks import make_mask
    from dcgan.options import SearchOptions
    monkeypatch.setattr(batches, "ZSearch", lambda *a, **k: pytest.fail("searched a hole of specks"))
    faces = np.random.default_rng(0).uniform(-1, 1, (3, 64, 64, 3)).astype(np.float32)
    mask = make_mask("random", 64, random_fraction=0.2)
    told = []
    batches = list(batches.search_batches(None, faces, mask, SearchOptions(n_iter=7), progress=told.append))
    assert len(batches) == 1 and sum(told) == 7
    filled = HoleFill(mask, "auto")(faces, batches[0].generated)
    assert np.allclose(filled, HoleFill(mask, "biharmonic")(faces, np.zeros_like(faces)))


def test_results_say_which_way_is_better_what_same_person_is_and_who_wins():
    from dcgan.evaluation.benchmark import CLASSICAL_ONLY, to_markdown
    row = lambda method, metric, region, mean, ci95=0.1, **extra: {
        "method": method, "mask": "center", "metric": metric, "region": region, "mean": mean,
        "ci95": ci95, "n": 8, **extra}
    rows = [row("dcgan_poisson", "psnr", "hole", 21.0, fill=CLASSICAL_ONLY),
            row("harmonic", "psnr", "hole", 19.0), row("dcgan_poisson", "identity", "whole", 0.50),
            row("harmonic", "identity", "whole", 0.49), row("harmonic", "same_person", "whole", 0.9)]
    table = to_markdown(rows)
    assert "psnr (hole) ↑" in table and "identity (whole) ↓" in table
    assert "higher is better" in table and "same_person: the share of faces" in table
    assert f"| dcgan_poisson {CLASSICAL_ONLY} |" in table
    assert ("Best: hole PSNR (dB): dcgan_poisson (ahead of harmonic); identity distance: harmonic "
            "(within the intervals of dcgan_poisson).") in table


@pytest.mark.parametrize("gray,ok", [(True, True), (False, True), ("yes", False), (1, False)])
def test_gray_is_true_or_false(gray, ok):
    from dcgan.web.jobs import BadRequest
    from dcgan.web.requests import read_complete
    body = json.dumps({"photo": "a", "mask": "b", "gray": gray}).encode()
    read = lambda: read_complete({"Content-Length": str(len(body))}, io.BytesIO(body))
    if ok:
        assert read().gray is gray
    else:
        with pytest.raises(BadRequest, match="gray must be true or false"):
            read()


def test_a_body_shorter_than_its_length_is_answered_while_others_are_served(monkeypatch):
    from dcgan.web import requests, server
    monkeypatch.setattr(server.Handler, "timeout", 1.0)
    monkeypatch.setattr(requests, "READ_TIMEOUT", 1.0)
    httpd = server.make_server("127.0.0.1", 0, runner=None, examples_dir=os.path.join(SHARED_DATA, "none"))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        host = f"127.0.0.1:{httpd.server_address[1]}"
        slow = http.client.HTTPConnection(host, timeout=30)
        slow.putrequest("POST", "/api/complete")
        slow.putheader("Content-Length", "1000")
        slow.endheaders(b'{"photo": "abc')
        start = time.monotonic()
        other = http.client.HTTPConnection(host, timeout=5)
        other.request("GET", "/api/limits")
        assert other.getresponse().status == 200 and time.monotonic() - start < 1.0
        answer = slow.getresponse()
        assert answer.status == 408 and "did not arrive within" in json.loads(answer.read())["error"]
        assert time.monotonic() - start < 5
    finally:
        httpd.shutdown()
        httpd.server_close()
