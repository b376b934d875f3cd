"""The search over z in [-1, 1]: one independent z per image, a whole batch at a time, compiled.

Three approaches, as the original: Nesterov momentum (2016), Adam (2017, the
default) and Hamiltonian Monte Carlo. Each image's loss depends only on its own
z (G and D run in inference mode), so each z gets its own gradient whatever the
batch size.
"""

import tensorflow as tf

from dcgan.modeling import precision
from dcgan.search.losses import contextual_loss, perceptual_loss
from dcgan.modeling.folded import FoldedDiscriminator, FoldedGenerator
from dcgan.options import APPROACHES, SearchOptions  # noqa: F401 (what ZSearch takes)

class ZSearch:
    """State and steps of the search for one batch.

    Args:
      model: a `checkpoints.LoadedModel` (G and D run in inference mode).
      images: [B, H, W, C] inputs in [-1, 1].
      weights: [H, W] contextual weights (the mask, or the paper's weighted mask).
      options: `SearchOptions`.
      lowres: add the 8x8 block-means term to the contextual loss.
      fold: run G and D with batch norm folded into the layers before it (the
        same function, faster), in `options.precision`; False runs the Keras
        models themselves, in float32.
    """

    def __init__(self, model, images, weights, options, lowres=False, fold=True):
        if options.approach not in APPROACHES:
            raise ValueError(f"unknown approach {options.approach}")
        self.precision = "float32" if not fold else precision.resolve(
            options.precision, bool(tf.config.list_logical_devices("GPU")))
        if fold:
            dtype = tf.as_dtype(self.precision)
            self.generator = FoldedGenerator(model.generator, dtype)
            self.discriminator = FoldedDiscriminator(model.discriminator, dtype)
        else:
            self.generator = lambda z: model.generator(z, training=False)
            self.discriminator = lambda images: model.discriminator(images, training=False)
        self.options, self.lowres = options, lowres
        self.weights = tf.convert_to_tensor(weights, tf.float32)
        images = tf.convert_to_tensor(images, tf.float32)
        z_shape = [int(images.shape[0]), model.config.z_dim]
        variable = lambda shape, dtype=tf.float32: tf.Variable(tf.zeros(shape, dtype), trainable=False)
        self.images = variable(images.shape)
        self.z = variable(z_shape)
        self.velocity = variable(z_shape)  # momentum
        self.m, self.v = variable(z_shape), variable(z_shape)  # Adam
        self.iteration = variable([], tf.int64)
        self.number = variable([], tf.int64)  # the batch's number: its own random stream
        self.hmc_beta = variable([])
        self.leap = variable([], tf.int64)  # leapfrog steps done in the current HMC proposal
        self.hmc_z, self.hmc_v, self.hmc_grad = variable(z_shape), variable(z_shape), variable(z_shape)
        self.hmc_start, self.hmc_start_v = variable(z_shape), variable(z_shape)
        self.hmc_start_loss = variable(z_shape[:1])
        # One unit of work is an iteration, or for HMC one leapfrog step (--hmcL per iteration).
        self.units_per_iteration = options.hmc_l if options.approach == "hmc" else 1
        # Compiled per search, not per class: TF counts a class-level function's traces across
        # instances and warns of "retracing" when one run (evaluate.py) builds a search per mask.
        self.run_units = tf.function(lambda units: self._run_units(units), jit_compile=False)
        self.start(images)

    def start(self, images, number=0, z=None):
        """Begins a new search for another batch of the same shape: no retracing.

        Args:
          images: [B, H, W, C] in [-1, 1].
          number: the batch's number, so each batch starts from its own z.
          z: [B, z_dim] start z (the encoder's), or None for uniform random z.
        """
        self.images.assign(images)
        self.z.assign(z if z is not None else tf.random.stateless_uniform(
            self.z.shape, [self.options.seed, -1 - number], -1.0, 1.0))
        for state in (self.velocity, self.m, self.v):
            state.assign(tf.zeros_like(state))
        self.iteration.assign(0)
        self.leap.assign(0)
        self.number.assign(number)
        self.hmc_beta.assign(self.options.hmc_beta)

    def losses(self, z):
        """(total, contextual, perceptual) per image, and G(z)."""
        generated = self.generator(z)
        logits = self.discriminator(generated)
        contextual = contextual_loss(generated, self.images, self.weights, self.lowres)
        perceptual = perceptual_loss(logits, self.options.perceptual)
        return contextual + self.options.lam * perceptual, contextual, perceptual, generated

    def objective(self, z):
        """The per-image total loss that z descends.

        With lam 0 the perceptual term adds nothing, so D is left out of it: the
        search then costs G's passes alone, about half. `losses` still reports D's
        perceptual loss where the search stops.
        """
        if self.options.lam == 0:
            return contextual_loss(self.generator(z), self.images, self.weights, self.lowres)
        return self.losses(z)[0]

    def loss_and_gradient(self, z):
        """Per-image total loss and its gradient with respect to z only (no weight gradients)."""
        z = tf.convert_to_tensor(z)
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(z)
            total = self.objective(z)
            summed = tf.reduce_sum(total)
        return total, tape.gradient(summed, z)

    def step(self):
        """One unit of the chosen approach (an iteration; for HMC a leapfrog step); z stays in [-1, 1]."""
        o = self.options
        if o.approach == "momentum":  # the original's Nesterov form
            _, grad = self.loss_and_gradient(self.z)
            previous = tf.identity(self.velocity)
            self.velocity.assign(o.momentum * previous - o.lr * grad)
            self.z.assign(tf.clip_by_value(
                self.z - o.momentum * previous + (1 + o.momentum) * self.velocity, -1.0, 1.0))
        elif o.approach == "adam":
            _, grad = self.loss_and_gradient(self.z)
            t = tf.cast(self.iteration + 1, tf.float32)
            self.m.assign(o.beta1 * self.m + (1 - o.beta1) * grad)
            self.v.assign(o.beta2 * self.v + (1 - o.beta2) * grad * grad)
            m_hat = self.m / (1 - o.beta1 ** t)
            v_hat = self.v / (1 - o.beta2 ** t)
            self.z.assign(tf.clip_by_value(self.z - o.lr * m_hat / (tf.sqrt(v_hat) + o.eps), -1.0, 1.0))
        else:
            self._hmc_leapfrog()
            return  # the iteration counts when its proposal ends
        self.iteration.assign_add(1)

    def _hmc_leapfrog(self):
        """One leapfrog step of the current HMC proposal; the last of --hmcL accepts or rejects it.

        A proposal spans several compiled calls (its state lives in variables), so a
        caller can look at a stop request every few gradient evaluations. Unlike the
        original, a rejected image keeps its old loss and gradient too.
        """
        o = self.options
        if self.leap == 0:  # a new proposal from the accepted z, with fresh momenta
            seed = tf.stack([tf.cast(o.seed, tf.int64) * 1_000_003 + self.number, self.iteration + 1])
            loss, grad = self.loss_and_gradient(self.z)
            self.hmc_start.assign(self.z)
            self.hmc_start_loss.assign(loss)
            self.hmc_start_v.assign(tf.random.stateless_normal(tf.shape(self.z), seed))
            self.hmc_z.assign(self.z)
            self.hmc_v.assign(self.hmc_start_v)
            self.hmc_grad.assign(grad)
        beta = self.hmc_beta
        self.hmc_v.assign(self.hmc_v - o.hmc_eps / 2 * beta * self.hmc_grad)
        self.hmc_z.assign(tf.clip_by_value(self.hmc_z + o.hmc_eps * self.hmc_v, -1.0, 1.0))
        loss, grad = self.loss_and_gradient(self.hmc_z)
        self.hmc_grad.assign(grad)
        self.hmc_v.assign(self.hmc_v - o.hmc_eps / 2 * beta * grad)
        self.leap.assign_add(1)
        if self.leap == o.hmc_l:
            energy_old = beta * self.hmc_start_loss + tf.reduce_sum(self.hmc_start_v ** 2, axis=1) / 2
            energy = beta * loss + tf.reduce_sum(self.hmc_v ** 2, axis=1) / 2
            accept = tf.exp(tf.minimum(energy_old - energy, 0.0))
            seed = tf.stack([tf.cast(o.seed, tf.int64) * 1_000_003 + self.number, self.iteration + 1])
            uniform = tf.random.stateless_uniform(tf.shape(accept), seed + [0, 1 << 40])
            self.z.assign(tf.where((uniform <= accept)[:, None], self.hmc_z, self.hmc_start))
            self.hmc_beta.assign(beta * o.hmc_anneal)
            self.leap.assign(0)
            self.iteration.assign_add(1)

    def _run_units(self, units):
        """`units` steps (HMC: leapfrog steps) inside one graph, then the losses and G(z) at z."""
        for _ in tf.range(units):
            self.step()
        return self.losses(self.z)

    def run(self, iterations):
        """`iterations` whole iterations, compiled; (total, contextual, perceptual, G(z)) at the new z."""
        return self.run_units(tf.cast(iterations, tf.int64) * self.units_per_iteration)

    def run_eager(self, iterations):
        """The same loop step by step in Python: the uncompiled baseline for bench/complete_loop.py."""
        for _ in range(iterations * self.units_per_iteration):
            self.step()
        return self.losses(self.z)
