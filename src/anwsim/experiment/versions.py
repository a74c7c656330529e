"""The versions a replication's numbers depend on: kept apart from `tasks` so that
reading a result store (`store`, and so the report) imports nothing of the model."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

RESULT_VERSIONS = ("anwsim", "numpy", "numba")
"""The packages whose version can change a replication's numbers: a result directory
never mixes replications computed under different versions of these."""

_VERSIONS: dict[str, str] = {}


def result_versions() -> dict[str, str]:
    """Versions of `RESULT_VERSIONS` in this process (looked up once)."""
    if not _VERSIONS:
        from anwsim import __version__

        found = {"anwsim": __version__}
        for name in RESULT_VERSIONS[1:]:
            try:
                found[name] = version(name)
            except PackageNotFoundError:  # pragma: no cover
                found[name] = "not installed"
        _VERSIONS.update(found)
    return dict(_VERSIONS)
