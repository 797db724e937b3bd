// When a task started and ended, by the clock on the wall: "Started
// 14:03:12, ended 14:03:40". A day other than today shows its date too.
// It takes the task model's numbers (milliseconds since the epoch, 0 for
// not yet) and makes the words.
import QtQuick 2.15
import "style"
import "."

Label {
    id: root

    required property real startedAt
    required property real endedAt
    // Who it is about, for a screen reader: "task 3, DANGER!".
    property string label: ""

    // A time of day; with its date if that is not today.
    function when(ms) {
        var moment = new Date(ms)
        var today = new Date().toDateString() === moment.toDateString()
        return Qt.formatDateTime(moment, today ? "hh:mm:ss" : "yyyy-MM-dd hh:mm:ss")
    }

    objectName: "taskPeriodLabel"
    text: startedAt <= 0 ? ""
        : endedAt <= 0 ? qsTr("Started %1").arg(when(startedAt))
        : qsTr("Started %1, ended %2").arg(when(startedAt)).arg(when(endedAt))
    visible: text !== ""
    color: Theme.textMuted
    font.pixelSize: Theme.fontSmall
    Accessible.role: Accessible.StaticText
    Accessible.name: label === "" ? text : qsTr("%1: %2").arg(label).arg(text)
}
