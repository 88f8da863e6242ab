"""Files shipped with Request Inspector, installed as the package ``inspector.resources``.

Nothing to import here: :mod:`inspector.assets` finds the files.
"""
