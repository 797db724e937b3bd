// A stand-in for the Python Backend, under the same type name in a module of
// the same name (module Offthread): the same properties, signals and slots
// (tests/test_preview.py keeps them in step with offthread.app.Backend), with
// tasks simulated by a timer. qml/Preview.qml runs the real UI on it, so
// qmlscene, pyside6-qml or Qt Design Studio open the UI with no Python at all.
import QtQuick 2.15
import "../.." // TaskStates: the states by name, as the app's QML compares them

QtObject {
    id: root

    // -- what the real Backend offers ----------------------------------------

    property int taskId: 0
    property real progress: 0
    property string state: ""
    property string result: ""
    property string error: ""
    property string errorDetails: ""
    property bool busy: false
    property int activeCount: 0
    property int pausedCount: 0
    property int queuedCount: 0
    property real overallProgress: 0
    property int maxThreadCount: 2
    property int processCount: 2
    readonly property int historyLimit: 1000
    property int olderRemoved: 0
    property string mode: "thread"
    property var modes: ["gui", "events", "thread", "process", "asyncio"]
    readonly property string modeDescription: _descriptions[mode] || ""
    property ListModel taskModel: ListModel {}
    property TaskFilterModel taskFilter: TaskFilterModel { source: root.taskModel }
    property Removals removals: Removals { model: root.taskModel }
    // The real one measures the GUI thread; a preview has nothing to measure.
    property LagMeter lagMeter: LagMeter {}

    function danger() { _add("DANGER!", false, "Done.") }
    function fail() { _add("failing job", true, "") }
    function cpu() { _add("CPU job", false, "56,543 primes below 700,000") }
    function fetch() { _add("I/O job", false, mode === "asyncio" ? "24 pages in 1.2 s" : "24 pages in 18.0 s") }
    function cancel(id) { _end(_row(id), TaskStates.cancelled) }
    function retry(id) {
        var row = _row(id)
        if (row >= 0 && taskModel.get(row).done) {
            var task = taskModel.get(row)
            _add(task.name, task.fails, task.answer)
        }
    }
    function remove(id) {
        removals.take([id], "remove")
        _publish()
    }
    function copyDetails(id) {
        var row = _row(id)
        if (row < 0)
            return
        var task = taskModel.get(row)
        _clipboard.text = task.errorDetails !== "" ? task.errorDetails : task.result
        _clipboard.selectAll()
        _clipboard.copy()
    }
    function pause(id) { _set(_row(id), "pauseRequested", true) }
    function resume(id) { _set(_row(id), "pauseRequested", false) }
    function cancelAll() {
        for (var row = 0; row < taskModel.count; ++row)
            _end(row, TaskStates.cancelled)
    }
    // Runs a stand-in task: five one-second steps, then the sample result named in
    // _samples (edit it to preview your own page), or a line of text.
    function run(name, args, options) {
        options = options || {}
        var label = options.name || name
        var id = _nextId
        _add(label, false, label + ": done")
        _taskObjects[id] = _taskObject.createObject(root, { "taskId": id, "name": label, "_backend": root })
        _sampleOf[id] = _samples[name] !== undefined ? _samples[name] : label + ": done"
        _publish()
        return _taskObjects[id]
    }
    function clearFinished() {
        olderRemoved = 0
        removals.take(null, "clearFinished")
        _publish()
    }
    function clearFailed() {
        var cleared = removals.take(taskFilter.failedIds(), "clearFailed")
        _publish()
        return cleared
    }
    function retryFailed() {
        return taskFilter.retryFailed(retry)
    }

    // -- the simulation: five one-second steps, like the real DANGER! job ------

    // Every mode is simulated alike: a preview has no GUI thread to freeze.
    property var _descriptions: ({
        "gui": "The GUI thread itself: the window freezes until the task ends (what not to do)",
        "events": "The GUI thread, calling processEvents() at check points: live, but a click runs inside the task",
        "thread": "A thread pool: the GUI stays live (pure-Python CPU work still shares the GIL with it)",
        "process": "Worker processes: CPU-bound Python runs without stalling the GUI",
        "asyncio": "An asyncio event loop on a thread of its own: for async def tasks, thousands can wait at once"
    })
    property var _samples: ({})
    property real _speed: 1  // a test's stand-in runs faster
    property var _taskObjects: ({})
    property var _sampleOf: ({})
    property Component _taskObject: Component { TaskObject {} }
    property int _nextId: 1
    property int _currentId: 0
    property Timer _clock: Timer {
        interval: 100
        repeat: true
        running: root.busy
        onTriggered: root._step(interval / 1000 * root._speed)
    }

    function _add(name, fails, answer) {
        taskModel.append({
            "id": _nextId++, "name": name, "state": TaskStates.queued, "progress": 0, "progressText": "",
            "result": "", "error": "", "errorDetails": "", "elapsed": 0,
            "pauseRequested": false, "done": false, "mode": mode, "canPause": mode !== "gui",
            "note": "", "fails": fails, "answer": answer,
            "rate": 0, "rateUnit": "%", "eta": -1, "stalledFor": 0, "pausedFor": 0, "startedAt": 0, "endedAt": 0
        })
        _schedule()
    }

    // The stand-in's texts are short: Copy copies them from here, as a text field would.
    property TextEdit _clipboard: TextEdit { visible: false }

    function _row(id) {
        for (var row = 0; row < taskModel.count; ++row)
            if (taskModel.get(row).id === id)
                return row
        return -1
    }

    function _set(row, role, value) {
        if (row >= 0 && !taskModel.get(row).done)
            taskModel.setProperty(row, role, value)
        _publish()
    }

    function _end(row, state) {
        if (row < 0 || taskModel.get(row).done)
            return
        taskModel.setProperty(row, "state", state)
        taskModel.setProperty(row, "done", true)
        taskModel.setProperty(row, "rate", 0)
        taskModel.setProperty(row, "eta", -1)
        taskModel.setProperty(row, "pausedFor", 0)
        taskModel.setProperty(row, "endedAt", Date.now())
        if (state === TaskStates.finished) {
            taskModel.setProperty(row, "progress", 100)
            taskModel.setProperty(row, "progressText", "100 %")
            taskModel.setProperty(row, "result", taskModel.get(row).answer)
        }
        _schedule()
    }

    // Start queued tasks while threads are free, and count what runs.
    function _schedule() {
        var active = 0
        for (var row = 0; row < taskModel.count; ++row) {
            var task = taskModel.get(row)
            if (task.state === TaskStates.queued && active < maxThreadCount) {
                taskModel.setProperty(row, "state", TaskStates.running)
                taskModel.setProperty(row, "startedAt", Date.now())
                _currentId = task.id
            }
            if (taskModel.get(row).state === TaskStates.running || taskModel.get(row).state === TaskStates.paused)
                active++
        }
        _publish()
    }

    function _step(seconds) {
        for (var row = 0; row < taskModel.count; ++row) {
            var task = taskModel.get(row)
            if (task.done || task.state === TaskStates.queued)
                continue
            taskModel.setProperty(row, "state", task.pauseRequested ? TaskStates.paused : TaskStates.running)
            taskModel.setProperty(row, "pausedFor", task.pauseRequested ? task.pausedFor + seconds : 0)
            if (task.pauseRequested)
                continue
            taskModel.setProperty(row, "elapsed", Math.round((task.elapsed + seconds) * 10) / 10)
            var percent = Math.min(100, task.progress + seconds * 20)
            // 20 % a second, shown after a second of running, as the real estimate does.
            taskModel.setProperty(row, "rate", task.elapsed >= 1 ? 20 : 0)
            taskModel.setProperty(row, "eta", task.elapsed >= 1 ? Math.ceil((100 - percent) / 20) : -1)
            taskModel.setProperty(row, "progress", percent)
            taskModel.setProperty(row, "progressText", Math.round(percent) + " %")
            if (task.fails && percent >= 40) {
                taskModel.setProperty(row, "error", "DemoFailure: step 2 of 5 failed on purpose")
                taskModel.setProperty(row, "errorDetails",
                    "Traceback (most recent call last):\n  (simulated by qml/preview/Offthread/Backend.qml)\nDemoFailure: step 2 of 5 failed on purpose\n")
                _end(row, TaskStates.failed)
            } else if (percent >= 100) {
                _end(row, TaskStates.finished)
            }
        }
        _publish()
    }

    // The top-level properties follow the task that started last, as in Backend.
    function _publish() {
        var active = 0, paused = 0, queued = 0, open = 0, percents = 0
        for (var row = 0; row < taskModel.count; ++row) {
            var task = taskModel.get(row)
            if (!task.done) {
                open++
                percents += task.progress
            }
            if (task.state === TaskStates.queued) queued++
            else if (task.state === TaskStates.paused) paused++
            else if (!task.done) active++
            if (_taskObjects[task.id])
                _taskObjects[task.id]._follow(task, _sampleOf[task.id])
            if (task.id === _currentId) {
                taskId = task.id
                progress = task.progress
                state = task.state
                result = task.result
                error = task.error
                errorDetails = task.errorDetails
            }
        }
        activeCount = active
        pausedCount = paused
        queuedCount = queued
        busy = active + paused + queued > 0
        // Simpler than the real one's (it counts the tasks ended since idle too): the open tasks' mean.
        overallProgress = open > 0 ? percents / open : 0
        taskFilter.sync()
    }

    onMaxThreadCountChanged: _schedule()
}
