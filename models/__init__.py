"""The model zoo: Keras builders and their recipes (installed as tinycompress.zoo)."""
