// The most recent task (the one that started last), as the tutorial shows
// its one job: how far it got, and how it ended, in words that fit the state.
import QtQuick 2.15
import Offthread 1.0
import "style"
import QtQuick.Layouts 1.15
import "."

Card {
    id: root

    required property Backend backend
    readonly property string taskState: root.backend.state
    readonly property bool failed: taskState === TaskStates.failed
    property bool showDetails: false

    padding: 12

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacingSmall

        RowLayout {
            Layout.fillWidth: true
            // As tall as the Traceback button that a failure brings: the list below stays put.
            Layout.minimumHeight: Theme.controlHeight
            spacing: Theme.spacing

            Label {
                text: qsTr("Latest")
                color: Theme.textMuted
                font.pixelSize: Theme.fontSmall
                font.bold: true
            }

            StateChip {
                objectName: "stateLabel"
                taskState: root.taskState
                visible: root.taskState !== ""
            }

            ProgressBar {
                objectName: "progressBar"
                from: 0
                to: 100
                value: root.backend.progress
                visible: root.taskState !== ""
                Layout.fillWidth: true
                Accessible.name: qsTr("Progress of the latest task")
                Accessible.description: percent.text
                fillColor: Theme.progressFill(root.taskState)
            }

            Label {
                id: percent

                objectName: "percentLabel"
                // "37.5 %", "40 %": the same form as the rows of the task list
                text: qsTr("%1 %").arg(Number(root.backend.progress.toFixed(1)))
                visible: root.taskState !== ""
                color: Theme.textMuted
                font.family: Theme.monoFamily
                font.pixelSize: Theme.fontSmall
            }

            Label {
                text: qsTr("No task yet: press DANGER! (Ctrl+D)")
                visible: root.taskState === ""
                color: Theme.textMuted
                elide: Text.ElideRight
                Layout.fillWidth: true
            }

            AppButton {
                objectName: "errorDetailsButton"
                text: root.showDetails ? qsTr("Hide traceback") : qsTr("Traceback")
                iconName: root.showDetails ? "chevronUp" : "chevronDown"
                flat: true
                visible: root.failed && root.backend.errorDetails !== ""
                Accessible.name: root.showDetails ? qsTr("Hide the latest task's traceback") : qsTr("Show the latest task's traceback")
                onClicked: root.showDetails = !root.showDetails
            }
        }

        // How it went, in one line that fits the state.
        Label {
            objectName: "resultLabel"
            visible: root.taskState !== "" && !root.failed
            text: root.backend.result !== "" ? root.backend.result
                : root.taskState === TaskStates.queued ? qsTr("Waiting for its turn")
                : root.taskState === TaskStates.paused ? qsTr("Paused: it waits at its next check point")
                : root.taskState === TaskStates.cancelled ? qsTr("Cancelled before it finished")
                : root.taskState === TaskStates.timedOut ? qsTr("Stopped: it ran past its timeout")
                : root.taskState === TaskStates.finished ? qsTr("Finished, with nothing to show")
                : qsTr("Working…")
            color: root.backend.result !== "" ? Theme.text : Theme.textMuted
            elide: Text.ElideRight
            maximumLineCount: 1
            Layout.fillWidth: true
        }

        Label {
            objectName: "errorLabel"
            visible: root.failed
            text: root.backend.error
            color: Theme.errorText
            elide: Text.ElideRight
            Layout.fillWidth: true
        }

        TracebackView {
            objectName: "latestDetails"
            textName: "errorDetails"
            text: root.backend.errorDetails
            // The whole traceback: the text shown is shortened for the window.
            copyWhole: function () { root.backend.copyDetails(root.backend.taskId) }
            visible: root.showDetails && root.failed
            Layout.fillWidth: true
            Layout.preferredHeight: 140
        }
    }
}
