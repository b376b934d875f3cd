"""The model's shape: what a checkpoint must match and what `complete.py` reads back."""

import dataclasses
import json
import math
import os

from dcgan.errors import UserError

CONFIG_FILE = "config.json"


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """Shape of a DCGAN: image size, latent size and layer widths."""

    image_size: int = 64
    z_dim: int = 100
    gf_dim: int = 64
    df_dim: int = 64
    c_dim: int = 3

    def __post_init__(self):
        size = self.image_size
        if size < 8 or 2 ** int(round(math.log2(size))) != size:
            raise UserError(f"--image_size must be a power of two from 8 up, not {size}")
        for name in ("z_dim", "gf_dim", "df_dim", "c_dim"):
            if getattr(self, name) < 1:
                raise UserError(f"--{name} must be at least 1, not {getattr(self, name)}")

    @property
    def num_layers(self):
        """Stride-2 layers between 4x4 and the image: 4 for 64x64, as the original."""
        return int(math.log2(self.image_size)) - 2

    def describe(self):
        return (f"{self.image_size}x{self.image_size}x{self.c_dim} images, z_dim {self.z_dim}, "
                f"gf_dim {self.gf_dim}, df_dim {self.df_dim}")

    def save(self, directory, provenance=None):
        """Writes the config as JSON into `directory`, with how the model was made if given."""
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, CONFIG_FILE)
        fields = dataclasses.asdict(self)
        if provenance:
            fields["provenance"] = provenance
        with open(path + ".tmp", "w") as f:
            json.dump(fields, f, indent=2)
            f.write("\n")
        os.replace(path + ".tmp", path)

    @classmethod
    def load(cls, directory):
        """Reads the config JSON in `directory`, or returns None when there is none."""
        path = os.path.join(directory, CONFIG_FILE)
        if not os.path.exists(path):
            return None
        try:
            with open(path) as f:
                fields = json.load(f)
            names = {f.name for f in dataclasses.fields(cls)}
            return cls(**{k: v for k, v in fields.items() if k in names})
        except (ValueError, TypeError) as e:
            raise UserError(f"{path} is not a model config: {e}") from None
