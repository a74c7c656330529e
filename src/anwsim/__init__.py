"""anwsim: discrete-event simulation of Dutch out-of-hours (ANW) acute care capacity."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("anwsim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
