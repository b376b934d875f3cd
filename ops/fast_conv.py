"""5x5 stride-2 convolutions that never run TF's `Conv2DBackpropInput` op.

On the CPU that op (the transposed convolution's forward pass, and every
convolution's input gradient) is 3-9x slower than the rest of TF's convolution
kernels. A 5x5 stride-2 'SAME' transposed convolution equals a stride-1 3x3
convolution with 4x the output channels, one per output phase, followed by
`depth_to_space` (the sub-pixel form). With `tf.custom_gradient`:

- transposed conv: forward = sub-pixel; input gradient = a plain stride-2
  conv; kernel gradient = `Conv2DBackpropFilter`.
- strided conv: forward = native; input gradient = the sub-pixel form;
  kernel gradient = `Conv2DBackpropFilter`.

The kernels keep their plain layouts, so weights move freely between these
and the native ops (cuDNN's, on a GPU).
"""

import numpy as np
import tensorflow as tf

# Output phase a (row parity) at window offset d in {-1, 0, 1} uses kernel tap _TAP[a][d + 1]
# (-1: none). Derived from SAME padding of a stride-2, 5-tap conv on 2H inputs: pad 1 before.
_TAP = ((3, 1, -1), (4, 2, 0))


def _subpixel_gather_indices():
    """For the [3, 3, 4] sub-pixel taps: index into the flattened 5x5 kernel (25 = a zero tap)."""
    index = np.full((3, 3, 4), 25, np.int32)
    for a in range(2):
        for b in range(2):
            for dy in range(3):
                for dx in range(3):
                    ky, kx = _TAP[a][dy], _TAP[b][dx]
                    if ky >= 0 and kx >= 0:
                        index[dy, dx, a * 2 + b] = ky * 5 + kx
    return index


_INDICES = _subpixel_gather_indices()


def subpixel_kernel(kernel):
    """[5, 5, out, in] transposed-conv kernel -> [3, 3, in, 4 * out] stride-1 conv kernel."""
    out_channels, in_channels = kernel.shape[2], kernel.shape[3]
    flat = tf.reshape(kernel, [25, out_channels, in_channels])
    flat = tf.concat([flat, tf.zeros([1, out_channels, in_channels], kernel.dtype)], axis=0)
    taps = tf.gather(flat, _INDICES)  # [3, 3, 4, out, in]
    return tf.reshape(tf.transpose(taps, [0, 1, 4, 2, 3]), [3, 3, in_channels, 4 * out_channels])


def subpixel_conv2d_transpose(x, kernel):
    """`conv2d_transpose(x, kernel, 2H x 2W, stride 2, SAME)` as a stride-1 conv + depth_to_space."""
    y = tf.nn.conv2d(x, subpixel_kernel(kernel), strides=1, padding="SAME")
    return tf.nn.depth_to_space(y, 2)


def _kernel_gradient(inputs, kernel, output_gradient):
    return tf.raw_ops.Conv2DBackpropFilter(
        input=inputs, filter_sizes=tf.shape(kernel), out_backprop=output_gradient,
        strides=[1, 2, 2, 1], padding="SAME")


@tf.custom_gradient
def conv2d_transpose(x, kernel):
    """5x5 stride-2 SAME transposed convolution, kernel [5, 5, out, in], output 2H x 2W."""

    def gradient(dy):
        dx = tf.nn.conv2d(dy, kernel, strides=2, padding="SAME")
        return dx, _kernel_gradient(dy, kernel, x)

    return subpixel_conv2d_transpose(x, kernel), gradient


@tf.custom_gradient
def conv2d(x, kernel):
    """5x5 stride-2 SAME convolution, kernel [5, 5, in, out], on even-sized inputs."""

    def gradient(dy):
        return subpixel_conv2d_transpose(dy, kernel), _kernel_gradient(x, kernel, dy)

    return tf.nn.conv2d(x, kernel, strides=2, padding="SAME"), gradient


def native_transpose_is_slow(batch=32, size=8, in_channels=256, out_channels=128, repeats=3):
    """Times this machine's native transposed convolution against the sub-pixel form on a
    mid-sized layer: True where Conv2DBackpropInput is the slower (it is 3-9x slower than
    other kernels on some CPUs, on par on others). About a second, once per process."""
    import time
    x = tf.random.stateless_normal([batch, size, size, in_channels], [0, 0])
    kernel = tf.random.stateless_normal([5, 5, out_channels, in_channels], [0, 1]) * 0.02
    shape = [batch, 2 * size, 2 * size, out_channels]
    native = tf.function(lambda: tf.nn.conv2d_transpose(x, kernel, shape, strides=2, padding="SAME"))
    subpixel = tf.function(lambda: subpixel_conv2d_transpose(x, kernel))

    def best_time(function):
        function()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            function().numpy()
            times.append(time.perf_counter() - start)
        return min(times)

    return best_time(native) > best_time(subpixel)
