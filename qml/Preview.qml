// The real UI on a mock backend, for previews without Python:
//   qmlscene qml/Preview.qml     (or: qml qml/Preview.qml, or open it in Qt Design Studio)
import QtQuick 2.15
import "preview"

Main {
    backend: MockBackend {}
}
