"""Request Inspector: see every HTTP request sent to a port, answer it from templates."""

from importlib.metadata import PackageNotFoundError, version

#: the distribution name on package indexes (pyproject.toml's ``name``)
DISTRIBUTION = "request-inspector"

try:
    #: the installed version; pyproject.toml's ``version`` is its one home
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # a source checkout run without installing
    __version__ = "0+unknown"
