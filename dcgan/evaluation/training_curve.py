"""Completion quality against training: the picture and the table of checkpoints along a run. The tool is `python -m dcgan.tools.curve`."""

import csv
import math
import os

from PIL import Image, ImageDraw, ImageFont

from dcgan.errors import UserError
from dcgan.utils.files import read_json

METHOD = "dcgan_poisson"
PANELS = (("psnr", "hole", "hole PSNR (dB), higher is better"), ("ssim", "hole", "hole SSIM, higher is better"),
          ("landmark", "whole", "landmark error (px), lower is better"),
          ("identity", "whole", "identity distance, lower is better"))
PANEL_SIZE, MARGIN = (360, 250), (56, 28, 16, 56)  # left, top, right, bottom
LINE, REFERENCE, TEXT, GRID = (31, 119, 180), (214, 39, 40), (30, 30, 30), (225, 225, 225)
FONT_SIZE = 12  # Pillow's default 10 runs "images seen" into one word
DECIMALS = {"psnr": (1, 2), "ssim": (3, 3), "landmark": (2, 2), "identity": (3, 3)}  # mean, ci95


def read_run(folder):
    """{(metric, region): (mean, ci95)} of the DCGAN's row, and the images seen (None if unknown).

    Raises:
      UserError: no results.csv in `folder`.
    """
    if not os.path.isfile(os.path.join(folder, "results.csv")):
        raise UserError(f"{folder}: no results.csv (not an evaluate.py --out folder)")
    with open(os.path.join(folder, "results.csv")) as f:
        cells = {(r["metric"], r["region"]): (float(r["mean"]), float(r["ci95"]))
                 for r in csv.DictReader(f) if r["method"] == METHOD}
    model = os.path.join(folder, "model.json")
    images = read_json(model).get("images_seen") if os.path.exists(model) else None
    return cells, images


def draw_curve(runs, reference, path, reference_label):
    """One panel per metric: mean and 95% interval against images seen; the reference dashed."""
    width, height = PANEL_SIZE
    picture = Image.new("RGB", (width * len(PANELS), height), "white")
    xs = [images for _, images in runs]
    x_low, x_high = 0, max(xs) * 1.05
    draw = ImageDraw.Draw(picture)
    draw.font = ImageFont.load_default(FONT_SIZE)
    for index, (metric, region, title) in enumerate(PANELS):
        left, top = index * width + MARGIN[0], MARGIN[1]
        right, bottom = (index + 1) * width - MARGIN[2], height - MARGIN[3]
        points = [(images, cells[(metric, region)]) for cells, images in runs if (metric, region) in cells]
        values = [m + s * c for _, (m, c) in points for s in (-1, 1)]
        if reference and (metric, region) in reference:
            values += [reference[(metric, region)][0]]
        if not values:
            continue
        y_low, y_high = min(values), max(values)
        pad = (y_high - y_low) * 0.1 or 1.0
        y_low, y_high = y_low - pad, y_high + pad
        to_x = lambda x: left + (x - x_low) / (x_high - x_low) * (right - left)
        to_y = lambda y: bottom - (y - y_low) / (y_high - y_low) * (bottom - top)
        for tick in range(5):
            value = y_low + (y_high - y_low) * tick / 4
            draw.line([(left, to_y(value)), (right, to_y(value))], GRID)
            draw.text((left - 50, to_y(value) - 6), f"{value:.3g}", TEXT)
        draw.rectangle([left, top, right, bottom], outline=TEXT)
        draw.text((left, 8), title, TEXT)
        for value in _round_ticks(x_high):
            draw.line([(to_x(value), bottom), (to_x(value), bottom + 4)], TEXT)
            draw.text((to_x(value) - 10, bottom + 6), _count_label(value), TEXT)
        draw.text((right - 70, bottom + 20), "images seen", TEXT)
        if reference and (metric, region) in reference:
            y = to_y(reference[(metric, region)][0])
            for x in range(int(left), int(right), 12):
                draw.line([(x, y), (min(x + 6, right), y)], REFERENCE, width=2)
        draw.line([(to_x(x), to_y(m)) for x, (m, _) in points], LINE, width=2)
        for x, (m, c) in points:
            draw.line([(to_x(x), to_y(m - c)), (to_x(x), to_y(m + c))], LINE)
            draw.ellipse([to_x(x) - 3, to_y(m) - 3, to_x(x) + 3, to_y(m) + 3], fill=LINE)
    draw.line([(MARGIN[0], height - 8), (MARGIN[0] + 20, height - 8)], LINE, width=2)
    draw.text((MARGIN[0] + 26, height - 14), "this run (mean, 95% interval)", TEXT)
    if reference:
        draw.line([(MARGIN[0] + 230, height - 8), (MARGIN[0] + 250, height - 8)], REFERENCE, width=2)
        draw.text((MARGIN[0] + 256, height - 14), reference_label, TEXT)
    picture.save(path)


def _round_ticks(high):
    """Ticks from 0 at a round step (1, 2, 2.5 or 5 times a power of ten), at most 7 of them."""
    magnitude = 10 ** math.floor(math.log10(high / 4))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if high / (m * magnitude) < 6)
    return [step * i for i in range(int(high // step) + 1)]


def _count_label(value):
    """200k, 1M, 1.2M: images seen as a reader says them."""
    return f"{value / 1e6:g}M" if value >= 1e6 else f"{value / 1e3:g}k" if value else "0"


def _cell(value, mean_decimals, ci_decimals):
    """A fixed number of decimals per metric, so that a column's numbers line up (20.0, not 20)."""
    return f"{value[0]:.{mean_decimals}f} ± {value[1]:.{ci_decimals}f}"


def table(runs, reference, reference_label):
    """Markdown: a row per checkpoint (and the reference), a column per panel."""
    lines = ["| images seen | " + " | ".join(title for _, _, title in PANELS) + " |",
             "|---|" + "---|" * len(PANELS)]
    rows = [(f"{images:,}", cells) for cells, images in runs]
    rows += [(reference_label, reference)] if reference else []
    for label, cells in rows:
        values = [_cell(cells[(m, r)], *DECIMALS[m]) if (m, r) in cells else "" for m, r, _ in PANELS]
        lines.append(f"| {label} | " + " | ".join(values) + " |")
    return "\n".join(lines)
