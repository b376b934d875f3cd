"""The classical fills the evaluation compares the DCGAN with, by the name of their rows."""

from dcgan.fill.classical import biharmonic_fill, harmonic_fill, mean_fill

BASELINES = {"harmonic": harmonic_fill, "biharmonic": biharmonic_fill, "mean": mean_fill}
