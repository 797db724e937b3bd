// Starts the DANGER! job as soon as it loads, so that a test can interrupt it.
import QtQuick 2.15
import QtQuick.Window 2.15

Window {
    id: root

    required property QtObject backend

    visible: true
    Component.onCompleted: root.backend.danger()
}
