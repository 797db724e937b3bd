// How late the GUI thread runs, from the backend's lag meter: a few ms while
// it is free; after something blocked it, how long the next tick came late.
// Each figure names its window ("worst in 3 s"), as the chart's does ("in
// 30 s"), and all are written the same way: "2,180 ms".
import QtQuick 2.15
import Offthread 1.0
import "style"
import "."

Label {
    id: root

    // The backend's lagMeter: currentMs, and worstMs over the last 3 s.
    required property LagMeter meter
    property int warnMs: 50

    // Whole ms, grouped as the locale groups them: "2,180 ms".
    function ms(value) {
        return qsTr("%1 ms").arg(Number(value).toLocaleString(Qt.locale(), "f", 0))
    }

    objectName: "lagLabel"
    // Under the meter's floor (8 ms, less than a frame) lateness reads 0: on time.
    text: root.meter.worstMs === 0 ? qsTr("on time")
        : root.meter.currentMs === 0 ? qsTr("on time now · worst in 3 s: %1").arg(root.ms(root.meter.worstMs))
        : qsTr("lag %1 · worst in 3 s: %2").arg(root.ms(root.meter.currentMs)).arg(root.ms(root.meter.worstMs))
    color: root.meter.worstMs >= root.warnMs ? Theme.errorText : Theme.textMuted
    font.family: Theme.monoFamily
    font.pixelSize: Theme.fontSmall
    HoverHandler {
        id: hover
    }

    ToolTip {
        visible: hover.hovered
        text: qsTr("How late the GUI thread's timer runs: now, and the worst in the last 3 s; under 8 ms is on time")
    }
}
