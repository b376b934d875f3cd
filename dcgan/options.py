"""Every option of the tools, once: defaults, help, choices and bounds.

`train_dcgan.py`, `complete.py` and `evaluate.py` build their flags from these
dataclasses (`dcgan.flags`), keeping the original's flag names (`--nIter` for
`n_iter`), and the library takes the dataclasses. TensorFlow-free.
"""

import dataclasses

from dcgan.modeling.config import ModelConfig
from dcgan.flags import nested, option

MASK_TYPES = ("center", "random", "left", "full", "grid", "lowres", "half", "pattern", "mask")
SIDES = ("left", "right", "top", "bottom")
APPROACHES = ("adam", "momentum", "hmc")
PERCEPTUAL_LOSSES = ("original", "paper")
BLEND_MODES = ("poisson", "none")
STARTS_FILLS = ("lowest", "mean", "detail")
STRATEGIES = ("auto", "one", "mirrored", "multiworker")
PRECISIONS = ("auto", "float32", "bfloat16")
HOLE_FILLS = ("auto", "dcgan", "biharmonic")
START_FROM = ("auto", "encoder", "random")
RANDOM_SEARCH = {"n_iter": 300, "starts": 3}  # the defaults of a search from random starts
ENCODER_SEARCH = {"n_iter": 50, "starts": 1}  # and from the encoder's z
DATA, TRAINING, OUTPUTS = "data", "training", "outputs"
PHOTO = "photos (any size: the faces are found, aligned, completed and put back)"
DEVICES = "devices (docs/training.md: more GPUs and machines)"


def progress_option(group=None):
    return option(True, "no progress bars", flag="--no_progress", group=group)


@dataclasses.dataclass
class MaskOptions:
    """Which pixels are missing."""

    mask_type: str = option(
        "center", "center: a centered square; random: --randomFraction of the pixels; left: the "
        "left half; full: nothing (reconstruction); grid: all but every 4th row and column; "
        "lowres: all, keeping 8x8 block means; half: the --side half; pattern: random blobs "
        "(~25%); mask: --maskFile", flag="--maskType", choices=MASK_TYPES)
    center_scale: float = option(0.25, "center misses from scale to 1-scale of each side, at most 0.5",
                                 flag="--centerScale", minimum=0, maximum=0.5)
    random_fraction: float = option(0.2, "share of pixels random misses; the paper used 0.8",
                                    flag="--randomFraction", minimum=0, maximum=1)
    side: str = option("left", "the side half misses", choices=SIDES)
    mask_file: str = option(None, "PNG for --maskType mask: black = missing, resized to the image "
                                  "size; for photos, of the photo's size, or a folder of masks "
                                  "named like the photos", flag="--maskFile")


@dataclasses.dataclass
class SearchOptions:
    """The search over z, with the original's defaults but for --nIter, --lam, --starts,
    --startsFill, --holeFill and --precision (docs/original.md says why). --nIter and --starts
    left unset (None) are chosen once the model is known (`settled`)."""

    n_iter: int = option(None, "iterations of the search (default: 300 from random starts, 50 from "
                               "the model's encoder; the original: 1000; docs/results.md and "
                               "docs/encoder.md compare them)", flag="--nIter", minimum=1, type=int)
    batch_size: int = option(64, "images searched together", flag="--batchSize", minimum=1)
    starts: int = option(None, "searches per image from different start z, run in the same batch "
                               "(default: 3 from random starts, 1 from the encoder; the original: "
                               "1); see --startsFill", minimum=1, type=int)
    starts_fill: str = option("mean", "with --starts K, what fills the hole: mean: the mean of the K "
                                      "starts' G(z), softer where they disagree; lowest: G(z) of the "
                                      "start with the lowest final loss; detail: the mean's coarse "
                                      "part with the lowest-loss start's fine detail",
                              flag="--startsFill", choices=STARTS_FILLS)
    lam: float = option(0.0, "weight of the perceptual loss (the original: 0.1, the paper: "
                             "0.003); 0 leaves D out of the search", minimum=0)
    weighted: bool = option(False, "the paper's weighted contextual loss: known pixels near the "
                                   "hole count more, those far from it not at all (off: every known "
                                   "pixel alike, the original's)")
    perceptual: str = option("original", "original: -log D(G(z)); paper: log(1 - D(G(z)))",
                             choices=PERCEPTUAL_LOSSES)
    approach: str = option("adam", "how z moves", choices=APPROACHES)
    lr: float = option(0.01, "step size of adam and momentum", above=0)
    momentum: float = option(0.9, "momentum", minimum=0, below=1)
    beta1: float = option(0.9, "Adam beta1", minimum=0, below=1)
    beta2: float = option(0.999, "Adam beta2", minimum=0, below=1)
    eps: float = option(1e-8, "Adam epsilon", above=0)
    hmc_beta: float = option(0.2, "HMC inverse temperature", flag="--hmcBeta", above=0)
    hmc_eps: float = option(0.001, "HMC leapfrog step", flag="--hmcEps", above=0)
    hmc_l: int = option(100, "HMC leapfrog steps per iteration", flag="--hmcL", minimum=1)
    hmc_anneal: float = option(1.0, "HMC beta is multiplied by this every iteration", flag="--hmcAnneal",
                               above=0)
    precision: str = option(
        "auto", "G and D's arithmetic in the search (losses and z stay float32): auto is "
        "bfloat16 on a CPU with native bfloat16 (AVX512_BF16 or AMX) and no GPU, float32 "
        "elsewhere", choices=PRECISIONS)
    hole_fill: str = option(
        "auto", "how G(z) fills the hole: auto: blended into its large parts, while small "
        "scattered parts (a few pixels) get the biharmonic fill from their neighbours; dcgan: "
        "blended into all of it; biharmonic: none of it (the classical fill alone)",
        flag="--holeFill", choices=HOLE_FILLS)
    start: str = option(
        "auto", "where the search starts: encoder: the z the model's encoder reads off the "
        "masked face (the first start; the others near it); random: uniform z, as the original; "
        "auto: encoder when the model has one (dcgan-train-encoder), else random",
        choices=START_FROM)
    seed: int = option(0, "seed of the start z, random masks and HMC")
    tune_iter: int = option(0, "after the search, tune each image's own copy of G's last two "
                               "layers for N Adam steps on the known pixels, then fill the hole "
                               "from it (0: off, the original's z search alone)", flag="--tuneIter",
                            minimum=0, metavar="N")
    tune_lr: float = option(1e-4, "learning rate of --tuneIter", flag="--tuneLr", above=0)
    tune_penalty: float = option(0.0, "weight of the squared distance of the tuned layers to the "
                                      "trained ones in --tuneIter's loss", flag="--tunePenalty",
                                 minimum=0)

    @property
    def steps(self):
        """A batch's steps for progress bars: the search's iterations, then the tuning's."""
        return self.n_iter + self.tune_iter

    def settled(self, from_encoder):
        """These options with --nIter and --starts, where left unset, chosen for the search's
        start: from the encoder's z a short search from one start does (docs/encoder.md)."""
        defaults = ENCODER_SEARCH if from_encoder else RANDOM_SEARCH
        unset = {name: value for name, value in defaults.items() if getattr(self, name) is None}
        return dataclasses.replace(self, **unset) if unset else self


@dataclasses.dataclass
class ModelSource:
    """Which trained model to use."""

    checkpoint_dir: str = option(
        None, "model to use: a train_dcgan.py checkpoint folder, a bundled model, or the original "
        "TF1 code's checkpoint (default: the bundled dcgan/models/celeba64, else 'checkpoint')",
        flag="--checkpointDir")


@dataclasses.dataclass
class CompletionOptions:
    """The flags of complete.py, with the original's defaults."""

    out_dir: str = option("completions", "where outputs go; what an earlier run of complete.py "
                                         "wrote there is replaced when this run completes "
                                         "something (a run that fails leaves it as it was), other "
                                         "files are left alone",
                          flag="--outDir")
    out_interval: int = option(50, "write the current G(z) and completion every N iterations",
                               flag="--outInterval", minimum=1)
    img_size: int = option(None, "kept from the original; the size now comes from the model, "
                                 "and a different value is an error", flag="--imgSize", type=int)
    blend: str = option("poisson", "poisson: match G(z)'s gradients in the hole; none: paste G(z)",
                        choices=BLEND_MODES)
    photo: bool = option(False, "treat every input as a photo: find the faces the hole touches, "
                                "complete them and put them back at the photo's size (automatic "
                                "for inputs whose size is not the model's)", group=PHOTO)
    box: str = option(None, "the hole of a photo, in its pixels as a viewer shows it: x,y,w,h "
                            "(or --maskFile of the photo's size, or the photo's own transparent "
                            "pixels); with --maskFile, the hole is both", metavar="X,Y,W,H",
                      group=PHOTO)
    grain: bool = option(True, "no grain in a photo's fill (by default fine noise tops the fill's "
                               "detail up to the photo's around the hole: enlarging the 64x64 "
                               "fill loses what is finer than its pixels)",
                         flag="--no_grain", group=PHOTO)
    mirror: bool = option(True, "fill a hidden eye from the model alone (by default, on a face "
                                "that looks at the camera, an eye under the hole whose other eye "
                                "is known is filled from that eye, mirrored)",
                          flag="--no_mirror", group=PHOTO)
    progress: bool = progress_option()
    mask: MaskOptions = nested(MaskOptions, "mask")
    search: SearchOptions = nested(SearchOptions, "search over z")


@dataclasses.dataclass
class ServeOptions:
    """The flags of serve.py besides the completion's."""

    host: str = option("127.0.0.1", "address to listen on; another than 127.0.0.1 lets other "
                                    "machines use the page")
    port: int = option(8000, "port to listen on (0: any free one)", minimum=0,
                       maximum=65535)


@dataclasses.dataclass
class EvaluationOptions:
    """The flags of evaluate.py besides the mask and the search."""

    images: str = option(None, "folder of aligned faces (held out from training)")
    photos: str = option(None, "folder of whole photos (held out from training) instead: every fill "
                               "judged at the photo's own size, on holes placed from each photo's "
                               "landmarks (an eye, both eyes, the mouth, a cheek band into the "
                               "background, a band past the photo's edge)")
    limit: int = option(0, "use the first N faces (0: all)", minimum=0)
    landmarks: bool = option(True, "skip the landmark error and the identity distance (dlib)",
                             flag="--no_landmarks")
    out: str = option("evaluation", "output folder")
    progress: bool = progress_option()
    mask: MaskOptions = nested(MaskOptions, "mask")
    search: SearchOptions = nested(SearchOptions, "search over z")


@dataclasses.dataclass
class TrainOptions:
    """Everything a training run needs; the flags of `train_dcgan.py`."""

    dataset: str = option("lfw-aligned-64", "folder of training images, searched recursively "
                                            "for png/jpg/jpeg/bmp", group=DATA)
    train_size: int = option(0, "use at most this many images (0: all)", minimum=0, group=DATA)
    is_crop: bool = option(False, "center-crop each image to --crop_size before resizing "
                                  "(for CelebA-style photos)", group=DATA)
    crop_size: int = option(108, "side of the center crop under --is_crop", minimum=1, group=DATA)
    flip: bool = option(False, "mirror a random half of each batch left-right (off: the original)",
                        group=DATA)
    heldout: int = option(0, "keep N images out of training and log D's mean output on them "
                             "(d_heldout) beside the same on N training images (d_train_fixed), "
                             "so that D over-fitting shows", minimum=0, metavar="N", group=DATA)
    model: ModelConfig = nested(ModelConfig, "model (stored with the checkpoint; a resumed run "
                                             "must match)")
    epoch: int = option(25, "epochs to train in all", minimum=1, group=TRAINING)
    learning_rate: float = option(0.0002, "Adam learning rate of both networks", above=0,
                                  group=TRAINING)
    beta1: float = option(0.5, "Adam beta1", minimum=0, below=1, group=TRAINING)
    batch_size: int = option(64, "images per step", minimum=1, group=TRAINING)
    ema: float = option(0.0, "keep an exponential moving average of G's weights with this decay "
                             "(for example 0.999): used for samples and TensorBoard and exported "
                             "as the bundle's G (0: off)", minimum=0, below=1, metavar="DECAY",
                        group=TRAINING)
    seed: int = option(0, "seed of the file order, shuffling, z and the sample z", group=TRAINING)
    max_steps: int = option(0, "stop (with a checkpoint) after this many steps in all "
                               "(0: no limit)", minimum=0, group=TRAINING)
    strategy: str = option(
        "auto", "auto: multiworker when TF_CONFIG is set, mirrored when several GPUs are visible, "
        "else one device; mirrored: tf.distribute.MirroredStrategy over --gpus; multiworker: "
        "tf.distribute.MultiWorkerMirroredStrategy over the TF_CONFIG cluster", choices=STRATEGIES,
        group=DEVICES)
    gpus: str = option(None, "GPUs for mirrored, as indices like 0,1 (default: all visible)",
                       group=DEVICES)
    precision: str = option(
        "float32", "the train step's arithmetic: bfloat16 is mixed precision with float32 weights; "
        "auto picks it on CPUs with native bfloat16 (AVX512_BF16 or AMX), float32 elsewhere",
        choices=PRECISIONS,
        group=DEVICES)
    mixed_precision: bool = option(False, "GPU only: mixed_float16 compute with loss scaling; "
                                          "weights stay float32", group=DEVICES)
    xla: bool = option(False, "GPU only: compile the train step with XLA (3x slower on the CPU, "
                              "so refused there)", group=DEVICES)
    checkpoint_dir: str = option("checkpoint", "checkpoints and config.json; resumed from when present",
                                 group=OUTPUTS)
    sample_dir: str = option("samples", "sample grids train_EE_SSSS.png", group=OUTPUTS)
    log_dir: str = option("logs", "TensorBoard logs", group=OUTPUTS)
    sample_every: int = option(100, "write a sample grid every N steps", minimum=1, group=OUTPUTS)
    save_every: int = option(500, "write a checkpoint every N steps, and at every epoch's end",
                             minimum=1, group=OUTPUTS)
    hist_every: int = option(100, "write TensorBoard histograms every N steps", minimum=1, group=OUTPUTS)
    progress: bool = progress_option(OUTPUTS)


@dataclasses.dataclass
class EncoderTrainOptions:
    """The flags of the encoder's trainer: it learns z from masked faces against a frozen G."""

    dataset: str = option(None, "folder of the model's own training faces, aligned (never a test "
                                "folder)", group=DATA)
    heldout: int = option(256, "faces kept out of training to watch the encoder's loss on",
                          minimum=1, metavar="N", group=DATA)
    encoder_dir: str = option("encoder_checkpoint", "the encoder's training checkpoints; resumed "
                                                    "from when present", group=OUTPUTS)
    log_dir: str = option("encoder_logs", "TensorBoard logs", group=OUTPUTS)
    max_steps: int = option(50000, "train to this many steps in all", minimum=1, group=TRAINING)
    batch_size: int = option(64, "faces per step (and a quarter as many of G's own faces, whose "
                                 "z is known)", minimum=4, group=TRAINING)
    learning_rate: float = option(0.0001, "Adam learning rate", above=0, group=TRAINING)
    decay_from: int = option(None, "from this step on, the learning rate falls linearly to 0 at "
                                   "--max_steps (default: it stays constant)", minimum=0,
                             metavar="STEP", type=int, group=TRAINING)
    z_weight: float = option(0.1, "weight of the squared z error on G's own faces (keeps the "
                                  "encoder's z where G's prior puts faces)", minimum=0,
                             group=TRAINING)
    seed: int = option(0, "seed of the split, the shuffling, the holes and G's z", group=TRAINING)
    precision: str = option("auto", "G's arithmetic (the encoder's weights stay float32): auto "
                                    "is bfloat16 on a CPU with native bfloat16", choices=PRECISIONS,
                            group=DEVICES)
    sample_every: int = option(500, "write a picture (masked, the encoder's fill, the original) "
                                    "and the held-out loss every N steps", minimum=1, group=OUTPUTS)
    save_every: int = option(500, "write a checkpoint every N steps", minimum=1, group=OUTPUTS)
    progress: bool = progress_option(OUTPUTS)
