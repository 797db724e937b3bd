// A stand-in for the last removal from the task list (offthread.engine.removals.Removals):
// the same properties, slots and signals. The stand-in Backend hands it the
// rows it takes (take()), each with its place, to put back on undo().
import QtQuick 2.15

QtObject {
    id: root

    property bool pending: false
    property var ids: []
    // "remove", "clearFinished" or "clearFailed": what took the rows.
    property string kind: ""
    // The stand-in's taskModel, where undo() puts the rows back.
    property ListModel model: null
    // The rows taken: {row, task}, in list order.
    property var _taken: []

    signal removed()

    // Take the ended rows whose ids are in `wanted` (null: every ended row), as `how`.
    function take(wanted, how) {
        var taken = []
        for (var row = 0; row < model.count; ++row) {
            var task = model.get(row)
            if (task.done && (wanted === null || wanted.indexOf(task.id) >= 0))
                taken.push({ "row": row, "task": JSON.parse(JSON.stringify(task)) })
        }
        for (var i = taken.length - 1; i >= 0; --i)
            model.remove(taken[i].row)
        if (taken.length === 0)
            return 0
        _taken = taken
        ids = taken.map(function (t) { return t.task.id })
        kind = how
        pending = true
        removed()
        return taken.length
    }
    function undo() {
        var taken = _taken
        for (var i = 0; i < taken.length; ++i)
            model.insert(taken[i].row, taken[i].task)
        forget()
        return taken.length
    }
    function forget() {
        _taken = []
        ids = []
        kind = ""
        pending = false
    }
}
