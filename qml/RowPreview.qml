// TaskRow on its own, a row in each state, with no backend and no module:
// the row takes its task as properties and asks for actions through its
// signals, so any data previews it. The last action asked shows on top.
//   pyside6-qml qml/RowPreview.qml        (Qt 6)
//   qmlscene qml/RowPreview.qml           (Qt 5)
// Edit the rows below to preview your own; --theme is the `theme` property.
import QtQuick 2.15
import "style"
import "."

ApplicationWindow {
    id: root

    // "light", "dark" or "system", as the app's --theme.
    property string theme: "system"
    // The last signal a row sent, and from which task: "cancelRequested 2".
    property string asked: ""

    width: 880
    height: 480
    visible: true
    title: qsTr("TaskRow preview")

    Binding {
        target: Theme
        property: "mode"
        value: root.theme
    }

    ListModel {
        id: tasks

        function add(id, name, state, progress, text, more) {
            var started = state === TaskStates.queued ? 0 : Date.now() - id * 1300
            var task = {
                "id": id, "name": name, "state": state, "progress": progress, "progressText": text,
                "result": "", "error": "", "errorDetails": "", "elapsed": state === TaskStates.queued ? 0 : id * 1.3,
                "pauseRequested": state === TaskStates.paused, "mode": "thread", "canPause": true, "note": "",
                "done": state !== TaskStates.queued && state !== TaskStates.running && state !== TaskStates.paused,
                "rate": 0, "rateUnit": "%", "eta": -1, "stalledFor": 0, "pausedFor": 0, "startedAt": started, "endedAt": 0
            }
            if (task.done)
                task.endedAt = Date.now()
            for (var key in more)
                task[key] = more[key]
            append(task)
        }

        Component.onCompleted: {
            add(1, "DANGER!", TaskStates.queued, 0, "", {})
            add(2, "DANGER!", TaskStates.running, 40, "40 %", { "rate": 20, "eta": 3 })
            add(3, "I/O job", TaskStates.paused, 37.5, "9 / 24", { "result": "page 19: 32,461 bytes in 0.9 s", "pausedFor": 12 })
            add(4, "CPU job", TaskStates.finished, 100, "100 %", { "result": "56,543 primes below 700,000", "mode": "process" })
            add(5, "failing job", TaskStates.failed, 40, "40 %", {
                "error": "DemoFailure: step 2 of 5 failed on purpose",
                "errorDetails": "Traceback (most recent call last):\n  (a preview)\nDemoFailure: step 2 of 5 failed on purpose\n"
            })
            add(6, "DANGER!", TaskStates.cancelled, 60, "60 %", { "mode": "gui", "canPause": false })
            add(7, "DANGER!", TaskStates.timedOut, 80, "80 %", { "note": "started inside #6's processEvents()", "mode": "events" })
            add(8, "resize", TaskStates.running, 30, "resizing: 300 / 1,000", { "rate": 12.3, "rateUnit": "items", "eta": 57 })
            add(9, "upload", TaskStates.running, 64, "64 %", { "stalledFor": 15 })
        }
    }

    Column {
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: 2

        Label {
            text: root.asked === "" ? qsTr("Press a row's actions: the signal it sends shows here")
                                    : qsTr("The row asked: %1").arg(root.asked)
            color: Theme.textMuted
            height: Theme.controlHeight
        }

        Repeater {
            model: tasks

            TaskRow {
                id: row

                // The roles arrive by name; id and state through model, as in TaskList.qml.
                required property var model
                required property int index
                // An id from outside a delegate, which Qt 6 would have bound with
                // "pragma ComponentBehavior: Bound"; Qt 5 cannot read that pragma.
                readonly property RowPreview preview: root // qmllint disable unqualified

                width: parent.width
                taskId: model.id
                taskState: model.state
                striped: index % 2 === 1
                onPicked: row.preview.asked = "picked " + row.taskId
                onCancelRequested: row.preview.asked = "cancelRequested " + row.taskId
                onPauseChangeRequested: function (pause) { row.preview.asked = "pauseChangeRequested(" + pause + ") " + row.taskId }
                onRetryRequested: row.preview.asked = "retryRequested " + row.taskId
                onRemoveRequested: row.preview.asked = "removeRequested " + row.taskId
                onCopyDetailsRequested: row.preview.asked = "copyDetailsRequested " + row.taskId
            }
        }
    }
}
