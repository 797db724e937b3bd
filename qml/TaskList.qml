// Every task, oldest first, one line each; the list follows new tasks at its
// end unless you have scrolled up. Click a row to select it: Delete cancels
// the selected task, Ctrl+. cancels them all. Ended tasks stay until removed,
// or until more than the backend's historyLimit have ended; a removal can be
// undone for a few seconds (UndoToast). The chips and the name field above
// the rows (FilterBar) choose which tasks show; Retry failed and Clear
// failed act on the failed tasks shown.
import QtQuick 2.15
import Offthread 1.0
import "style"
import QtQuick.Layouts 1.15
import "."

Card {
    id: root

    required property Backend backend
    property bool hadTasks: false
    // The tasks whose details are open, by id. The view reuses rows (a row
    // that scrolls out, or moves as another is removed, shows another task
    // next): a row's own state would go with it to that task.
    property var openDetails: ({})
    readonly property TaskFilterModel filter: backend.taskFilter
    readonly property int total: filter.total
    readonly property bool filtered: filter.states.length > 0 || filter.text.trim() !== ""

    padding: 12

    // Every state and every name again (the name field follows the filter's text).
    function clearFilter() {
        filter.states = []
        filter.text = ""
    }

    onTotalChanged: {
        if (total > 0)
            hadTasks = true
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            Label {
                objectName: "taskCountLabel"
                text: root.total === 0 ? (root.hadTasks ? qsTr("No tasks in the list: DANGER! starts one")
                                                        : qsTr("No tasks yet: press DANGER!"))
                    : !root.filtered ? (root.total === 1 ? qsTr("1 task") : qsTr("%1 tasks").arg(root.total))
                    // Two lengths (U+009C between them): the text shows the first that fits.
                    : qsTr("%1 of %2 tasks").arg(list.count).arg(root.total) + "\u009c" + qsTr("%1 of %2").arg(list.count).arg(root.total)
                color: root.total > 0 ? Theme.text : Theme.textMuted
                font.bold: root.total > 0
                elide: Text.ElideRight
                Layout.fillWidth: !olderLabel.visible
                Accessible.name: text.split("\u009c")[0]
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

            // For the failed tasks shown (failed or timed out): run each again, once,
            // or take them out of the list (undoable).
            AppButton {
                objectName: "retryFailedButton"
                text: qsTr("Retry failed")
                enabled: root.filter.retryCount > 0
                toolTip: root.filter.retryCount === 1 ? qsTr("Run the failed task shown again, as a new task")
                    : qsTr("Run the %1 failed tasks shown again, as new tasks").arg(root.filter.retryCount)
                Accessible.name: qsTr("Retry the failed tasks shown")
                onClicked: root.backend.retryFailed()
            }

            AppButton {
                objectName: "clearFailedButton"
                text: qsTr("Clear failed")
                enabled: root.filter.failedCount > 0
                toolTip: qsTr("Remove the failed tasks shown from the list (you can undo it)")
                Accessible.name: qsTr("Clear the failed tasks shown from the list")
                onClicked: root.backend.clearFailed()
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
                enabled: root.total > 0
                toolTip: qsTr("Remove every task that has ended from the list, shown or not (you can undo it)")
                Accessible.name: qsTr("Clear finished tasks from the list")
                onClicked: root.backend.clearFinished()
            }
        }

        FilterBar {
            filter: root.filter
            Layout.fillWidth: true
        }

        // The rows, and over them: what to do when the filter shows none, and the undo toast.
        Item {
            Layout.fillWidth: true
            Layout.fillHeight: true

            ListView {
                id: list

                // Follows the end as tasks arrive, until you scroll up.
                property bool following: true
                // A closed row and the spacing under it.
                readonly property int pitch: Theme.rowHeight + spacing

                objectName: "taskList"
                // The tasks that pass the filter (the backend's taskFilter, a proxy of taskModel).
                model: root.filter
                clip: true
                spacing: 2
                currentIndex: -1
                boundsBehavior: Flickable.StopAtBounds
                // Rows for what is in view only, whatever the list holds (100,000 tasks:
                // a few rows), and a row that scrolls out, or that a filter hides,
                // serves the next one instead of a new row being made.
                cacheBuffer: 0
                reuseItems: true
                keyNavigationEnabled: true
                activeFocusOnTab: true
                // Room under the last row while the undo toast shows: the row stays in reach.
                // And whole rows: a list that follows its end shows no row cut in half
                // under the header; what is left of its height stays empty under the last
                // row. This binds the margin to the height, which it does not change (a
                // padding bound to the height it sets was a loop under Qt 5).
                bottomMargin: (toast.visible ? toast.height + 2 * Theme.spacing : 0) + (height + spacing) % pitch
                anchors.fill: parent
                Accessible.role: Accessible.List
                Accessible.name: root.filtered ? qsTr("Tasks shown: %1 of %2").arg(count).arg(root.total) : qsTr("Tasks")

                ScrollBar.vertical: ScrollBar {
                    Accessible.name: qsTr("Scroll the task list")
                }

                onCountChanged: {
                    if (following)
                        Qt.callLater(list.followEnd)
                }

                // A new filter: at once to the end, if following, before rows are made at the top.
                Connections {
                    target: root.filter

                    function onModelReset() {
                        if (list.following) {
                            list.positionViewAtEnd()
                            list.stayAtEnd()
                        }
                    }
                }
                // Deferred, so it asks again when it runs: a scroll the user began
                // in between (a flick as a task arrived) is not cut short.
                function followEnd() {
                    if (following && !moving) {
                        positionViewAtEnd()
                        stayAtEnd()  // Qt 6 leaves the bottom margin out
                    }
                }
                // The view estimates the height of rows it has not made yet, and
                // corrects it as it makes them, or as the window is resized:
                // while following, stay at the end, at once (a deferred call
                // made while the last one runs would be dropped).
                function stayAtEnd() {
                    if (following && !moving && contentHeight + bottomMargin > height)
                        contentY = originY + contentHeight + bottomMargin - height
                }
                onContentHeightChanged: stayAtEnd()
                onHeightChanged: stayAtEnd()
                // At once, and again once the view has laid out the change that came with it (a row removed).
                onBottomMarginChanged: {
                    stayAtEnd()
                    Qt.callLater(list.stayAtEnd)
                }
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
                    // One object for every row, changed in place (see openDetails above).
                    readonly property var openDetails: root.openDetails // qmllint disable unqualified

                    width: ListView.view.width - 10
                    // A row put aside for reuse has no task for a moment: no id, no state.
                    taskId: model.id === undefined ? 0 : model.id
                    taskState: model.state === undefined ? "" : model.state
                    striped: index % 2 === 1
                    selected: ListView.isCurrentItem
                    // A row shows its task's details open or closed as they were left,
                    // whichever row showed that task before; and a task it now shows did
                    // not just end.
                    expanded: row.openDetails[row.taskId] === true
                    onExpandedChanged: {
                        if (row.expanded)
                            row.openDetails[row.taskId] = true
                        else
                            delete row.openDetails[row.taskId]
                    }
                    ListView.onReused: {
                        row.expanded = row.openDetails[row.taskId] === true
                        row.settling = false
                    }
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

            // Tasks there are, but the filter shows none of them.
            Column {
                anchors.centerIn: list
                spacing: Theme.spacing
                visible: list.count === 0 && root.total > 0

                Label {
                    objectName: "noMatchLabel"
                    anchors.horizontalCenter: parent.horizontalCenter
                    text: qsTr("No task here matches the filter")
                    color: Theme.textMuted
                }

                AppButton {
                    objectName: "showAllButton"
                    anchors.horizontalCenter: parent.horizontalCenter
                    text: qsTr("Show all")
                    toolTip: qsTr("Every state, every name")
                    Accessible.name: qsTr("Show every task: clear the filter")
                    onClicked: root.clearFilter()
                }
            }

            UndoToast {
                id: toast

                removals: root.backend.removals
                anchors.bottom: list.bottom
                anchors.horizontalCenter: list.horizontalCenter
                anchors.bottomMargin: Theme.spacing
                width: Math.min(implicitWidth, list.width - 2 * Theme.spacing)
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
