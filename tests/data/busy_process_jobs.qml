// Keeps process mode busy from the start: more CPU jobs than worker
// processes, and a DANGER! job, so that a signal finds work at any moment.
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
        root.backend.danger()
    }
}
