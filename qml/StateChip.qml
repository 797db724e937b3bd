// A task's state as a small pill: an icon and the word, in the state's
// colours. The word alone says it; colour only helps.
import QtQuick 2.15
import "style"
import "."

Rectangle {
    id: root

    property string taskState: ""
    // What tests and tools read: the word the chip shows.
    readonly property string text: taskState

    implicitWidth: content.implicitWidth + 16
    implicitHeight: 22
    radius: height / 2
    color: Theme.stateFill(taskState)
    border.width: 1
    border.color: Theme.stateLine(taskState)
    Accessible.role: Accessible.StaticText
    Accessible.name: taskState

    Row {
        id: content

        anchors.centerIn: parent
        spacing: 4

        Icon {
            objectName: "taskStateIcon"
            name: Theme.stateIcon(root.taskState)
            color: Theme.stateText(root.taskState)
            size: 12
            anchors.verticalCenter: parent.verticalCenter
        }

        Label {
            text: root.taskState
            Accessible.ignored: true  // the chip says it
            color: Theme.stateText(root.taskState)
            font.pixelSize: Theme.fontSmall
            font.bold: true
            anchors.verticalCenter: parent.verticalCenter
        }
    }
}
