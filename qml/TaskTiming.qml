// When will it end: a running task's rate and the time it has left, once
// they mean something ("12.3 items/s · 0:42 left"); "stalled for 0:15" once
// its progress has not moved for a while; "paused for 0:12" while paused.
// Nothing otherwise: a rate that is not known yet is not guessed. It takes
// the task model's numbers (0 or -1 for none) and makes the words. Given
// little room (`room`), it says less ("0:42 left", "paused 0:12"), the rest
// in its tooltip, and nothing where there is no room for that either.
import QtQuick 2.15
import QtQuick.Layouts 1.15
import "style"
import "."

Label {
    id: root

    required property string taskState
    // Progress per second in rateUnit ("items" or "%"); 0 while unknown.
    required property real rate
    required property string rateUnit
    // Seconds left; -1 while unknown.
    required property real eta
    // Seconds without progress once stalled, else 0; seconds paused, while paused.
    required property real stalledFor
    required property real pausedFor
    // Who it is about, for a screen reader: "task 3, DANGER!".
    property string label: ""
    // The width it may take: all of it shows if that is enough, else the
    // short form, else nothing.
    property real room: fullMetrics.advanceWidth
    readonly property bool stalled: taskState === TaskStates.running && stalledFor > 0
    readonly property bool paused: taskState === TaskStates.paused
    readonly property bool known: taskState === TaskStates.running && rate > 0
    // All of it, and the short form for a narrow row.
    readonly property string full: paused ? qsTr("paused for %1").arg(clock(pausedFor))
        : stalled ? qsTr("stalled for %1").arg(clock(stalledFor))
        : !known ? ""
        : eta >= 0 ? qsTr("%1 · %2 left").arg(rateText()).arg(clock(eta))
        : rateText()
    readonly property string brief: paused ? qsTr("paused %1").arg(clock(pausedFor))
        : stalled ? qsTr("stalled %1").arg(clock(stalledFor))
        : known && eta >= 0 ? qsTr("%1 left").arg(clock(eta))
        : full

    // A span of seconds as a clock shows it: "0:42", "12:05", "1:02:03".
    function clock(seconds) {
        var whole = Math.max(0, Math.round(seconds))
        var hours = Math.floor(whole / 3600)
        var minutes = Math.floor(whole / 60) % 60
        var rest = whole % 60
        var tail = (rest < 10 ? ":0" : ":") + rest
        if (hours === 0)
            return minutes + tail
        return hours + (minutes < 10 ? ":0" : ":") + minutes + tail
    }

    // Three figures, grouped as the locale groups them: "12.3", "0.512", "1,230".
    function figures(value) {
        var decimals = Math.min(3, Math.max(0, 2 - Math.floor(Math.log(value) / Math.LN10)))
        return Number(value).toLocaleString(Qt.locale(), "f", decimals)
    }

    function rateText() {
        return rateUnit === "%" ? qsTr("%1 %/s").arg(figures(rate)) : qsTr("%1 %2/s").arg(figures(rate)).arg(rateUnit)
    }

    objectName: "taskTimingLabel"
    text: room >= fullMetrics.advanceWidth ? full : room >= briefMetrics.advanceWidth ? brief : ""
    visible: text !== ""
    color: stalled ? Theme.noteText : Theme.textMuted
    font.family: Theme.monoFamily
    font.pixelSize: Theme.fontSmall
    horizontalAlignment: Text.AlignRight
    // In a layout: as wide as its text, and never in the way (an item that
    // fills may shrink; one that does not keeps its preferred width).
    Layout.fillWidth: true
    Layout.minimumWidth: 0
    Layout.preferredWidth: Math.ceil(implicitWidth)
    Layout.maximumWidth: Math.ceil(implicitWidth)
    Accessible.role: Accessible.StaticText
    Accessible.name: label === "" ? full : qsTr("%1: %2").arg(label).arg(full)

    TextMetrics {
        id: fullMetrics

        font: root.font
        text: root.full
    }

    TextMetrics {
        id: briefMetrics

        font: root.font
        text: root.brief
    }

    HoverHandler {
        id: hover
    }

    ToolTip {
        visible: hover.hovered && root.text !== root.full
        text: root.full
    }
}
