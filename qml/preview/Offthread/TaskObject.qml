// A stand-in for what tasks.run() returns (offthread.engine.taskobject.TaskObject):
// the same properties and methods, fed by the stand-in Backend's simulation.
import QtQuick 2.15
import "../.." // TaskStates: the states by name, as the app's QML compares them

QtObject {
    id: task

    property int taskId: 0
    property string name: ""
    property string state: TaskStates.queued
    property real progress: 0
    property string progressText: ""
    property var partial: null
    property var result: null
    property var error: null
    property bool done: false
    property real elapsed: 0

    function then(onResult, onError, onCancelled) {
        _callbacks.push([onResult, onError, onCancelled])
        if (done)
            Qt.callLater(_callBack)
        return task
    }
    function cancel() { _backend.cancel(taskId) }
    function pause() { _backend.pause(taskId) }
    function resume() { _backend.resume(taskId) }

    property var _backend: null
    property var _callbacks: []

    // The stand-in Backend calls this with the task's row as it changes.
    function _follow(row, value) {
        state = row.state
        progress = row.progress
        progressText = row.progressText
        elapsed = row.elapsed
        if (row.done && !done) {
            if (row.state === TaskStates.finished)
                result = value
            else if (row.state === TaskStates.failed)
                error = { "type": "DemoFailure", "message": row.error, "traceback": row.errorDetails, "summary": row.error }
            done = true
            Qt.callLater(_callBack)
        }
    }

    function _callBack() {
        var callbacks = _callbacks
        _callbacks = []
        for (var i = 0; i < callbacks.length; ++i) {
            var callback = state === TaskStates.finished ? callbacks[i][0] : (state === TaskStates.failed ? callbacks[i][1] : callbacks[i][2])
            if (typeof callback === "function")
                callback(state === TaskStates.finished ? result : (state === TaskStates.failed ? error : state))
        }
    }
}
