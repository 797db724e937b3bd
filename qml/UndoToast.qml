// "Removed #3 · Undo": after Remove, Clear finished or Clear failed, for a
// few seconds, the rows can come back, each in its place, as they were.
// The time stops while the pointer or the keyboard is on it; Ctrl+Z undoes,
// × or the end of the time lets the rows go for good. It follows the
// backend's `removals` (the last removal): it shows what that one took.
import QtQuick 2.15
import Offthread 1.0
import "style"
import QtQuick.Layouts 1.15
import "."

Rectangle {
    id: root

    required property Removals removals
    // How long it stays, in ms, when nobody points at it.
    property int timeout: 6000
    readonly property int removedCount: removals.ids.length
    readonly property string message: removals.kind === "clearFinished"
        ? (removedCount === 1 ? qsTr("Cleared 1 ended task") : qsTr("Cleared %1 ended tasks").arg(removedCount))
        : removals.kind === "clearFailed"
        ? (removedCount === 1 ? qsTr("Cleared 1 failed task") : qsTr("Cleared %1 failed tasks").arg(removedCount))
        : removedCount === 1 ? qsTr("Removed #%1").arg(removals.ids[0])
        : qsTr("Removed %1 tasks").arg(removedCount)
    readonly property bool held: hover.hovered || undoButton.activeFocus || closeButton.activeFocus

    objectName: "undoToast"
    implicitWidth: content.implicitWidth + 2 * Theme.spacing + 8
    implicitHeight: content.implicitHeight + 2 * Theme.spacing
    radius: Theme.radiusSmall
    color: Theme.text
    visible: removals.pending
    Accessible.role: Accessible.AlertMessage
    Accessible.name: qsTr("%1. Undo with Ctrl+Z").arg(message)

    HoverHandler {
        id: hover
    }

    Timer {
        id: countdown

        interval: root.timeout
        running: root.removals.pending && !root.held
        onTriggered: root.removals.forget()
    }

    // Another removal while it shows: its own few seconds, from the start.
    Connections {
        target: root.removals

        function onRemoved() {
            countdown.restart()
        }
    }

    RowLayout {
        id: content

        anchors.centerIn: parent
        spacing: Theme.spacing

        Label {
            objectName: "undoLabel"
            text: root.message
            color: Theme.window
            Accessible.ignored: true  // the toast says it
            Layout.leftMargin: 4
        }

        AppButton {
            id: undoButton

            objectName: "undoButton"
            text: qsTr("Undo")
            toolTip: qsTr("Put the rows back where they were. Ctrl+Z")
            Accessible.name: qsTr("Undo: %1").arg(root.message)
            onClicked: root.removals.undo()
        }

        AppButton {
            id: closeButton

            objectName: "dismissUndoButton"
            text: qsTr("Dismiss")
            iconName: "close"
            iconOnly: true
            toolTip: qsTr("Let them go now")
            Accessible.name: qsTr("Dismiss: %1, for good").arg(root.message)
            onClicked: root.removals.forget()
        }
    }

    Shortcut {
        sequences: [StandardKey.Undo]
        enabled: root.removals.pending
        onActivated: root.removals.undo()
    }
}
