// For tests/test_bundle.py: runs the CPU job in process mode, then the I/O
// job in asyncio mode, says each result ("probe: MODE STATE RESULT"), then
// stays open until the app is told to quit (SIGTERM).
import QtQuick 2.15
import QtQuick.Window 2.15

Window {
    id: root

    required property QtObject backend
    property var modes: ["process", "asyncio"]
    property int step: 0

    function next() {
        root.backend.mode = root.modes[root.step]
        if (root.modes[root.step] === "process")
            root.backend.cpu()
        else
            root.backend.fetch()
    }

    visible: true
    Component.onCompleted: root.next()

    Connections {
        target: root.backend

        function onStateChanged() {
            var state = root.backend.state
            if (state !== "finished" && state !== "failed" && state !== "cancelled")
                return
            Qt.callLater(root.report, state)  // the result is published just after the state
        }
    }

    function report(state) {
        console.info("probe: " + root.modes[root.step] + " " + state + " " + root.backend.result)
        root.step += 1
        if (root.step < root.modes.length)
            root.next()
    }
}
