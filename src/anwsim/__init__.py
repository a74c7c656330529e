"""anwsim: discrete-event simulation of Dutch out-of-hours (ANW) acute care capacity.

The experiment functions are available at the top level (imported on first use, so that
``import anwsim`` stays quick)::

    import anwsim
    summary = anwsim.run("scenarios/baseline.yaml", replications=5)
"""

from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("anwsim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

_API = ("run", "compare", "sweep", "resume")

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        from anwsim.experiment import api

        return getattr(api, name)
    raise AttributeError(f"module 'anwsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names, the lazily imported API included (for ``dir()`` and completion)."""
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})
