"""Layer helpers of the original DCGAN as Keras layers: linear, conv2d, conv2d_transpose, batch norm, lrelu."""

from ops.layers import (Conv2D, Conv2DTranspose, Linear, batch_norm, conv2d, conv2d_transpose,
                        fixed_conv2d, fixed_conv2d_transpose, lrelu, set_implementation)

__all__ = ["Conv2D", "Conv2DTranspose", "Linear", "batch_norm", "conv2d", "conv2d_transpose",
           "fixed_conv2d", "fixed_conv2d_transpose", "lrelu", "set_implementation"]
