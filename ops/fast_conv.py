"""5x5 stride-2 convolutions that never run TF's `Conv2DBackpropInput` op.

On the CPU that op (the transposed convolution's forward pass, and every
convolution's input gradient) is 3-9x slower than the rest of TF's convolution
kernels. A 5x5 stride-2 'SAME' transposed convolution is four stride-1
convolutions, one per output phase (row and column parity), of 2x2, 2x3, 3x2
and 3x3 taps, interleaved (the phase form: the 25 taps, none zero). Where the
output has few channels (the image's three) one 3x3 convolution with 4x the
output channels is faster (the sub-pixel form: 36 taps, 11 of them zero).
With `tf.custom_gradient`:

- transposed conv: forward = the phase form; input gradient = a plain stride-2
  conv; kernel gradient = `Conv2DBackpropFilter`.
- strided conv: forward = native; input gradient = the phase form;
  kernel gradient = `Conv2DBackpropFilter`.

The kernels keep their plain layouts, so weights move freely between these
and the native ops (cuDNN's, on a GPU).
"""

import time

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


# Fewer output channels than this: the one sub-pixel convolution beats four small ones.
PHASE_FORM_MIN_CHANNELS = 16


def stride1_kernels(kernel):
    """[5, 5, out, in] transposed-conv kernel -> the stride-1 conv kernels that compute it: four
    phase kernels [2 or 3, 2 or 3, in, out], or one sub-pixel kernel for few output channels."""
    if kernel.shape[2] < PHASE_FORM_MIN_CHANNELS:
        return [subpixel_kernel(kernel)]
    k = tf.transpose(kernel, [0, 1, 3, 2])
    # Phase a uses taps (3, 1) at offsets (-1, 0) when even, (4, 2, 0) at (-1, 0, 1) when odd.
    # (Gathers: 2-3x faster than reversed strided slices, and this runs every train step.)
    taps = ([3, 1], [4, 2, 0])
    return [tf.gather(tf.gather(k, taps[a]), taps[b], axis=1) for a in range(2) for b in range(2)]


def apply_stride1(x, kernels):
    """The transposed convolution of x by its `stride1_kernels`: output 2H x 2W."""
    if len(kernels) == 1:
        return tf.nn.depth_to_space(tf.nn.conv2d(x, kernels[0], strides=1, padding="SAME"), 2)
    # Every phase looks one row (column) back; the odd ones also one ahead.
    phases = [tf.nn.conv2d(x, kernel, strides=1, padding=[[0, 0], [1, i // 2], [1, i % 2], [0, 0]])
              for i, kernel in enumerate(kernels)]
    return interleave(phases)


def interleave(phases):
    """[p00, p01, p10, p11], each [N, H, W, C] -> [N, 2H, 2W, C], out[2i + a, 2j + b] = p_ab[i, j]:
    `depth_to_space` of their concatenation, by stacks instead, which use every core (TF's CPU
    depth_to_space runs on one: 15 against 5 ms for four [64, 16, 16, 64] phases)."""
    _, h, w, c = phases[0].shape
    rows = [tf.reshape(tf.stack(phases[2 * a:2 * a + 2], axis=3), [-1, h, 2 * w, c]) for a in range(2)]
    return tf.reshape(tf.stack(rows, axis=2), [-1, 2 * h, 2 * w, c])


def _kernel_gradient(inputs, kernel, output_gradient):
    return tf.raw_ops.Conv2DBackpropFilter(
        input=inputs, filter_sizes=tf.shape(kernel), out_backprop=output_gradient,
        strides=[1, 2, 2, 1], padding="SAME")


def _transpose(x, kernel):
    return apply_stride1(x, stride1_kernels(kernel))


@tf.custom_gradient
def conv2d_transpose(x, kernel):
    """5x5 stride-2 SAME transposed convolution, kernel [5, 5, out, in], output 2H x 2W."""

    def gradient(dy):
        dx = tf.nn.conv2d(dy, kernel, strides=2, padding="SAME")
        return dx, _kernel_gradient(dy, kernel, x)

    return _transpose(x, kernel), gradient


@tf.custom_gradient
def conv2d(x, kernel):
    """5x5 stride-2 SAME convolution, kernel [5, 5, in, out], on even-sized inputs."""

    def gradient(dy):
        return _transpose(dy, kernel), _kernel_gradient(x, kernel, dy)

    return tf.nn.conv2d(x, kernel, strides=2, padding="SAME"), gradient


def fixed_conv2d_transpose(kernel):
    """`x -> conv2d_transpose(x, kernel)` for a kernel that never changes (the search's folded
    weights), with gradients for x only. The stride-1 kernels are made here, once: in a graph,
    Grappler does not fold constants over 10 MB, and remaking gf 64's largest costs a third of
    a search iteration."""
    kernels = stride1_kernels(kernel)

    @tf.custom_gradient
    def apply(x):
        return apply_stride1(x, kernels), lambda dy: tf.nn.conv2d(dy, kernel, strides=2, padding="SAME")

    return apply


def fixed_conv2d(kernel):
    """`x -> conv2d(x, kernel)` for a kernel that never changes, gradients for x only (see above)."""
    kernels = stride1_kernels(kernel)

    @tf.custom_gradient
    def apply(x):
        return tf.nn.conv2d(x, kernel, strides=2, padding="SAME"), lambda dy: apply_stride1(dy, kernels)

    return apply


def native_transpose_is_slow(batch=32, size=8, in_channels=256, out_channels=128, repeats=3):
    """Times this machine's native transposed convolution against the phase form on a
    mid-sized layer: True where Conv2DBackpropInput is the slower (it is 3-9x slower than
    other kernels on some CPUs, on par on others). About a second, once per process."""
    x = tf.random.stateless_normal([batch, size, size, in_channels], [0, 0])
    kernel = tf.random.stateless_normal([5, 5, out_channels, in_channels], [0, 1]) * 0.02
    shape = [batch, 2 * size, 2 * size, out_channels]
    native = tf.function(lambda: tf.nn.conv2d_transpose(x, kernel, shape, strides=2, padding="SAME"))
    phases = tf.function(lambda: _transpose(x, kernel))

    def best_time(function):
        function()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            function().numpy()
            times.append(time.perf_counter() - start)
        return min(times)

    return best_time(native) > best_time(phases)
