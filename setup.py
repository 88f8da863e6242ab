"""Package list only; the metadata lives in pyproject.toml.

``resources/`` stays at the top of the repository and is installed as the
package ``inspector.resources`` (``package-dir`` in pyproject.toml). A package
mapped from another folder cannot sit beside automatic discovery in
pyproject.toml, so the list is computed here: every package under
``inspector/``, the mapped one, and its sub-folders (as namespace packages, so
setuptools ships their files without warning about importable data folders).
"""

from setuptools import find_namespace_packages, find_packages, setup

setup(
    packages=[
        *find_packages(include=["inspector", "inspector.*"]),
        "inspector.resources",
        *(f"inspector.resources.{name}" for name in find_namespace_packages(where="resources")),
    ]
)
