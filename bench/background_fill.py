"""Not a speed: the fill of a photo's hole beyond the face's frame, one plain fill (from every
known pixel) against the fill solved apart inside and outside the face's outline, on the same
searched faces (each face is searched once), on the bands of `evaluate.py --photos`.

    python -m bench.background_fill --photos ../shared/data/lfw_deepfunneled --limit 16 --picture bg.png

Prints a Markdown table: each hole kind's hole PSNR, sharpness and seams, face by face.
"""

import argparse
import dataclasses

import numpy as np

from dcgan.completion import photos
from dcgan.evaluation import photo_benchmark
from dcgan.evaluation.metrics import mean_and_ci95
from dcgan.utils import images as image_io

KINDS = ("cheek_band", "past_edge")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--photos", required=True)
    p.add_argument("--limit", type=int, default=16)
    p.add_argument("--picture", help="write each photo's band as (masked, plain, outlined, original)")
    args = p.parse_args()
    from align.aligner import AlignDlib
    from dcgan.cli import default_checkpoint_dir
    from dcgan.modeling.checkpoints import load_models
    from dcgan.options import CompletionOptions
    from dcgan.utils.files import list_images
    model, options, aligner = load_models(default_checkpoint_dir()), CompletionOptions(), AlignDlib()
    searched, values, strips = _cached_search(), {}, []
    photos.complete_face = searched
    for path in list_images(args.photos)[:args.limit]:
        rgb = image_io.load_rgb(path)
        box = aligner.largest_face(rgb)
        if box is None:
            continue
        holes = photo_benchmark.place_holes(aligner.landmarks(rgb, box), rgb.shape)
        for kind in KINDS:
            faces = photos.faces_in_hole(path, rgb, holes[kind], aligner, model.config.image_size)
            plain = [dataclasses.replace(face, points=None) for face in faces]
            for name, chosen in (("plain", plain), ("outlined", faces)):
                filled, _, _ = photos.fill_photo(rgb, holes[kind], chosen, model, options)
                for metric, value in photo_benchmark.score(rgb, filled, holes[kind], None, None).items():
                    values.setdefault((kind, metric[0]), {}).setdefault(name, []).append(value)
                strips.append(filled) if kind == "cheek_band" else None
            if kind == "cheek_band":
                strips[-2:] = [np.hstack([np.where(holes[kind][..., None], 128, rgb).astype(np.uint8),
                                          *strips[-2:], rgb])]
    _print(values)
    if args.picture:
        image_io.save_image(np.vstack(strips[:6]), args.picture)


def _cached_search():
    """complete_face, searched once per aligned face and hole."""
    original, cache = photos.complete_face, {}

    def complete_face(face, model, options, *args, **kwargs):
        key = (face.image.tobytes(), face.known.tobytes())
        if key not in cache:
            cache[key] = original(face, model, options)
        return cache[key]
    return complete_face


def _print(values):
    print("| hole | metric | plain | outlined | outlined - plain, face by face |\n|---|---|---|---|---|")
    for (kind, metric), by_name in values.items():
        plain, outlined = (np.array(by_name[n], np.float64) for n in ("plain", "outlined"))
        mean, half, _ = mean_and_ci95(outlined - plain)
        print(f"| {kind} | {metric} | {plain.mean():.3f} | {outlined.mean():.3f} | {mean:+.3f} ± {half:.3f} |")


if __name__ == "__main__":
    main()
