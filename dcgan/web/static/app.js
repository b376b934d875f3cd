// The brush page: a photo under a mask canvas, painted strokes = the hole; jobs polled for progress.
"use strict";

const $ = (id) => document.getElementById(id);
const photoCanvas = $("photo-canvas"), maskCanvas = $("mask-canvas");
const photoCtx = photoCanvas.getContext("2d"), maskCtx = maskCanvas.getContext("2d");
let photoUrl = null, photoGray = false, erasing = false, painting = false, last = null, poller = null;
let limits = null;  // the server's largest photo: {max_side, max_bytes}
fetch("/api/limits").then((r) => r.json()).then((l) => { limits = l; });
const undoStack = [], redoStack = [];
const MIN_SHOWN = 320;  // screen pixels: a 64x64 face is shown large enough to paint on

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

// A photo over the server's limits is scaled down to them here (and sent as a JPEG), so that a
// phone's 24-megapixel photo is completed smaller rather than refused.
function fitted(image, url) {
  const width = image.naturalWidth, height = image.naturalHeight;
  const bytes = url.length * 3 / 4;  // base64
  if (!limits || (Math.max(width, height) <= limits.max_side && bytes <= limits.max_bytes)) {
    return {width, height, note: ""};
  }
  const scale = Math.min(1, limits.max_side / Math.max(width, height));
  const size = {width: Math.round(width * scale), height: Math.round(height * scale)};
  size.note = `This photo is ${width}x${height}: it is completed at ${size.width}x${size.height}, ` +
    `the server's limit (${limits.max_side} pixels a side, ${limits.max_bytes / 2 ** 20} MB).`;
  return size;
}

// Whether the photo's RGBA `pixels` are grey (browsers decode a grey photo with R = G = B): a grey
// photo the page scaled down is sent as an RGB JPEG, and the server is told to return it grey.
function isGray(pixels) {
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i] !== pixels[i + 1] || pixels[i] !== pixels[i + 2]) return false;
  }
  return true;
}

// A photo's transparent pixels (erased in an image editor) start as the painted hole.
function maskTransparent(photo) {
  const mask = maskCtx.createImageData(maskCanvas.width, maskCanvas.height);
  let erased = 0;
  for (let i = 3; i < photo.length; i += 4) {
    if (photo[i] < 128) {
      mask.data[i - 3] = mask.data[i] = 255;  // the brush's red, opaque
      erased++;
    }
  }
  if (erased) maskCtx.putImageData(mask, 0, 0);
}

function loadPhoto(url) {
  const image = new Image();
  image.onload = () => {
    const size = fitted(image, url);
    for (const canvas of [photoCanvas, maskCanvas]) {
      canvas.width = size.width;
      canvas.height = size.height;
    }
    // Shown at least MIN_SHOWN wide (CSS caps it at 70vw), and the result beside it the same.
    photoCanvas.style.width = $("result-image").style.width = Math.max(size.width, MIN_SHOWN) + "px";
    photoCtx.drawImage(image, 0, 0, size.width, size.height);
    const pixels = photoCtx.getImageData(0, 0, size.width, size.height).data;
    maskTransparent(pixels);
    photoUrl = size.note ? photoCanvas.toDataURL("image/jpeg", 0.95) : url;
    photoGray = Boolean(size.note) && isGray(pixels);
    $("note").textContent = size.note;
    $("note").hidden = !size.note;
    undoStack.length = redoStack.length = 0;
    $("drop-hint").hidden = true;
    $("photo-stack").hidden = false;
    $("complete-button").disabled = false;
    showResult(null);
    showError("");
  };
  image.onerror = () => showError("That file is not an image the browser can open.");
  image.src = url;
}

// The result pane: the picture (or, before any, a line saying where it will appear).
function showResult(src) {
  $("result-image").hidden = !src;
  $("result-hint").hidden = Boolean(src);
  if (src) $("result-image").src = src; else $("result-image").removeAttribute("src");
  $("compare-button").hidden = $("download-link").hidden = true;
}

function readFile(file, name = file && file.name) {
  if (!file) return;
  // The download is named after the photo: portrait.jpg -> portrait_completed.png.
  $("download-link").download = (name ? name.replace(/\.[^.]*$/, "") : "photo") + "_completed.png";
  const reader = new FileReader();
  reader.onload = () => loadPhoto(reader.result);
  reader.readAsDataURL(file);
}

$("photo-input").addEventListener("change", (e) => {
  $("example-select").value = "";  // the file named is the photo shown
  readFile(e.target.files[0]);
});
const drop = $("drop-zone");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("dragging"); });
drop.addEventListener("dragleave", () => drop.classList.remove("dragging"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("dragging");
  readFile(e.dataTransfer.files[0]);
});

fetch("/api/examples").then((r) => r.json()).then((names) => {
  for (const name of names) {
    const option = document.createElement("option");
    option.value = option.textContent = name;
    $("example-select").appendChild(option);
  }
});
$("example-select").addEventListener("change", (e) => {
  if (!e.target.value) return;
  $("photo-input").value = "";  // no longer names an earlier file
  fetch("/examples/" + encodeURIComponent(e.target.value)).then((r) => r.blob()).then((blob) => readFile(blob, e.target.value));
});

function point(e) {
  const box = maskCanvas.getBoundingClientRect();
  return [(e.clientX - box.left) * maskCanvas.width / box.width,
          (e.clientY - box.top) * maskCanvas.height / box.height];
}

function stroke(from, to) {
  maskCtx.globalCompositeOperation = erasing ? "destination-out" : "source-over";
  maskCtx.strokeStyle = maskCtx.fillStyle = "rgb(255, 0, 0)";
  // The brush's size is in screen pixels, whatever the photo's size on the screen.
  maskCtx.lineWidth = Number($("brush-size").value) * maskCanvas.width / maskCanvas.getBoundingClientRect().width;
  maskCtx.lineCap = maskCtx.lineJoin = "round";
  maskCtx.beginPath();
  maskCtx.moveTo(from[0], from[1]);
  maskCtx.lineTo(to[0], to[1]);
  maskCtx.stroke();
}

// Pointer events: a mouse, a pen or a finger paints alike.
maskCanvas.addEventListener("pointerdown", (e) => {
  if (!photoUrl || !e.isPrimary) return;
  maskCanvas.setPointerCapture(e.pointerId);
  undoStack.push(maskCtx.getImageData(0, 0, maskCanvas.width, maskCanvas.height));
  redoStack.length = 0;
  painting = true;
  last = point(e);
  stroke(last, last);
});
maskCanvas.addEventListener("pointermove", (e) => {
  if (!painting || !e.isPrimary) return;
  const next = point(e);
  stroke(last, next);
  last = next;
});
for (const name of ["pointerup", "pointercancel"]) {
  maskCanvas.addEventListener(name, () => { painting = false; });
}

function swap(from, to) {
  if (!from.length) return;
  to.push(maskCtx.getImageData(0, 0, maskCanvas.width, maskCanvas.height));
  maskCtx.putImageData(from.pop(), 0, 0);
}
$("undo-button").addEventListener("click", () => swap(undoStack, redoStack));
$("redo-button").addEventListener("click", () => swap(redoStack, undoStack));
$("clear-button").addEventListener("click", () => {
  undoStack.push(maskCtx.getImageData(0, 0, maskCanvas.width, maskCanvas.height));
  maskCtx.clearRect(0, 0, maskCanvas.width, maskCanvas.height);
});
$("eraser-button").addEventListener("click", () => {
  erasing = !erasing;
  $("eraser-button").setAttribute("aria-pressed", String(erasing));
});
window.addEventListener("keydown", (e) => {
  const size = $("brush-size");
  if (e.key === "[") size.value = Math.max(Number(size.min), Number(size.value) - 4);
  if (e.key === "]") size.value = Math.min(Number(size.max), Number(size.value) + 4);
  if ((e.ctrlKey || e.metaKey) && e.key === "z") swap(undoStack, redoStack);
  if ((e.ctrlKey || e.metaKey) && e.key === "y") swap(redoStack, undoStack);
});

function maskUrl() {
  // Painted pixels are opaque in the mask canvas: the server reads its alpha as the hole.
  return maskCanvas.toDataURL("image/png");
}

const NO_SERVER = "The server did not answer: is serve.py still running?";

$("complete-button").addEventListener("click", async () => {
  showError("");
  $("complete-button").disabled = true;
  let response, job;
  try {
    response = await fetch("/api/complete", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({photo: photoUrl, mask: maskUrl(), gray: photoGray}),
    });
    job = await response.json();
  } catch (e) {
    job = {error: NO_SERVER};
  }
  if (!response || !response.ok) {
    showError(job.error);
    $("complete-button").disabled = false;
    return;
  }
  follow(job.id);
});

// "about 1 min 20 s left": the server's estimate, in words.
function timeLeft(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const s = Math.round(seconds), m = Math.floor(s / 60);
  return `, about ${m ? `${m} min ${s % 60} s` : `${s} s`} left`;
}

$("cancel-button").addEventListener("click", () => {
  if (current) fetch("/api/jobs/" + current, {method: "DELETE"}).catch(() => showError(NO_SERVER));
});

let current = null;  // the job being followed
function follow(id) {
  clearInterval(poller);
  current = id;
  $("job").hidden = $("cancel-button").hidden = false;
  poller = setInterval(async () => {
    let job;
    try {
      job = await (await fetch("/api/jobs/" + id)).json();
    } catch (e) {
      job = {status: "error", error: NO_SERVER};
    }
    if (!job.status) job = {status: "error", error: job.error};  // a job the server forgot
    $("progress").max = Math.max(job.total, 1);
    $("progress").value = job.iteration;
    $("progress-text").textContent =
      `${job.status}: step ${job.iteration} of ${job.total}${timeLeft(job.seconds_left)}`;
    if ((job.status === "running" && job.preview) || job.status === "done") {  // the start's fill at once
      showResult(`/api/jobs/${id}/preview.png?i=${job.iteration}`);
    }
    if (["done", "error", "cancelled"].includes(job.status)) {
      clearInterval(poller);
      current = null;
      $("cancel-button").hidden = true;
      $("complete-button").disabled = false;
    }
    if (job.status === "done") {
      if (job.classical_share > 0.01) {
        $("progress-text").textContent += `; ${Math.round(100 * job.classical_share)}% of the hole ` +
          "lies outside every face: filled there by a smooth classical fill, not the model";
      }
      showResult(`/api/jobs/${id}/result.png`);
      $("download-link").href = `/api/jobs/${id}/result.png`;
      $("download-link").hidden = $("compare-button").hidden = false;
    } else if (job.status === "error") {
      showError(job.error);
    }
  }, 500);
}

const compare = $("compare-button");
let shown = null;
const hold = () => { shown = $("result-image").src; $("result-image").src = photoUrl; };
const release = () => { if (shown) $("result-image").src = shown; shown = null; };
for (const name of ["mousedown", "touchstart"]) compare.addEventListener(name, hold);
for (const name of ["mouseup", "mouseleave", "touchend", "touchcancel"]) compare.addEventListener(name, release);
