// What runs where, and the one size that applies to the selected mode: the
// thread pool's in thread mode, the number of worker processes in process
// mode. The GUI thread modes run one task at a time, by nature.
import QtQuick 2.15
import Offthread 1.0
import "style"
import QtQuick.Layouts 1.15
import "."

RowLayout {
    id: root

    required property Backend backend
    readonly property string mode: root.backend.mode

    spacing: Theme.spacing
    // As tall in every mode as with its spin box: the line does not jump as the mode changes.
    Layout.minimumHeight: Theme.controlHeight

    Label {
        objectName: "poolLabel"
        text: qsTr("%1 running, %2 queued").arg(root.backend.activeCount).arg(root.backend.queuedCount)
              + (root.backend.pausedCount > 0 ? qsTr(", %1 paused").arg(root.backend.pausedCount) : "")
        color: Theme.textMuted
        elide: Text.ElideRight
        Layout.fillWidth: true
        Accessible.name: text
    }

    Label {
        text: root.mode === "thread" ? qsTr("Threads")
            : root.mode === "process" ? qsTr("Worker processes")
            : root.mode === "gui" || root.mode === "events" ? qsTr("One at a time, on the GUI thread")
            : root.mode === "asyncio" ? qsTr("All at once, on one event loop")
            : qsTr("Sizes itself")
        color: Theme.textMuted
        elide: Text.ElideRight
        Layout.maximumWidth: 260
    }

    SpinBox {
        id: threads

        objectName: "threadsSpinBox"
        visible: root.mode === "thread"
        from: 1
        to: 256  // as --threads
        value: root.backend.maxThreadCount
        editable: true
        implicitHeight: Theme.controlHeight
        Accessible.name: qsTr("Thread pool size: %1").arg(value)
        onValueModified: root.backend.maxThreadCount = value
    }

    SpinBox {
        objectName: "processesSpinBox"
        visible: root.mode === "process"
        from: 1
        to: 256  // as --processes
        value: root.backend.processCount
        editable: true
        implicitHeight: Theme.controlHeight
        Accessible.name: qsTr("Worker processes: %1").arg(value)
        onValueModified: root.backend.processCount = value
    }
}
