"""Test-wide setup, done before anything imports Qt.

Qt renders offscreen, and the app-data folder (history, rules) is a fresh
temporary one, so no test reads or writes the user's own files.
"""

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["REQUEST_INSPECTOR_HOME"] = tempfile.mkdtemp(prefix="request-inspector-tests-")
