"""Data providers: mini-batch iterators over data sets.

- :class:`DataProvider`, :class:`OneOfKDataProvider`: any arrays (``base``).
- :class:`DigitsDataProvider`: scikit-learn's bundled 8x8 digits, the default (``digits``).
- :class:`MNISTDataProvider`: MNIST from local files (``mnist``).
- :class:`MoonsDataProvider`, :class:`SlashesDataProvider`: synthetic sets (``synthetic``).
"""

from mlp.data_providers.base import DataProvider, OneOfKDataProvider, to_one_of_k
from mlp.data_providers.digits import DigitsDataProvider, load_digits_split
from mlp.data_providers.mnist import MNISTDataProvider, load_mnist, read_idx
from mlp.data_providers.synthetic import (
    BACK_SLASH,
    FORWARD_SLASH,
    MoonsDataProvider,
    SlashesDataProvider,
    make_moons_data,
    make_slashes,
)

__all__ = [
    "BACK_SLASH",
    "FORWARD_SLASH",
    "DataProvider",
    "DigitsDataProvider",
    "MNISTDataProvider",
    "MoonsDataProvider",
    "OneOfKDataProvider",
    "SlashesDataProvider",
    "load_digits_split",
    "load_mnist",
    "make_moons_data",
    "make_slashes",
    "read_idx",
    "to_one_of_k",
]
