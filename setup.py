"""tinycompress: compress Keras models, convert them to int8 TFLite and run them on Cortex-M."""
from setuptools import find_packages, setup

# The top-level firmware/ (C sources, templates) and models/ (the zoo and its recipes)
# travel inside the package as tinycompress.csrc and tinycompress.zoo, so that a plain
# `pip install .` gives a working tool.
packages = find_packages(include=["tinycompress", "tinycompress.*"])
packages += ["tinycompress.csrc"] + ["tinycompress.zoo"]

setup(
    name="tinycompress",
    version="0.1.0",
    description="Compress Keras models and deploy them as int8 firmware on Cortex-M",
    long_description=open("README.md").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=packages,
    package_dir={"tinycompress.csrc": "firmware", "tinycompress.zoo": "models"},
    package_data={
        "tinycompress.csrc": ["**/*.c", "**/*.h", "**/*.ld", "**/*.S", "**/*.in", "**/*.mk",
                              "**/*.resc", "**/*.robot", "**/*.repl", "**/Makefile*", "**/*.tmpl"],
        "tinycompress.zoo": ["**/*.toml", "**/*.md"],
        "tinycompress": ["templates/**/*"],
    },
    install_requires=[
        "tensorflow==2.21.*",
        "tf-keras==2.21.*",
        "tensorflow-model-optimization>=0.8,<0.9",
        "tflite-micro",
        "numpy",
        "click>=8",
        "scikit-learn",
        "matplotlib",
        "rich",
    ],
    extras_require={"test": ["pytest", "pyyaml"], "flash": ["pyocd", "pyserial"],
                    "keras3": ["keras>=3"],    # Keras 3 models in (keras3.py)
                    # `tinycompress search` (tinycompress/search): Ray Tune + Optuna
                    "search": ["ray[tune]>=2.9", "optuna>=3", "tomli-w>=1"]},
    entry_points={"console_scripts": ["tinycompress=tinycompress.cli:main"]},
)
