// One task in the task list: what it is, how far it got, and its controls.
// Every value comes in as a property, so the row can be previewed with any data.
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15

Frame {
    id: root

    required property QtObject backend
    property int taskId: 0
    property string name: ""
    // Not "state": that name belongs to Item's states.
    property string taskState: ""
    property real progress: 0
    property string progressText: ""
    property string result: ""
    property string error: ""
    property real elapsed: 0
    property bool pauseRequested: false
    property bool done: false
    property string mode: ""
    property bool canPause: true
    property string note: ""
    property color errorColor: "#c62828"

    objectName: "taskRow" + taskId
    padding: 8

    ColumnLayout {
        anchors.fill: parent
        spacing: 4

        RowLayout {
            Layout.fillWidth: true
            spacing: 8

            Label {
                text: qsTr("#%1 %2").arg(root.taskId).arg(root.name)
                font.bold: true
                elide: Text.ElideRight
                Layout.fillWidth: true
            }

            Label {
                objectName: "taskModeLabel"
                text: root.mode
                opacity: 0.7
            }

            Label {
                objectName: "taskStateLabel"
                text: root.taskState
                color: root.taskState === "failed" ? root.errorColor : palette.windowText
                opacity: root.done ? 0.7 : 1
            }

            Label {
                objectName: "taskElapsedLabel"
                text: qsTr("%1 s").arg(root.elapsed.toFixed(1))
                font.family: "monospace"
                horizontalAlignment: Text.AlignRight
                Layout.preferredWidth: 56
            }

            Button {
                objectName: "pauseButton"
                text: root.pauseRequested ? qsTr("Resume") : qsTr("Pause")
                enabled: !root.done && root.canPause
                Layout.preferredWidth: 80
                onClicked: root.pauseRequested ? root.backend.resume(root.taskId) : root.backend.pause(root.taskId)
            }

            Button {
                objectName: "cancelButton"
                text: qsTr("Cancel")
                enabled: !root.done
                onClicked: root.backend.cancel(root.taskId)
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: 8

            ProgressBar {
                objectName: "taskProgressBar"
                from: 0
                to: 100
                value: root.progress
                Layout.fillWidth: true
            }

            Label {
                text: root.progressText
                font.family: "monospace"
            }
        }

        Label {
            objectName: "taskNoteLabel"
            text: root.note
            visible: text !== ""
            font.italic: true
            color: "#e65100"
            elide: Text.ElideRight
            Layout.fillWidth: true
        }

        Label {
            objectName: "taskOutcomeLabel"
            text: root.error !== "" ? root.error : root.result
            visible: text !== ""
            color: root.error !== "" ? root.errorColor : palette.windowText
            elide: Text.ElideRight
            Layout.fillWidth: true
        }
    }
}
