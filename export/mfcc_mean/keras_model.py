"""Build the Keras 3 model a :class:`~export.recipe.Recipe` describes (TensorFlow imported lazily).

Input (batch, n_features, 1) float32, named ``features``; output (batch, n_classes)
softmax probabilities. The original project's model is ``Recipe()``: Conv1D 64/128/256,
kernel 5, 'same', ReLU, dropout 0.1, max-pool 4 between blocks, flatten, dense softmax.
``Recipe(arch="mlp")`` flattens the same input and uses Dense layers instead (the ONNX
input stays (batch, n_features, 1), so every consumer sees one contract).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .recipe import Recipe

#: Training steps per graph call: same updates, about half the per-batch Python overhead on a CPU.
STEPS_PER_EXECUTION = 32


def build_model(recipe: Recipe, X_train: np.ndarray, n_classes: int) -> Any:
    """A compiled ``keras.Model`` for rows like ``X_train`` (float32 (n, n_features)).

    With ``recipe.normalize`` the model starts with a fixed per-coefficient standardisation
    whose mean and variance are those of ``X_train`` (frozen, exported inside the ONNX).
    """
    import keras
    from keras import layers

    n_features = X_train.shape[1]
    inputs = keras.Input((n_features, 1), name="features")
    x = inputs
    if recipe.normalize:
        x = standardise_layer(X_train)(x)
    regulariser = keras.regularizers.L2(recipe.l2) if recipe.l2 else None
    body = _mlp_body if recipe.arch == "mlp" else _conv_body
    x = body(recipe, x, regulariser)
    outputs = layers.Dense(n_classes, activation="softmax", kernel_regularizer=regulariser, name="scores")(x)
    model = keras.Model(inputs, outputs, name=f"ser_edge_{recipe.name}")
    model.compile(
        optimizer=_optimizer(recipe),
        loss=_loss(recipe, n_classes),
        metrics=["accuracy"],
        steps_per_execution=STEPS_PER_EXECUTION,
    )
    return model


def _conv_body(recipe: Recipe, x: Any, regulariser: Any) -> Any:
    """Conv1D blocks with max-pooling between them, flatten, optional dense layer."""
    from keras import layers

    for i, channels in enumerate(recipe.filters):
        if i:
            x = layers.MaxPooling1D(recipe.pool_size)(x)
        x = layers.Conv1D(
            channels, recipe.kernel_size, padding="same", activation="relu", kernel_regularizer=regulariser
        )(x)
        x = layers.Dropout(recipe.dropout)(x)
    x = layers.Flatten()(x)
    if recipe.dense_units:
        x = layers.Dense(recipe.dense_units, activation="relu", kernel_regularizer=regulariser)(x)
        x = layers.Dropout(recipe.dropout)(x)
    return x


def _mlp_body(recipe: Recipe, x: Any, regulariser: Any) -> Any:
    """Flatten, then Dense -> [BatchNormalization] -> ReLU -> Dropout per ``recipe.hidden`` width."""
    from keras import layers

    x = layers.Flatten()(x)
    for units in recipe.hidden:
        x = layers.Dense(units, kernel_regularizer=regulariser)(x)
        if recipe.batchnorm:
            x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.Dropout(recipe.dropout)(x)
    return x


def standardise_layer(X_train: np.ndarray) -> Any:
    """A frozen layer computing ``(x - mean) / std`` per coefficient, on (batch, n_features, 1).

    Mean and std of ``X_train`` (n, n_features) are stored as non-trainable weights: the
    Keras ``Normalization`` layer keeps them as eager constants, which tf2onnx turns into
    extra graph inputs instead of initializers.
    """
    import keras

    mean = X_train.mean(axis=0).astype(np.float32)[:, None]
    inv_std = (1.0 / np.maximum(X_train.std(axis=0), 1e-3)).astype(np.float32)[:, None]

    class Standardise(keras.layers.Layer):
        def build(self, input_shape: Any) -> None:
            self.mean = self.add_weight(
                shape=mean.shape, initializer=keras.initializers.Constant(mean), trainable=False, name="mean"
            )
            self.inv_std = self.add_weight(
                shape=inv_std.shape,
                initializer=keras.initializers.Constant(inv_std),
                trainable=False,
                name="inv_std",
            )

        def call(self, x: Any) -> Any:
            return (x - self.mean) * self.inv_std

    return Standardise(name="standardise")


def _optimizer(recipe: Recipe) -> Any:
    import keras

    if recipe.optimizer == "adam":
        return keras.optimizers.Adam(recipe.learning_rate)
    return keras.optimizers.RMSprop(recipe.learning_rate, rho=0.9, epsilon=1e-7)


def _loss(recipe: Recipe, n_classes: int) -> Any:
    """Sparse cross-entropy; with label smoothing, the dense form on one-hot targets is needed."""
    import keras

    if recipe.label_smoothing:
        return keras.losses.CategoricalCrossentropy(label_smoothing=recipe.label_smoothing)
    return keras.losses.SparseCategoricalCrossentropy()


def parameter_count(model: Any) -> int:
    """Number of weights of ``model`` (trainable or not)."""
    return int(model.count_params())
