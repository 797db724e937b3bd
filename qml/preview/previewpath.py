"""For pyside6-qml only: where the stand-in module Offthread is.

pyside6-qml imports every .py file under the folder of the QML file it opens
(that is how it finds Python-made QML types) before it makes its QML engine.
This one puts qml/preview/ on that engine's import path, so that
``pyside6-qml qml/Preview.qml`` finds ``import Offthread`` here, with no
option: pyside6-qml's own -I names Python files, not QML import paths.
The app never imports this file.
"""

import os

_HERE = os.path.dirname(os.path.abspath(__file__))
_paths = os.environ.get("QML_IMPORT_PATH", "")
if _HERE not in _paths.split(os.pathsep):
    os.environ["QML_IMPORT_PATH"] = os.pathsep.join(p for p in (_HERE, _paths) if p)
