// Starts CPU jobs in process mode (more than there are worker processes),
// then closes its window while they run, as a user would.
import QtQuick 2.15
import QtQuick.Window 2.15

Window {
    id: root

    required property QtObject backend

    visible: true
    Component.onCompleted: {
        root.backend.mode = "process"
        for (var i = 0; i < 3; ++i)
            root.backend.cpu()
    }

    Timer {
        // Long enough for the test to see the worker processes.
        interval: 1500
        running: root.backend.activeCount >= 2
        onTriggered: root.close()
    }
}
