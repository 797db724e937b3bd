// The task list's filters: a chip per state with its count ("All 16 ·
// Running 5 · Queued 0 ..."), which shows only the tasks in that state
// (pressed again, all of them), and a field that shows only the tasks whose
// name holds what is typed, in any case. Both act on the backend's
// taskFilter, the list's model. Where the window is narrow, the field goes
// under the chips, and the chips wrap.
import QtQuick 2.15
import Offthread 1.0
import "style"
import QtQuick.Layouts 1.15
import "."

GridLayout {
    id: root

    required property TaskFilterModel filter
    // What the chips need on one line, not compact, beside the field.
    readonly property real chipsWidth: {
        var width = (chipFlow.children.length - 1) * chipFlow.spacing
        for (var i = 0; i < chipFlow.children.length; ++i)
            width += chipFlow.children[i].roomyWidth
        return width
    }
    // Wide: the chips, then the field, on one line. Narrow: compact chips, and the field under them.
    readonly property bool roomy: width >= chipsWidth + columnSpacing + nameField.roomyWidth

    columns: roomy ? 2 : 1
    columnSpacing: Theme.spacingLarge
    rowSpacing: Theme.spacing

    Flow {
        id: chipFlow

        spacing: Theme.spacingSmall
        Layout.fillWidth: true
        Accessible.role: Accessible.Grouping
        Accessible.name: qsTr("Show tasks by state")

        FilterChip {
            objectName: "filterAll"
            filter: root.filter
            compact: !root.roomy
            taskStates: []
            text: qsTr("All")
            toolTip: qsTr("Show every task")
        }

        FilterChip {
            objectName: "filterRunning"
            filter: root.filter
            compact: !root.roomy
            taskStates: [TaskStates.running]
            text: qsTr("Running")
            toolTip: qsTr("Show the tasks running now")
        }

        FilterChip {
            objectName: "filterQueued"
            filter: root.filter
            compact: !root.roomy
            taskStates: [TaskStates.queued]
            text: qsTr("Queued")
            toolTip: qsTr("Show the tasks waiting to start")
        }

        FilterChip {
            objectName: "filterPaused"
            filter: root.filter
            compact: !root.roomy
            taskStates: [TaskStates.paused]
            text: qsTr("Paused")
            toolTip: qsTr("Show the paused tasks")
        }

        FilterChip {
            objectName: "filterFailed"
            filter: root.filter
            compact: !root.roomy
            taskStates: [TaskStates.failed, TaskStates.timedOut]
            text: qsTr("Failed")
            toolTip: qsTr("Show the tasks that failed or timed out")
        }

        FilterChip {
            objectName: "filterDone"
            filter: root.filter
            compact: !root.roomy
            taskStates: [TaskStates.finished]
            text: qsTr("Done")
            toolTip: qsTr("Show the tasks that finished")
        }

        FilterChip {
            objectName: "filterCancelled"
            filter: root.filter
            compact: !root.roomy
            taskStates: [TaskStates.cancelled]
            text: qsTr("Cancelled")
            toolTip: qsTr("Show the cancelled tasks")
        }
    }

    TextField {
        id: nameField

        // Its width beside the chips; under them, it takes the whole line.
        readonly property real roomyWidth: 220

        objectName: "nameFilter"
        placeholderText: qsTr("Filter by name")
        rightPadding: clearButton.visible ? clearButton.width + 6 : 10
        Layout.fillWidth: !root.roomy
        Layout.preferredWidth: roomyWidth
        Layout.maximumWidth: root.roomy ? roomyWidth : Number.POSITIVE_INFINITY
        Layout.alignment: Qt.AlignRight | Qt.AlignTop
        Accessible.name: qsTr("Show only the tasks whose name holds")
        Accessible.description: qsTr("Escape clears it")
        onTextChanged: root.filter.text = text

        Keys.onEscapePressed: function (event) {
            event.accepted = text !== ""
            clear()
        }

        // A text set elsewhere (from Python, say) shows here too.
        Connections {
            target: root.filter

            function onTextChanged() {
                if (nameField.text !== root.filter.text)
                    nameField.text = root.filter.text
            }
        }

        AppButton {
            id: clearButton

            objectName: "clearNameFilterButton"
            anchors.right: parent.right
            anchors.verticalCenter: parent.verticalCenter
            anchors.rightMargin: 2
            height: parent.height - 4
            visible: nameField.text !== ""
            text: qsTr("Clear the name filter")
            iconName: "close"
            iconOnly: true
            flat: true
            focusPolicy: Qt.NoFocus  // Escape in the field does the same
            toolTip: qsTr("Show every name again (Escape)")
            onClicked: nameField.clear()
        }
    }
}
