// Starts the DANGER! job, then closes its window while the job is running,
// as a user would.
import QtQuick 2.15
import QtQuick.Window 2.15

Window {
    id: root

    required property QtObject backend

    visible: true
    Component.onCompleted: root.backend.danger()

    Timer {
        interval: 200
        running: root.backend.state === "running"
        onTriggered: root.close()
    }
}
