"""Keras builders for the zoo: a digits CNN and the four MLPerf Tiny reference architectures.

Written from the published layer lists (MLPerf Tiny v1.0 reference models), with tf_keras.
"""
from tinycompress.tfcompat import keras

L = keras.layers


def digits_cnn():
    """Small CNN for scikit-learn's 8x8 digits: two convolutions, one pooling, two Dense."""
    inp = keras.Input((8, 8, 1), name="image")
    x = L.Conv2D(16, 3, padding="same", activation="relu", name="conv1")(inp)
    x = L.Conv2D(32, 3, padding="same", activation="relu", name="conv2")(x)
    x = L.MaxPooling2D(2, name="pool")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(64, activation="relu", name="fc1")(x)
    out = L.Dense(10, activation="softmax", name="classes")(x)
    return keras.Model(inp, out, name="digits_cnn")


# Keras' default momentum (0.99) needs ~500 steps before the moving statistics that inference
# uses match the batches; the zoo trains for a few hundred steps or fewer, and at 0.99 the
# models scored chance in inference mode while 99 % with batch statistics (kws-dscnn).
BN_MOMENTUM = 0.9


def _bn_relu(x, name):
    x = L.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn")(x)
    return L.ReLU(name=f"{name}_relu")(x)


def kws_dscnn(classes=12):
    """MLPerf Tiny keyword spotting DS-CNN: 49x10 MFCC input, 4 depthwise-separable blocks."""
    inp = keras.Input((49, 10, 1), name="mfcc")
    x = L.Conv2D(64, (10, 4), strides=(2, 2), padding="same", use_bias=False, name="conv")(inp)
    x = _bn_relu(x, "conv")
    x = L.Dropout(0.2, name="drop1")(x)
    for i in range(1, 5):
        x = L.DepthwiseConv2D(3, padding="same", use_bias=False, name=f"dw{i}")(x)
        x = _bn_relu(x, f"dw{i}")
        x = L.Conv2D(64, 1, use_bias=False, name=f"pw{i}")(x)
        x = _bn_relu(x, f"pw{i}")
    x = L.Dropout(0.4, name="drop2")(x)
    x = L.AveragePooling2D(pool_size=(25, 5), name="pool")(x)
    x = L.Flatten(name="flatten")(x)
    out = L.Dense(classes, activation="softmax", name="classes")(x)
    return keras.Model(inp, out, name="kws_dscnn")


def vww_mbv1(alpha=0.25, size=96, classes=2):
    """MLPerf Tiny visual wake words: MobileNetV1 with width multiplier alpha at size x size."""
    inp = keras.Input((size, size, 3), name="image")
    x = L.Conv2D(int(32 * alpha), 3, strides=2, padding="same", use_bias=False, name="conv0")(inp)
    x = _bn_relu(x, "conv0")
    blocks = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + \
             [(1024, 2), (1024, 1)]
    for i, (filters, stride) in enumerate(blocks, 1):
        x = L.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False, name=f"dw{i}")(x)
        x = _bn_relu(x, f"dw{i}")
        x = L.Conv2D(int(filters * alpha), 1, use_bias=False, name=f"pw{i}")(x)
        x = _bn_relu(x, f"pw{i}")
    x = L.GlobalAveragePooling2D(name="pool")(x)
    out = L.Dense(classes, activation="softmax", name="classes")(x)
    return keras.Model(inp, out, name="vww_mbv1")


def resnet8(classes=10):
    """MLPerf Tiny image classification ResNet-8 on 32x32x3: three residual stacks (16/32/64)."""
    inp = keras.Input((32, 32, 3), name="image")
    x = L.Conv2D(16, 3, padding="same", name="conv0")(inp)
    x = _bn_relu(x, "conv0")
    for i, (filters, stride) in enumerate([(16, 1), (32, 2), (64, 2)], 1):
        y = L.Conv2D(filters, 3, strides=stride, padding="same", name=f"s{i}_conv1")(x)
        y = _bn_relu(y, f"s{i}_conv1")
        y = L.Conv2D(filters, 3, padding="same", name=f"s{i}_conv2")(y)
        y = L.BatchNormalization(momentum=BN_MOMENTUM, name=f"s{i}_conv2_bn")(y)
        if stride != 1:  # the shortcut must change shape with the main path
            x = L.Conv2D(filters, 1, strides=stride, padding="same", name=f"s{i}_short")(x)
        x = L.Add(name=f"s{i}_add")([x, y])
        x = L.ReLU(name=f"s{i}_relu")(x)
    x = L.AveragePooling2D(pool_size=8, name="pool")(x)
    x = L.Flatten(name="flatten")(x)
    out = L.Dense(classes, activation="softmax", name="classes")(x)
    return keras.Model(inp, out, name="resnet8")


def ad_fc(inputs=640, hidden=128, bottleneck=8):
    """MLPerf Tiny anomaly detection autoencoder: 640-128x4-8-128x4-640, Dense+BN+ReLU."""
    inp = keras.Input((inputs,), name="frames")
    x = inp
    for i, units in enumerate([hidden] * 4 + [bottleneck] + [hidden] * 4, 1):
        x = L.Dense(units, name=f"fc{i}")(x)
        x = _bn_relu(x, f"fc{i}")
    out = L.Dense(inputs, name="reconstruction")(x)
    return keras.Model(inp, out, name="ad_fc")
