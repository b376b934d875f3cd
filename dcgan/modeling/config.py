"""The model's shape: what a checkpoint must match and what `complete.py` reads back."""

import dataclasses
import math
import os

from dcgan.errors import OptionError, UserError
from dcgan.utils.files import read_json, write_json
from dcgan.flags import option

CONFIG_FILE = "config.json"


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """Shape of a DCGAN: image size, latent size and layer widths."""

    image_size: int = option(64, "height and width of the images, a power of two from 8 up")
    z_dim: int = option(100, "size of the latent z")
    gf_dim: int = option(64, "channels of G's last hidden layer; doubled each layer up")
    df_dim: int = option(64, "channels of D's first layer; doubled each layer down")
    c_dim: int = option(3, "colour channels: 3 (RGB) or 1 (grayscale)", choices=(1, 3))

    def __post_init__(self):
        size = self.image_size
        if size < 8 or 2 ** int(round(math.log2(size))) != size:
            raise OptionError("image_size", f"must be a power of two from 8 up, not {size}")
        for name in ("z_dim", "gf_dim", "df_dim", "c_dim"):
            if getattr(self, name) < 1:
                raise OptionError(name, f"must be at least 1, not {getattr(self, name)}")

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
        write_json(path, fields)

    @classmethod
    def load(cls, directory):
        """Reads the config JSON in `directory`, or returns None when there is none."""
        path = os.path.join(directory, CONFIG_FILE)
        if not os.path.exists(path):
            return None
        fields = read_json(path)
        names = {f.name for f in dataclasses.fields(cls)}
        try:
            return cls(**{k: v for k, v in fields.items() if k in names})
        except (TypeError, AttributeError, UserError) as e:
            raise UserError(f"{path} is not a model config: {e}") from None
