"""serve.py's page and API over loopback HTTP, with a tiny model; one end-to-end run in Chromium."""

import base64
import http.client
import io
import json
import os
import shutil
import threading
import time
import urllib.error
import urllib.request

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from conftest import REPO, phone_photo, shared_data

MOUTH = (100, 150, 50, 28)  # x, y, w, h on LFW's 250x250 photos
needs_chromium = pytest.mark.skipif(
    not (shutil.which("chromium") and shutil.which("chromedriver")),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module")
def server(tiny_model):
    from align.aligner import AlignDlib
    from dcgan.modeling.checkpoints import load_models
    from dcgan.options import CompletionOptions, SearchOptions
    from dcgan.web.jobs import JobRunner
    from dcgan.web.server import make_server
    options = CompletionOptions(out_interval=2, search=SearchOptions(n_iter=6, tune_iter=4))
    runner = JobRunner(load_models(tiny_model), options, AlignDlib())
    httpd = make_server("127.0.0.1", 0, runner, os.path.join(REPO, "data", "examples"))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    runner.stop()
    httpd.server_close()


def _photo_path():
    folder = shared_data("lfw_deepfunneled")
    return os.path.join(folder, sorted(os.listdir(folder))[0])


def _data_url(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _mask(size, box):
    mask = np.full((size[1], size[0]), 255, np.uint8)
    x, y, w, h = box
    mask[y:y + h, x:x + w] = 0
    return Image.fromarray(mask)


def _request(url, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _wait(server, job_id, timeout=120, statuses=("done", "error")):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = _request(f"{server}/api/jobs/{job_id}")
        job = json.loads(body)
        if job["status"] in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError("the job did not finish")


def test_a_job_completes_the_photo_inside_the_mask_only(server):
    photo = Image.open(_photo_path())
    status, body = _request(f"{server}/api/complete", {"photo": _data_url(photo),
                                                       "mask": _data_url(_mask(photo.size, MOUTH))})
    assert status == 202, body
    job = json.loads(body)
    assert job["status"] in ("queued", "running") and job["total"] == 10  # 6 search + 4 tuning steps
    done = _wait(server, job["id"])
    assert done["status"] == "done" and done["iteration"] == 10, done
    assert 0 <= done["classical_share"] < 0.01  # the mouth lies inside the face
    assert done["preview"] is True
    status, png = _request(f"{server}/api/jobs/{job['id']}/result.png")
    assert status == 200
    result = np.asarray(Image.open(io.BytesIO(png)))
    original = np.asarray(photo.convert("RGB"))
    assert result.shape == original.shape
    hole = np.asarray(_mask(photo.size, MOUTH)) < 128
    outside = ~ndimage.binary_dilation(hole, iterations=2)
    assert np.array_equal(result[outside], original[outside])
    assert np.any(result != original, axis=-1)[hole].mean() > 0.5
    assert _request(f"{server}/api/jobs/{job['id']}/preview.png")[0] == 200


def test_the_share_of_the_hole_filled_classically_is_reported(server):
    """A box from the cheek past the photo's left edge: most of it lies outside the face."""
    photo = Image.open(_photo_path())
    mask = np.full((photo.size[1], photo.size[0]), 255, np.uint8)
    mask[110:180, 0:120] = 0
    status, body = _request(f"{server}/api/complete", {"photo": _data_url(photo),
                                                       "mask": _data_url(Image.fromarray(mask))})
    assert status == 202, body
    done = _wait(server, json.loads(body)["id"])
    assert done["status"] == "done" and 0.3 < done["classical_share"] < 1, done


def test_bad_input_is_a_4xx_json_error(server):
    photo = Image.open(_photo_path())
    good_mask = _data_url(_mask(photo.size, MOUTH))
    huge = Image.new("L", (4100, 8))
    corner = _mask(photo.size, (0, 0, 15, 15))
    cases = [
        ({"photo": "data:image/png;base64," + base64.b64encode(b"not an image").decode(),
          "mask": good_mask}, 400, "not an image"),
        ({"photo": _data_url(huge), "mask": _data_url(huge)}, 413, "4096"),
        ({"photo": _data_url(photo), "mask": _data_url(Image.new("L", photo.size, 255))}, 400, "empty"),
        ({"photo": _data_url(photo), "mask": _data_url(corner)}, 400, "touches none"),
        ({"photo": _data_url(photo), "mask": _data_url(Image.new("L", (10, 10)))}, 400, "the mask is 10x10"),
        ({"mask": good_mask}, 400, "no photo"),
        ({"photo": 12, "mask": good_mask}, 400, "the photo is not an image"),
    ]
    for body, expected, words in cases:
        status, answer = _request(f"{server}/api/complete", body)
        assert status == expected and words in json.loads(answer)["error"], (words, answer)
    status, answer = _request(f"{server}/api/complete", None)
    assert status == 405 and "use POST" in json.loads(answer)["error"]  # GET on the POST route
    for method in ("DELETE", "PUT"):
        request = urllib.request.Request(f"{server}/api/examples", method=method)
        try:
            urllib.request.urlopen(request, timeout=30)
        except urllib.error.HTTPError as e:
            assert e.code == 405 and "use GET" in json.loads(e.read())["error"], method
    for path in ("/api/jobs/000000000000", "/examples/..%2FREADME.md", "/examples/../../README.md",
                 "/nowhere"):
        status, answer = _request(server + path)
        assert status == 404 and "error" in json.loads(answer), path
    for body, length, words in ((b"{broken", "7", "not JSON"), (b"{}", "-5", "not a size"),
                                (b"{}", "two", "not a size")):
        connection = http.client.HTTPConnection(server[len("http://"):], timeout=30)
        connection.putrequest("POST", "/api/complete")
        connection.putheader("Content-Length", length)
        connection.endheaders(body)
        response = connection.getresponse()
        assert response.status == 400 and words in json.loads(response.read())["error"], length
        connection.close()


def test_waiting_jobs_are_bounded_and_old_finished_ones_forgotten(tiny_model, monkeypatch):
    """A server left running keeps at most MAX_WAITING queued and KEEP_FINISHED finished jobs."""
    from align.aligner import AlignDlib
    from dcgan.modeling.checkpoints import load_models
    from dcgan.options import CompletionOptions
    from dcgan.web import jobs
    monkeypatch.setattr(jobs, "MAX_WAITING", 2)
    monkeypatch.setattr(jobs, "KEEP_FINISHED", 1)
    runner = jobs.JobRunner(load_models(tiny_model), CompletionOptions(), AlignDlib())
    runner.stop()  # no worker: submissions stay queued
    photo = Image.open(_photo_path())
    submit = lambda: runner.submit(_data_url(photo), _data_url(_mask(photo.size, MOUTH)))
    first, second = submit(), submit()
    with pytest.raises(jobs.BadRequest, match="2 jobs are waiting") as refused:
        submit()
    assert refused.value.status == 503
    for job in (first, second):
        runner.queue.get()
        job.status = "done"
    third = submit()
    assert list(runner.jobs) == [second.id, third.id]  # the oldest finished job is forgotten


def test_the_page_and_the_examples_are_served(server):
    status, page = _request(server + "/")
    assert status == 200
    for element in ("photo-input", "mask-canvas", "brush-size", "complete-button", "progress",
                    "result-image", "download-link", "error"):
        assert f'id="{element}"' in page.decode(), element
    assert b"http" not in page.replace(b"http-equiv", b"")  # nothing loaded from the internet
    status, names = _request(server + "/api/examples")
    names = json.loads(names)
    assert len(names) == 16
    status, png = _request(f"{server}/examples/{names[0]}")
    assert status == 200 and Image.open(io.BytesIO(png)).size == (64, 64)


def _painted(browser):
    """How many pixels of the page's mask canvas are painted."""
    return browser.execute_script(
        "const c = document.getElementById('mask-canvas'), d = c.getContext('2d')"
        ".getImageData(0, 0, c.width, c.height).data;"
        "let n = 0; for (let i = 3; i < d.length; i += 4) n += d[i] > 0; return n;")


def _chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1200,900"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


@needs_chromium
@pytest.mark.parametrize("phone", [False, True], ids=["photo", "phone_photo"])
def test_in_a_browser_paint_complete_and_download(server, tmp_path, phone):
    """Also a phone photo stored on its side with an EXIF orientation: the browser shows it
    upright, and the server must read it so for the painted mask to fit."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait
    if phone:
        photo_path = str(tmp_path / "phone.jpg")
        original = phone_photo(photo_path)
    else:
        photo_path = _photo_path()
        original = np.asarray(Image.open(photo_path).convert("RGB"))
    height = original.shape[0]
    browser = _chromium()
    try:
        browser.get(server)
        browser.find_element(By.ID, "photo-input").send_keys(photo_path)
        wait = WebDriverWait(browser, 120)
        wait.until(lambda b: b.find_element(By.ID, "complete-button").is_enabled())
        canvas = browser.find_element(By.ID, "mask-canvas")
        wait.until(lambda b: b.execute_script("return arguments[0].width", canvas) == 250)
        assert browser.execute_script("return arguments[0].height", canvas) == height
        assert canvas.size["width"] == 320  # a photo is shown at least 320 screen pixels wide
        scale = 320 / 250
        offset = lambda x, y: (int((x - 125) * scale), int((y - height / 2) * scale))
        ActionChains(browser).move_to_element_with_offset(canvas, *offset(105, 163)).click_and_hold() \
            .move_to_element_with_offset(canvas, *offset(125, 163)) \
            .move_to_element_with_offset(canvas, *offset(145, 163)).release().perform()
        browser.find_element(By.ID, "complete-button").click()
        link = wait.until(expected_conditions.visibility_of_element_located((By.ID, "download-link")))
        assert browser.find_element(By.ID, "error").get_attribute("hidden") is not None
        stem = os.path.splitext(os.path.basename(photo_path))[0]
        assert link.get_attribute("download") == f"{stem}_completed.png"
        with urllib.request.urlopen(link.get_attribute("href"), timeout=30) as response:
            result = np.asarray(Image.open(io.BytesIO(response.read())))
    finally:
        browser.quit()
    assert result.shape == original.shape
    changed = np.any(result != original, axis=-1)
    assert changed[160:167, 110:141].mean() > 0.5  # the middle of the stroke
    radius = int(np.ceil(8 / scale))  # the brush is 16 screen pixels: 12.5 of the photo's
    band = np.zeros_like(changed)
    band[163 - radius - 3:163 + radius + 3, 105 - radius - 3:145 + radius + 3] = True  # the stroke, dilated
    assert not changed[~band].any()


@needs_chromium
def test_in_a_browser_drop_a_photo_and_hold_to_compare(server):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait
    name = sorted(os.listdir(os.path.join(REPO, "data", "examples")))[0]
    browser = _chromium()
    try:
        browser.get(server)
        wait = WebDriverWait(browser, 120)
        browser.execute_async_script("""
            const done = arguments[arguments.length - 1];
            fetch("/examples/" + arguments[0]).then((r) => r.blob()).then((blob) => {
              const files = new DataTransfer();
              files.items.add(new File([blob], arguments[0], {type: "image/png"}));
              const zone = document.getElementById("drop-zone");
              zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: files, cancelable: true}));
              zone.dispatchEvent(new DragEvent("drop", {dataTransfer: files, cancelable: true}));
              done();
            });""", name)
        canvas = browser.find_element(By.ID, "mask-canvas")
        wait.until(lambda b: b.execute_script("return arguments[0].width", canvas) == 64)  # the dropped face
        ActionChains(browser).move_to_element(canvas).click_and_hold().move_by_offset(10, 0).release().perform()
        browser.find_element(By.ID, "complete-button").click()
        wait.until(expected_conditions.visibility_of_element_located((By.ID, "download-link")))
        result, compare = browser.find_element(By.ID, "result-image"), browser.find_element(By.ID, "compare-button")
        completed = result.get_attribute("src")
        assert completed.endswith("/result.png")
        ActionChains(browser).click_and_hold(compare).perform()
        assert result.get_attribute("src").startswith("data:image/")  # the photo as it was loaded
        ActionChains(browser).release(compare).perform()
        assert result.get_attribute("src") == completed
    finally:
        browser.quit()


@needs_chromium
def test_in_a_browser_a_finger_paints_and_a_silent_server_is_a_message(server):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.actions import interaction
    from selenium.webdriver.common.actions.action_builder import ActionBuilder
    from selenium.webdriver.common.actions.pointer_input import PointerInput
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    browser = _chromium()
    try:
        browser.get(server)
        browser.find_element(By.ID, "photo-input").send_keys(_photo_path())
        wait = WebDriverWait(browser, 60)
        wait.until(lambda b: b.find_element(By.ID, "complete-button").is_enabled())
        canvas = browser.find_element(By.ID, "mask-canvas")
        box = canvas.rect
        finger = ActionBuilder(browser, mouse=PointerInput(interaction.POINTER_TOUCH, "finger"))
        finger.pointer_action.move_to_location(int(box["x"] + 100), int(box["y"] + 120)).pointer_down() \
            .move_to_location(int(box["x"] + 140), int(box["y"] + 120)).pointer_up()
        finger.perform()
        painted = _painted(browser)
        assert painted > 200, painted  # a 40-pixel stroke of the 16-pixel brush
        browser.execute_script("window.fetch = () => Promise.reject(new TypeError('offline'));")
        ActionChains(browser).click(browser.find_element(By.ID, "complete-button")).perform()
        error = browser.find_element(By.ID, "error")
        wait.until(lambda b: error.is_displayed())
        assert "did not answer" in error.text
        assert browser.find_element(By.ID, "complete-button").is_enabled()
    finally:
        browser.quit()


@needs_chromium
def test_in_a_browser_a_photos_transparent_pixels_start_as_the_hole(server, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait
    rgba = np.asarray(Image.open(_photo_path()).convert("RGBA")).copy()
    x, y, w, h = MOUTH
    rgba[y:y + h, x:x + w] = 0  # erased: transparent, its colour lost
    Image.fromarray(rgba).save(tmp_path / "erased.png")
    browser = _chromium()
    try:
        browser.get(server)
        browser.find_element(By.ID, "photo-input").send_keys(str(tmp_path / "erased.png"))
        wait = WebDriverWait(browser, 120)
        wait.until(lambda b: b.find_element(By.ID, "complete-button").is_enabled())
        painted = _painted(browser)
        assert painted == w * h
        browser.find_element(By.ID, "complete-button").click()
        link = wait.until(expected_conditions.visibility_of_element_located((By.ID, "download-link")))
        with urllib.request.urlopen(link.get_attribute("href"), timeout=30) as response:
            result = np.asarray(Image.open(io.BytesIO(response.read())))
    finally:
        browser.quit()
    assert result.shape == (250, 250, 3) and (result[y:y + h, x:x + w] > 0).any(axis=-1).mean() > 0.9


@needs_chromium
def test_in_a_browser_a_photo_over_the_limit_is_completed_smaller(server, monkeypatch, tmp_path):
    """The page scales a photo over the server's limit down to it, says so, and completes it
    in the photo's mode: a grey photo comes back grey though the page sends it as a JPEG."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait
    from dcgan.web import jobs
    monkeypatch.setattr(jobs, "MAX_SIDE", 200)  # LFW's photo is 250x250
    browser = _chromium()
    try:
        wait = WebDriverWait(browser, 120)
        gray_path = str(tmp_path / "gray.png")
        Image.open(_photo_path()).convert("L").save(gray_path)
        scale = 320 / 200
        offset = lambda x, y: (int((x - 100) * scale), int((y - 100) * scale))
        for path, mode in ((_photo_path(), "RGB"), (gray_path, "L")):
            browser.get(server)
            wait.until(lambda b: b.execute_script("return limits !== null"))
            browser.find_element(By.ID, "photo-input").send_keys(path)
            canvas = browser.find_element(By.ID, "mask-canvas")
            wait.until(lambda b: b.execute_script("return arguments[0].width", canvas) == 200)
            assert browser.execute_script("return arguments[0].height", canvas) == 200
            note = browser.find_element(By.ID, "note")
            assert note.is_displayed() and "250x250" in note.text and "200x200" in note.text
            ActionChains(browser).move_to_element_with_offset(canvas, *offset(84, 130)).click_and_hold() \
                .move_to_element_with_offset(canvas, *offset(116, 130)).release().perform()
            browser.find_element(By.ID, "complete-button").click()
            link = wait.until(expected_conditions.visibility_of_element_located((By.ID, "download-link")))
            with urllib.request.urlopen(link.get_attribute("href"), timeout=30) as response:
                result = Image.open(io.BytesIO(response.read()))
            assert (result.size, result.mode) == ((200, 200), mode)
        monkeypatch.setattr(jobs, "MAX_SIDE", 4096)  # the same photo within the limit: as it is
        browser.get(server)
        wait.until(lambda b: b.execute_script("return limits !== null"))
        browser.find_element(By.ID, "photo-input").send_keys(_photo_path())
        wait.until(lambda b: b.execute_script("return arguments[0].width",
                                              b.find_element(By.ID, "mask-canvas")) == 250)
        assert not browser.find_element(By.ID, "note").is_displayed()
    finally:
        browser.quit()


def test_serve_cli_bad_port_or_model_is_one_line(tmp_path, tiny_model):
    import socket
    from conftest import assert_one_line_error, run_cli
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        busy = run_cli("serve.py", "--port", port, "--checkpointDir", tiny_model)
        assert "cannot listen" in assert_one_line_error(busy)
    missing = run_cli("serve.py", "--port", "0", "--checkpointDir", str(tmp_path / "none"))
    assert f"--checkpointDir {tmp_path / 'none'}: no such folder" in assert_one_line_error(missing)


def test_a_client_that_leaves_mid_request_is_one_log_line(server, capfd):
    connection = http.client.HTTPConnection(server[len("http://"):], timeout=30)
    connection.putrequest("POST", "/api/complete")
    connection.putheader("Content-Length", "1000")
    connection.endheaders(b'{"photo": "abc')
    connection.close()
    time.sleep(0.5)
    assert _request(server + "/api/limits")[0] == 200  # still serving
    err = capfd.readouterr()
    assert "Traceback" not in err.err + err.out
    assert (err.err + err.out).count("a client left") == 1


@needs_chromium
def test_in_a_browser_the_empty_page_shows_where_to_drop_and_no_broken_picture(server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
    browser = _chromium()
    try:
        browser.get(server)
        shown = lambda element_id: browser.find_element(By.ID, element_id).is_displayed()
        assert shown("drop-hint") and "Drop a photo here" in browser.find_element(By.ID, "drop-hint").text
        assert not shown("result-image") and not shown("compare-button") and not shown("photo-stack")
        assert shown("result-hint")
        WebDriverWait(browser, 30).until(
            lambda b: len(b.find_elements(By.CSS_SELECTOR, "#example-select option")) > 1)
        Select(browser.find_element(By.ID, "example-select")).select_by_index(1)
        WebDriverWait(browser, 30).until(lambda b: shown("photo-stack"))
        assert not shown("drop-hint")
        assert browser.execute_script("return document.getElementById('photo-input').value") == ""
    finally:
        browser.quit()


def test_a_running_job_can_be_cancelled_and_a_waiting_one_never_runs(tiny_model):
    from align.aligner import AlignDlib
    from dcgan.modeling.checkpoints import load_models
    from dcgan.options import CompletionOptions, SearchOptions
    from dcgan.web.jobs import JobRunner
    from dcgan.web.server import make_server
    options = CompletionOptions(out_interval=50, search=SearchOptions(n_iter=100000, starts=1))
    runner = JobRunner(load_models(tiny_model), options, AlignDlib())
    httpd = make_server("127.0.0.1", 0, runner, os.path.join(REPO, "data", "examples"))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    server = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        photo = Image.open(_photo_path())
        body = {"photo": _data_url(photo), "mask": _data_url(_mask(photo.size, MOUTH))}
        running, waiting = (json.loads(_request(f"{server}/api/complete", body)[1])["id"] for _ in "ab")
        deadline = time.monotonic() + 60
        while json.loads(_request(f"{server}/api/jobs/{running}")[1])["iteration"] == 0:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        job = json.loads(_request(f"{server}/api/jobs/{running}")[1])
        assert job["status"] == "running" and job["seconds_left"] > 0
        for job_id in (waiting, running):
            request = urllib.request.Request(f"{server}/api/jobs/{job_id}", method="DELETE")
            assert urllib.request.urlopen(request, timeout=30).status == 202
        for job_id in (running, waiting):
            assert _wait(server, job_id, statuses=("cancelled",))["status"] == "cancelled"
        assert json.loads(_request(f"{server}/api/jobs/{waiting}")[1])["iteration"] == 0
        assert _request(f"{server}/api/jobs/{running}/result.png")[0] == 409
    finally:
        httpd.shutdown()
        runner.stop()
        httpd.server_close()
