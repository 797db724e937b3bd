// A task's states, as the task model's `state` role and the backend's
// `state` say them. QML compares states with these, never with the words:
// they are Python's TaskState (offthread.core.states), and a test keeps
// the two the same.
pragma Singleton
import QtQuick 2.15

QtObject {
    readonly property string queued: "queued"
    readonly property string running: "running"
    readonly property string paused: "paused"
    readonly property string finished: "finished"
    readonly property string failed: "failed"
    readonly property string cancelled: "cancelled"
    readonly property string timedOut: "timed out"
}
