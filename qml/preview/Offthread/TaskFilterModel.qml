// A stand-in for the task filter (offthread.engine.filtering.TaskFilterModel):
// the same properties, over the stand-in Backend's taskModel. The real one is
// a proxy that copies nothing; this one copies the rows that pass, which is
// plenty for a preview's few tasks. The Backend calls sync() after each change.
import QtQuick 2.15
import "../.." // TaskStates: the states by name, as the app's QML compares them

ListModel {
    id: root

    // The stand-in Backend's taskModel.
    property ListModel source: null
    property var states: []
    property string text: ""
    property var counts: ({ "all": 0 })
    property int total: 0
    property int failedCount: 0
    property int retryCount: 0
    // Ids Retry failed ran again: it runs each once.
    property var _retried: ({})
    // Rows taken out or put back (an undo) show at once.
    property Connections _follow: Connections {
        target: root.source

        function onCountChanged() {
            root.sync()
        }
    }

    function passes(task) {
        var folded = text.trim().toLowerCase()
        return (states.length === 0 || states.indexOf(task.state) >= 0)
            && (folded === "" || task.name.toLowerCase().indexOf(folded) >= 0)
    }
    function isFailed(task) {
        return task.state === TaskStates.failed || task.state === TaskStates.timedOut
    }
    function failedIds() {
        var ids = []
        for (var row = 0; row < count; ++row)
            if (isFailed(get(row)))
                ids.push(get(row).id)
        return ids
    }
    function retryFailed(retry) {
        var ids = failedIds().filter(function (id) { return !_retried[id] })
        for (var i = 0; i < ids.length; ++i) {
            _retried[ids[i]] = true
            retry(ids[i])
        }
        sync()
        return ids.length
    }
    // Bring the rows and the counts up to date with the source.
    function sync() {
        var folded = text.trim().toLowerCase()
        var shown = [], tally = { "all": 0 }
        for (var row = 0; row < source.count; ++row) {
            var task = source.get(row)
            if (folded === "" || task.name.toLowerCase().indexOf(folded) >= 0) {
                tally.all++
                tally[task.state] = (tally[task.state] || 0) + 1
            }
            if (passes(task))
                shown.push(JSON.parse(JSON.stringify(task)))
        }
        counts = tally
        total = source.count
        // In place, row by row (both lists follow the source's order): the
        // rows that stay keep their delegates, as with the real proxy.
        var wanted = {}
        for (var i = 0; i < shown.length; ++i)
            wanted[shown[i].id] = true
        var at = 0
        for (i = 0; i < shown.length; ++i, ++at) {
            while (at < count && !wanted[get(at).id])
                remove(at)
            if (at < count && get(at).id === shown[i].id)
                set(at, shown[i])
            else
                insert(at, shown[i])
        }
        while (count > at)
            remove(at)
        var failed = failedIds()
        failedCount = failed.length
        retryCount = failed.filter(function (id) { return !_retried[id] }).length
    }

    onStatesChanged: if (source) sync()
    onTextChanged: if (source) sync()
}
