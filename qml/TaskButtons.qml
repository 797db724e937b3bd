// Where the next task runs, and the buttons that start one. Each click starts
// a task in the selected mode, however fast the clicks come; tasks beyond
// what the mode runs at once wait their turn.
import QtQuick 2.15
import Offthread 1.0
import "style"
import QtQuick.Layouts 1.15
import "."

RowLayout {
    id: root

    required property Backend backend

    // What the row needs with its label. Where the window is narrower, the
    // label goes first: the selector's accessible name says it anyway. (The
    // parent's width, not the row's: a row never shrinks below its content.)
    readonly property real roomyWidth: runIn.implicitWidth + modeSelector.Layout.preferredWidth
        + dangerButton.implicitWidth + cpuButton.implicitWidth + fetchButton.implicitWidth
        + failButton.implicitWidth + 5 * spacing

    spacing: Theme.spacing

    Label {
        id: runIn

        visible: !root.parent || root.parent.width >= root.roomyWidth
        text: qsTr("Run in")
        color: Theme.textMuted
    }

    ComboBox {
        id: modeSelector

        objectName: "modeSelector"
        model: root.backend.modes
        // Follows the backend, so a mode set from Python shows here too.
        currentIndex: model ? model.indexOf(root.backend.mode) : -1
        implicitHeight: Theme.controlHeight
        Layout.preferredWidth: 112
        Accessible.name: qsTr("Run new tasks in: %1").arg(currentText)
        Accessible.description: root.backend.modeDescription
        onActivated: root.backend.mode = currentText

        ToolTip {
            visible: modeSelector.hovered || modeSelector.visualFocus
            text: root.backend.modeDescription
        }
    }

    AppButton {
        id: dangerButton

        objectName: "dangerButton"
        text: qsTr("DANGER!")
        tone: "danger"
        font.bold: true
        font.pixelSize: Theme.fontLarge
        toolTip: qsTr("Start the long job (it waits, like I/O) in the selected mode. Ctrl+D")
        Accessible.name: qsTr("DANGER! Start the long job")
        onClicked: root.backend.danger()
    }

    AppButton {
        id: cpuButton

        objectName: "cpuButton"
        text: qsTr("CPU job")
        toolTip: qsTr("Start a pure-Python CPU-bound job (it holds the GIL) in the selected mode. Ctrl+U")
        Accessible.name: qsTr("Start a CPU job")
        onClicked: root.backend.cpu()
    }

    AppButton {
        id: fetchButton

        objectName: "fetchButton"
        text: qsTr("I/O job")
        toolTip: qsTr("Start simulated fetches (I/O) in the selected mode: all at once in asyncio mode, one after another elsewhere. Ctrl+I")
        Accessible.name: qsTr("Start an I/O job")
        onClicked: root.backend.fetch()
    }

    AppButton {
        id: failButton

        objectName: "failButton"
        text: qsTr("Failing job")
        toolTip: qsTr("Start a job that raises part-way, to see how errors are shown. Ctrl+F")
        Accessible.name: qsTr("Start a failing job")
        onClicked: root.backend.fail()
    }

    Item {
        Layout.fillWidth: true
    }

    Shortcut {
        sequence: "Ctrl+D"
        onActivated: root.backend.danger()
    }

    Shortcut {
        sequence: "Ctrl+U"
        onActivated: root.backend.cpu()
    }

    Shortcut {
        sequence: "Ctrl+I"
        onActivated: root.backend.fetch()
    }

    Shortcut {
        sequence: "Ctrl+F"
        onActivated: root.backend.fail()
    }
}
