"""The v2 networks (tf_keras): a 1-D CNN over log-mel frames, an MLP over functionals, and the
single-graph ensemble exported to ONNX.

The CNN takes any number of frames (global average + max pooling over time), so it is
trained on crops and run on all speech frames of an utterance. The ensemble averages the
members' softmax outputs and applies the temperature: ``softmax(log(mean p) / T)``.

With dimension heads (``heads=True``) a member's output is (batch, 8 + 2): its softmax followed
by two sigmoids, arousal and valence in [0, 1] (:mod:`ser_edge.model.dimensions`), both read
from the same pooled / hidden features; the ensemble averages the members' dimensions into a
second output, ``dimensions``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tf_keras as keras

from ser_edge.model.contract import DIMENSIONS_OUTPUT

N_CLASSES = 8
N_DIMS = 2
PROB_FLOOR = 1e-7


@dataclass(frozen=True)
class CnnConfig:
    """Conv widths/kernels (one block each: conv, BN, ReLU; max-pool by 2 after the first
    ``pooled_blocks``), dropout before the classifier, L2 weight decay."""

    filters: tuple[int, ...] = (64, 96, 128, 160)
    kernels: tuple[int, ...] = (5, 5, 3, 3)
    pooled_blocks: int = 2
    dropout: float = 0.3
    l2: float = 1e-4


@dataclass(frozen=True)
class MlpConfig:
    """Hidden widths, dropout, L2 weight decay of the functionals MLP."""

    hidden: tuple[int, ...] = (256, 128)
    dropout: float = 0.3
    l2: float = 1e-4


#: ``train-frames16k --small-cnn``: the conv widths of the small CNN (the big one: CnnConfig's default).
SMALL_CNN_FILTERS = (48, 64, 96, 128)


def _outputs(x, reg, heads: bool, name: str):  # noqa: ANN001, ANN202 (Keras tensors)
    """The member's head: (batch, 8) softmax, or with ``heads`` (batch, 8 + 2): the softmax
    followed by the arousal and valence sigmoids."""
    probs = keras.layers.Dense(N_CLASSES, activation="softmax", kernel_regularizer=reg)(x)
    if not heads:
        return probs
    dims = keras.layers.Dense(N_DIMS, activation="sigmoid", kernel_regularizer=reg, name=f"{name}_dims")(x)
    return keras.layers.Concatenate(name=f"{name}_outputs")([probs, dims])


def build_cnn(n_mels: int, config: CnnConfig, name: str = "cnn", heads: bool = False) -> keras.Model:
    """(batch, time, n_mels) band-mean-removed log-mel -> (batch, 8) softmax (+ 2 dimensions
    with ``heads``)."""
    inp = keras.Input((None, n_mels), name=f"{name}_frames")
    x = inp
    reg = keras.regularizers.l2(config.l2)
    for i, (width, kernel) in enumerate(zip(config.filters, config.kernels, strict=True)):
        x = keras.layers.Conv1D(width, kernel, padding="same", use_bias=False, kernel_regularizer=reg)(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.ReLU()(x)
        if i < config.pooled_blocks:
            x = keras.layers.MaxPooling1D(2, padding="same")(x)
    x = keras.layers.Concatenate()(
        [keras.layers.GlobalAveragePooling1D()(x), keras.layers.GlobalMaxPooling1D()(x)]
    )
    x = keras.layers.Dropout(config.dropout)(x)
    return keras.Model(inp, _outputs(x, reg, heads, name), name=name)


def build_mlp(
    mean: np.ndarray, std: np.ndarray, config: MlpConfig, name: str = "mlp", heads: bool = False
) -> keras.Model:
    """(batch, F) functionals -> (batch, 8) softmax (+ 2 dimensions with ``heads``);
    standardisation (training mean/std) inside."""
    inp = keras.Input((len(mean),), name=f"{name}_functionals")
    x = Standardize(mean, std, name=f"{name}_standardize")(inp)
    reg = keras.regularizers.l2(config.l2)
    for width in config.hidden:
        x = keras.layers.Dense(width, activation="relu", kernel_regularizer=reg)(x)
        x = keras.layers.Dropout(config.dropout)(x)
    return keras.Model(inp, _outputs(x, reg, heads, name), name=name)


class Standardize(keras.layers.Layer):
    """(x - mean) / std with the training statistics held as non-trainable weights."""

    def __init__(self, mean: np.ndarray, std: np.ndarray, **kwargs) -> None:
        super().__init__(**kwargs)
        self._init = (np.asarray(mean, np.float32), np.asarray(std, np.float32))

    def build(self, input_shape) -> None:  # noqa: D401 - keras API
        mean, std = self._init
        self.mean = self.add_weight(
            "mean", shape=mean.shape, trainable=False, initializer=keras.initializers.Constant(mean)
        )
        self.scale = self.add_weight(
            "scale", shape=std.shape, trainable=False, initializer=keras.initializers.Constant(1.0 / std)
        )
        super().build(input_shape)

    def call(self, x):  # noqa: D401 - keras API
        return (x - self.mean) * self.scale


class TemperedLog(keras.layers.Layer):
    """log(max(p, PROB_FLOOR)) / T: the calibrated logits of averaged probabilities."""

    def __init__(self, temperature: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self.temperature = float(temperature)

    def call(self, probs):  # noqa: D401 - keras API
        tf = _tf()
        return tf.math.log(tf.maximum(probs, PROB_FLOOR)) / self.temperature

    def get_config(self) -> dict:
        return {**super().get_config(), "temperature": self.temperature}


def _tf():
    import tensorflow as tf  # build time only

    return tf


def build_ensemble(
    cnns: list[keras.Model],
    mlps: list[keras.Model],
    n_mels: int,
    n_func: int,
    member_temperatures: list[float],
    temperature: float,
) -> keras.Model:
    """One graph: inputs ``frames`` (1, T, n_mels) and ``functionals`` (1, F) -> ``probs`` (1, 8)
    (and ``dimensions`` (1, 2), the members' mean, when they have dimension heads).

    Each member's softmax is tempered by its own temperature (CNNs first, then MLPs), the
    results are averaged, and the average is tempered by ``temperature``.
    """
    frames = keras.Input((None, n_mels), name="frames")
    func = keras.Input((n_func,), name="functionals")
    outs = [m(frames) for m in cnns] + [m(func) for m in mlps]
    probs = tempered_average([class_part(o) for o in outs], member_temperatures, temperature, "probs")
    if not has_heads(cnns + mlps):
        return keras.Model([frames, func], probs, name="ser_edge_v2")
    dims = averaged_dimensions(outs, DIMENSIONS_OUTPUT)
    return keras.Model([frames, func], [probs, dims], name="ser_edge_v3")


def has_heads(members: list[keras.Model]) -> bool:
    """Whether the members end in dimension heads (output width 8 + 2)."""
    return bool(members) and members[0].output_shape[-1] == N_CLASSES + N_DIMS


class Columns(keras.layers.Layer):
    """Columns ``start:stop`` of (batch, C): a member's class or dimension part."""

    def __init__(self, start: int, stop: int | None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.start, self.stop = start, stop

    def call(self, x):  # noqa: D401 - keras API
        return x[:, self.start : self.stop]

    def get_config(self) -> dict:
        return {**super().get_config(), "start": self.start, "stop": self.stop}


def class_part(output):  # noqa: ANN001, ANN201 (Keras tensors)
    """The (batch, 8) softmax of a member's output (itself when it has no dimension heads)."""
    return output if output.shape[-1] == N_CLASSES else Columns(0, N_CLASSES)(output)


def averaged_dimensions(outputs: list, name: str):  # noqa: ANN201 (Keras tensor)
    """The mean of the members' (batch, 2) dimensions, named ``name``."""
    dims = [Columns(N_CLASSES, None)(o) for o in outputs]
    mean = dims[0] if len(dims) == 1 else keras.layers.Average()(dims)
    return keras.layers.Activation("linear", name=name)(mean)


class SpeakerNormalise(keras.layers.Layer):
    """(functionals - speaker_mean) / speaker_std, each (batch, F): the calibrated MLP's input."""

    def call(self, inputs):  # noqa: D401 - keras API
        x, mean, std = inputs
        return (x - mean) / std


def tempered_average(members: list, temperatures: list[float], final: float, name: str):
    """softmax(log(mean_k softmax(log p_k / T_k)) / final), named ``name`` (the ensemble's head)."""
    outs = [
        keras.layers.Softmax(name=f"{name}_member{k}")(TemperedLog(t, name=f"{name}_tempered{k}")(p))
        for k, (p, t) in enumerate(zip(members, temperatures, strict=True))
    ]
    mean = outs[0] if len(outs) == 1 else keras.layers.Average(name=f"{name}_average")(outs)
    return keras.layers.Softmax(name=name)(TemperedLog(final, name=f"{name}_tempered")(mean))


def build_calibrated_ensemble(
    cnn: keras.Model,
    mlp: keras.Model,
    n_mels: int,
    prior_mean: np.ndarray,
    prior_std: np.ndarray,
    member_temperatures: tuple[float, float],
    temperatures: tuple[float, float],
    heads_mlp: keras.Model | None = None,
) -> keras.Model:
    """One graph with two heads over the same members (CNN on ``frames``, calibrated MLP):

    inputs ``frames`` (1, T, n_mels), ``functionals``, ``speaker_mean``, ``speaker_std`` (1, F);
    outputs ``probs`` (the MLP's functionals normalised by the training prior: uncalibrated)
    and ``probs_calibrated`` (normalised by the speaker statistics fed in), each (1, 8), and
    when the CNN has dimension heads ``dimensions`` (1, 2): the mean arousal and valence of the
    CNN and of ``heads_mlp`` (the recipe's own MLP with heads, on the functionals; the
    calibrated MLP has no heads), as the recipe's ensemble averages them.
    ``temperatures``: the final temperatures of (probs, probs_calibrated).
    """
    n_func = len(prior_mean)
    frames = keras.Input((None, n_mels), name="frames")
    func = keras.Input((n_func,), name="functionals")
    mean = keras.Input((n_func,), name="speaker_mean")
    std = keras.Input((n_func,), name="speaker_std")
    cnn_out = cnn(frames)
    p_cnn = class_part(cnn_out)
    p_prior = mlp(Standardize(prior_mean, prior_std, name="prior_standardize")(func))
    p_speaker = mlp(SpeakerNormalise(name="speaker_normalise")([func, mean, std]))
    probs = tempered_average([p_cnn, p_prior], list(member_temperatures), temperatures[0], "probs")
    calibrated = tempered_average(
        [p_cnn, p_speaker], list(member_temperatures), temperatures[1], "probs_calibrated"
    )
    outputs = [probs, calibrated]
    if has_heads([cnn]):  # the members' arousal/valence (the calibrated MLP has no heads)
        with_dims = [cnn_out] + ([heads_mlp(func)] if heads_mlp is not None else [])
        outputs.append(averaged_dimensions(with_dims, DIMENSIONS_OUTPUT))
    return keras.Model([frames, func, mean, std], outputs, name="ser_edge_calibrated")
