// Progress of the most recent task, with its percent and state.
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15

ColumnLayout {
    id: root

    required property QtObject backend

    spacing: 4

    RowLayout {
        Layout.fillWidth: true

        Label {
            text: qsTr("Progress")
            font.bold: true
            Layout.preferredWidth: 72
        }

        Label {
            objectName: "stateLabel"
            text: root.backend.state === "" ? qsTr("no task yet") : root.backend.state
            opacity: 0.7
            Layout.fillWidth: true
        }

        Label {
            objectName: "percentLabel"
            // "37.5 %", "40 %": the same form as the rows of the task list
            text: qsTr("%1 %").arg(Number(root.backend.progress.toFixed(1)))
            font.family: "monospace"
        }
    }

    ProgressBar {
        objectName: "progressBar"
        from: 0
        to: 100
        value: root.backend.progress
        Layout.fillWidth: true
    }
}
