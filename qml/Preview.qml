// The real UI on a stand-in backend, for previews without Python:
//   pyside6-qml qml/Preview.qml                   (Qt 6; qml/preview/previewpath.py sets the path)
//   qmlscene -I qml/preview qml/Preview.qml       (Qt 5)
// The stand-in is module Offthread in qml/preview/; the app's own registers
// the real types under the same names (offthread.app.qmlmodule).
import QtQuick 2.15
import Offthread 1.0

Main {
    backend: Backend {}
}
