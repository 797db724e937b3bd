// Every task, oldest first, one line each; the list follows new tasks at its
// end unless you have scrolled up. Click a row to select it: Delete cancels
// the selected task, Ctrl+. cancels them all. Ended tasks stay until removed,
// or until more than the backend's historyLimit have ended.
import QtQuick 2.15
import Offthread 1.0
import "style"
import QtQuick.Layouts 1.15
import "."

Card {
    id: root

    required property Backend backend
    property bool hadTasks: false

    padding: 12

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            Label {
                objectName: "taskCountLabel"
                text: list.count === 1 ? qsTr("1 task")
                    : list.count > 1 ? qsTr("%1 tasks").arg(list.count)
                    : root.hadTasks ? qsTr("No tasks in the list: DANGER! starts one")
                    : qsTr("No tasks yet: press DANGER!")
                color: list.count > 0 ? Theme.text : Theme.textMuted
                font.bold: list.count > 0
                elide: Text.ElideRight
                Layout.fillWidth: !olderLabel.visible
            }

            // Ended tasks beyond the backend's historyLimit (--history) leave
            // the list, oldest first; this says how many since "Clear finished".
            Label {
                id: olderLabel

                objectName: "olderRemovedLabel"
                visible: root.backend.olderRemoved > 0
                text: root.backend.olderRemoved === 1 ? qsTr("· 1 older task removed")
                    : qsTr("· %1 older tasks removed").arg(root.backend.olderRemoved.toLocaleString(Qt.locale(), "f", 0))
                color: Theme.textMuted
                elide: Text.ElideRight
                Layout.fillWidth: true
                Accessible.name: qsTr("%1; the list keeps the last %2 ended tasks").arg(text.slice(2))
                    .arg(root.backend.historyLimit.toLocaleString(Qt.locale(), "f", 0))
            }

            AppButton {
                objectName: "cancelAllButton"
                text: qsTr("Cancel all")
                enabled: root.backend.busy
                toolTip: qsTr("Cancel every task that has not ended. Ctrl+.")
                Accessible.name: qsTr("Cancel all tasks")
                onClicked: root.backend.cancelAll()
            }

            AppButton {
                objectName: "clearFinishedButton"
                text: qsTr("Clear finished")
                enabled: list.count > 0
                toolTip: qsTr("Remove every task that has ended from the list")
                Accessible.name: qsTr("Clear finished tasks from the list")
                onClicked: root.backend.clearFinished()
            }
        }

        ListView {
            id: list

            // Follows the end as tasks arrive, until you scroll up.
            property bool following: true

            objectName: "taskList"
            model: root.backend.taskModel
            clip: true
            spacing: 2
            currentIndex: -1
            boundsBehavior: Flickable.StopAtBounds
            keyNavigationEnabled: true
            activeFocusOnTab: true
            Layout.fillWidth: true
            Layout.fillHeight: true
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Tasks")

            ScrollBar.vertical: ScrollBar {
                Accessible.name: qsTr("Scroll the task list")
            }

            onCountChanged: {
                if (count > 0)
                    root.hadTasks = true
                if (following)
                    Qt.callLater(list.followEnd)
            }
            // Deferred, so it asks again when it runs: a scroll the user began
            // in between (a flick as a task arrived) is not cut short.
            function followEnd() {
                if (following && !moving)
                    positionViewAtEnd()
            }
            // The view estimates the height of rows it has not made yet, and
            // corrects it as it makes them, or as the window is resized:
            // while following, stay at the end, at once (a deferred call
            // made while the last one runs would be dropped).
            function stayAtEnd() {
                if (following && !moving && contentHeight > height)
                    contentY = originY + contentHeight - height
            }
            onContentHeightChanged: stayAtEnd()
            onHeightChanged: stayAtEnd()
            onMovementEnded: following = atYEnd

            delegate: TaskRow {
                id: row

                // The roles arrive in TaskRow's required properties of the
                // same names; id and state, names QML keeps for itself,
                // through the row's model.
                required property var model
                required property int index
                // An id from outside a delegate, which Qt 6 would have bound with
                // "pragma ComponentBehavior: Bound"; Qt 5 cannot read that pragma.
                readonly property Backend backend: root.backend // qmllint disable unqualified

                width: ListView.view.width - 10
                taskId: model.id
                taskState: model.state
                striped: index % 2 === 1
                selected: ListView.isCurrentItem
                onPicked: {
                    ListView.view.currentIndex = index
                    ListView.view.forceActiveFocus()
                }
                onCancelRequested: row.backend.cancel(row.taskId)
                onPauseChangeRequested: function (pause) {
                    if (pause)
                        row.backend.pause(row.taskId)
                    else
                        row.backend.resume(row.taskId)
                }
                onRetryRequested: row.backend.retry(row.taskId)
                onRemoveRequested: row.backend.remove(row.taskId)
                onCopyDetailsRequested: row.backend.copyDetails(row.taskId)
            }
        }
    }

    Shortcut {
        // The selected row (a TaskRow, or null).
        property var row: list.currentItem

        sequences: [StandardKey.Delete]
        enabled: row !== null && !row.done
        onActivated: root.backend.cancel(row.taskId)
    }

    Shortcut {
        sequence: "Ctrl+."
        onActivated: root.backend.cancelAll()
    }
}
