// Every task, oldest first, each with its own Cancel and Pause buttons.
// Ended tasks stay until "Clear finished".
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15

GroupBox {
    id: root

    required property QtObject backend

    title: qsTr("Tasks")

    ColumnLayout {
        anchors.fill: parent
        spacing: 8

        RowLayout {
            Layout.fillWidth: true

            Label {
                objectName: "taskCountLabel"
                text: list.count === 0 ? qsTr("No tasks yet: press DANGER!")
                    : list.count === 1 ? qsTr("1 task") : qsTr("%1 tasks").arg(list.count)
                opacity: 0.7
                Layout.fillWidth: true
            }

            Button {
                objectName: "cancelAllButton"
                text: qsTr("Cancel all")
                enabled: root.backend.busy
                onClicked: root.backend.cancelAll()
            }

            Button {
                objectName: "clearFinishedButton"
                text: qsTr("Clear finished")
                enabled: list.count > 0
                onClicked: root.backend.clearFinished()
            }
        }

        ListView {
            id: list

            objectName: "taskList"
            model: root.backend.taskModel
            clip: true
            spacing: 6
            boundsBehavior: Flickable.StopAtBounds
            Layout.fillWidth: true
            Layout.fillHeight: true

            ScrollBar.vertical: ScrollBar {}

            delegate: TaskRow {
                // TaskRow has a required property, so the view hands over the
                // row's roles only through a required "model" property.
                required property var model

                width: ListView.view.width - 12
                backend: root.backend
                taskId: model.id
                name: model.name
                taskState: model.state
                progress: model.progress
                progressText: model.progressText
                result: model.result
                error: model.error
                elapsed: model.elapsed
                pauseRequested: model.pauseRequested
                done: model.done
                mode: model.mode
                canPause: model.canPause
                note: model.note
            }
        }
    }
}
