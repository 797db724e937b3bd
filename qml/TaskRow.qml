// One task in the task list, on one line: what it is, where it runs, its
// state, how long it has run, how far it got, when it will end, and only the
// actions that apply now. An ended row opens in place to show when it started
// and ended, and its error and traceback (or its whole result), to copy. It needs no backend: the task comes in as the task
// model's roles, and the actions go out as signals, so the row can be
// previewed with any data and reused anywhere.
import QtQuick 2.15
import "style"
import QtQuick.Layouts 1.15
import "."

Rectangle {
    id: root

    // The task model's roles, under their own names: a ListView hands these
    // over by itself. Two take other names, which QML keeps for itself: the
    // id is taskId, the state taskState (one of TaskStates).
    required property int taskId
    required property string name
    required property string taskState
    required property real progress
    required property string progressText
    required property string result
    required property string error
    required property string errorDetails
    required property real elapsed
    required property bool pauseRequested
    required property bool done
    required property string mode
    required property bool canPause
    required property string note
    // When will it end (TaskTiming, TaskPeriod): numbers, 0 or -1 for none.
    required property real rate
    required property string rateUnit
    required property real eta
    required property real stalledFor
    required property real pausedFor
    required property real startedAt
    required property real endedAt
    property bool selected: false
    property bool striped: false
    property bool expanded: false
    // How long, in ms, the buttons of a task that has just ended take no click
    // (a click meant for Pause or Cancel, landing just after the end).
    property int settleMs: 500
    property bool settling: false
    // Made: a row made for a task that has ended already does not settle.
    property bool made: false
    readonly property bool hasDetails: errorDetails !== "" || result.length > 60 || (done && (note !== "" || startedAt > 0))
    readonly property string label: qsTr("task %1, %2").arg(taskId).arg(name)

    // Clicked or tapped: the list selects the row.
    signal picked()
    // The actions: what the row asks its owner to do with task taskId.
    signal cancelRequested()
    // Pause (pause true) or Resume (pause false) was pressed.
    signal pauseChangeRequested(bool pause)
    signal retryRequested()
    signal removeRequested()
    // Copy pressed: the owner copies the whole text (the roles hold it shortened).
    signal copyDetailsRequested()

    objectName: "taskRow" + taskId
    implicitHeight: Math.max(Theme.rowHeight, line.implicitHeight + 12) + (details.visible ? details.height + Theme.spacing : 0)
    radius: Theme.radiusSmall
    color: selected ? Theme.selection : striped ? Theme.surfaceAlt : Theme.surface
    Accessible.role: Accessible.ListItem
    Accessible.name: qsTr("Task %1, %2, %3").arg(taskId).arg(name).arg(taskState)

    Component.onCompleted: made = true
    onDoneChanged: {
        if (done && made && settleMs > 0) {
            settling = true
            settle.restart()
        }
    }

    TapHandler {
        onTapped: root.picked()
    }

    RowLayout {
        id: line

        anchors.left: parent.left
        anchors.right: parent.right
        anchors.top: parent.top
        anchors.topMargin: 6
        anchors.leftMargin: Theme.spacing
        anchors.rightMargin: Theme.spacingSmall
        spacing: Theme.spacing

        Label {
            text: qsTr("#%1").arg(root.taskId)
            color: Theme.textMuted
            font.family: Theme.monoFamily
            font.pixelSize: Theme.fontSmall
            Layout.preferredWidth: 30
        }

        Label {
            text: root.name
            color: Theme.text
            font.bold: true
            elide: Text.ElideRight
            Layout.preferredWidth: 96
        }

        Label {
            objectName: "taskModeLabel"
            text: root.mode
            color: Theme.textMuted
            font.pixelSize: Theme.fontSmall
            elide: Text.ElideRight
            visible: root.width > 640
            Layout.preferredWidth: 52
        }

        StateChip {
            objectName: "taskStateLabel"
            taskState: root.taskState
            Layout.preferredWidth: 90
        }

        Label {
            objectName: "taskElapsedLabel"
            text: qsTr("%1 s").arg(root.elapsed.toFixed(1))
            color: Theme.textMuted
            font.family: Theme.monoFamily
            font.pixelSize: Theme.fontSmall
            horizontalAlignment: Text.AlignRight
            Layout.preferredWidth: 48
        }

        ProgressBar {
            objectName: "taskProgressBar"
            from: 0
            to: 100
            value: root.progress
            // In a narrow row, a note's sentence needs the room more.
            visible: root.note === "" || root.width > 700
            Layout.preferredWidth: root.width > 700 ? 120 : 72
            Accessible.name: qsTr("Progress of %1").arg(root.label)
            Accessible.description: root.progressText
            fillColor: Theme.progressFill(root.taskState)
        }

        // The progress in words while it runs, and its latest partial result
        // if it sends them ("9 / 24 · page 19: 32,461 bytes"); how it ended,
        // once it has (or what its mode has to say: "started inside #3's ...").
        Item {
            id: outcomeCell

            implicitHeight: outcome.implicitHeight
            Layout.fillWidth: true
            Layout.minimumWidth: 40

            Label {
                objectName: "taskOutcomeLabel"
                id: outcome

                anchors.left: parent.left
                anchors.right: parent.right
                visible: root.note === ""
                text: !root.done ? (root.result !== "" ? qsTr("%1 · %2").arg(root.progressText).arg(root.result) : root.progressText)
                    : root.error !== "" ? root.error : root.result
                color: root.error !== "" ? Theme.errorText : root.done ? Theme.text : Theme.textMuted
                font.family: root.done ? Theme.fontFamily : Theme.monoFamily
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
                HoverHandler {
                    id: outcomeHover
                }

                ToolTip {
                    visible: outcomeHover.hovered && outcome.truncated
                    text: outcome.text
                }
            }

            // A note is a sentence ("was stuck 5.0 s while #11 ran inside
            // it"): two lines fit in the line's height, so it has room.
            Label {
                objectName: "taskNoteLabel"
                anchors.left: parent.left
                anchors.right: parent.right
                anchors.verticalCenter: parent.verticalCenter
                visible: root.note !== ""
                text: root.note
                color: Theme.noteText
                font.italic: true
                font.pixelSize: Theme.fontSmall
                wrapMode: Text.Wrap
                maximumLineCount: 2
                elide: Text.ElideRight
            }
        }

        TaskTiming {
            id: timing

            taskState: root.taskState
            rate: root.rate
            rateUnit: root.rateUnit
            eta: root.eta
            stalledFor: root.stalledFor
            pausedFor: root.pausedFor
            label: root.label
            // It shares the cell's room with the text before it, which comes first, up to half.
            room: {
                var shared = line.width - outcomeCell.x - actions.width - line.spacing
                return shared - line.spacing - Math.min(outcome.implicitWidth, shared / 2)
            }
        }

        // The actions, in three slots that keep their places: a button that
        // appears when the task ends never lands where a harmless one was a
        // moment before. Running: Pause and Cancel. Ended: Remove where
        // nothing was, Retry where Pause was, Details where Cancel was. And
        // for a moment after the end (settleMs), the new ones take no click:
        // a click meant for Pause or Cancel lands on nothing.
        Row {
            id: actions

            spacing: 2
            Layout.preferredWidth: 3 * Theme.controlHeight + 4

            Item {
                width: Theme.controlHeight
                height: Theme.controlHeight

                AppButton {
                    objectName: "removeButton"
                    anchors.fill: parent
                    visible: root.done
                    enabled: !root.settling
                    text: qsTr("Remove")
                    iconName: "trash"
                    iconOnly: true
                    flat: true
                    toolTip: qsTr("Remove this row (you can undo it)")
                    Accessible.name: qsTr("Remove %1 from the list").arg(root.label)
                    onClicked: root.removeRequested()
                }
            }

            Item {
                width: Theme.controlHeight
                height: Theme.controlHeight

                AppButton {
                    objectName: "pauseButton"
                    anchors.fill: parent
                    visible: !root.done && root.canPause
                    text: root.pauseRequested ? qsTr("Resume") : qsTr("Pause")
                    iconName: root.pauseRequested ? "play" : "pause"
                    iconOnly: true
                    flat: true
                    toolTip: text
                    Accessible.name: qsTr("%1 %2").arg(text).arg(root.label)
                    onClicked: root.pauseChangeRequested(!root.pauseRequested)
                }

                AppButton {
                    objectName: "retryButton"
                    anchors.fill: parent
                    visible: root.done
                    enabled: !root.settling
                    text: qsTr("Retry")
                    iconName: "retry"
                    iconOnly: true
                    flat: true
                    toolTip: qsTr("Run it again, as a new task")
                    Accessible.name: qsTr("Retry %1 as a new task").arg(root.label)
                    onClicked: root.retryRequested()
                }
            }

            Item {
                width: Theme.controlHeight
                height: Theme.controlHeight

                AppButton {
                    objectName: "cancelButton"
                    anchors.fill: parent
                    visible: !root.done
                    text: qsTr("Cancel")
                    iconName: "close"
                    iconOnly: true
                    flat: true
                    toolTip: qsTr("Cancel this task (Delete, on the selected row)")
                    Accessible.name: qsTr("Cancel %1").arg(root.label)
                    onClicked: root.cancelRequested()
                }

                AppButton {
                    objectName: "detailsButton"
                    anchors.fill: parent
                    visible: root.done && root.hasDetails
                    enabled: !root.settling
                    text: root.expanded ? qsTr("Hide details") : qsTr("Details")
                    iconName: root.expanded ? "chevronUp" : "chevronDown"
                    iconOnly: true
                    flat: true
                    toolTip: root.error !== "" ? qsTr("The error and its traceback") : qsTr("All of it")
                    Accessible.name: qsTr("%1 of %2").arg(text).arg(root.label)
                    onClicked: root.expanded = !root.expanded
                }
            }
        }
    }

    // The moment after the task ends in view, while its new buttons take no click.
    Timer {
        id: settle

        interval: root.settleMs
        onTriggered: root.settling = false
    }

    ColumnLayout {
        id: details

        anchors.left: parent.left
        anchors.right: parent.right
        anchors.top: line.bottom
        anchors.margins: Theme.spacing
        visible: root.expanded && root.done
        spacing: Theme.spacingSmall

        TaskPeriod {
            startedAt: root.startedAt
            endedAt: root.endedAt
            label: root.label
            Layout.fillWidth: true
        }

        Label {
            text: root.note
            visible: root.note !== ""
            color: Theme.noteText
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }

        Label {
            objectName: "taskErrorLabel"
            text: root.error
            visible: root.error !== ""
            color: Theme.errorText
            font.bold: true
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }

        TracebackView {
            objectName: "taskDetails"
            textName: "taskDetailsText"
            what: root.errorDetails !== "" ? qsTr("traceback") : qsTr("result")
            text: root.errorDetails !== "" ? root.errorDetails : root.result
            copyWhole: function () { root.copyDetailsRequested() }
            // Not a short result alone: the start and end open the details for every row.
            visible: text !== "" && (root.errorDetails !== "" || root.result.length > 60 || root.note !== "")
            Layout.fillWidth: true
            Layout.preferredHeight: 150
        }
    }
}
