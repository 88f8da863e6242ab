"""Request Inspector: see every HTTP request sent to a port, answer it from templates."""

from __future__ import annotations

#: the distribution name on package indexes (pyproject.toml's ``name``)
DISTRIBUTION = "request-inspector"


def __getattr__(name: str) -> str:
    """``__version__``, read from the package metadata on first use.

    pyproject.toml's ``version`` is its one home. Reading the metadata costs
    5-18 ms, paid only by what asks (``--version``, Help -> About), not by every
    import of the package (the pytest plugin loads it in other projects' runs).
    """
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version(DISTRIBUTION)
    except PackageNotFoundError:  # a source checkout run without installing
        found = "0+unknown"
    globals()["__version__"] = found
    return found
