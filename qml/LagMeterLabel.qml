// How late the GUI thread runs, from the backend's lag meter: a few ms while
// it is free; after something blocked it, how long the next tick came late.
import QtQuick 2.15
import QtQuick.Controls 2.15

Label {
    id: root

    // The backend's lagMeter: currentMs, and worstMs over the last 3 s.
    required property QtObject meter
    property int warnMs: 50

    objectName: "lagLabel"
    text: qsTr("lag %1 ms, worst %2 ms").arg(root.meter.currentMs).arg(root.meter.worstMs)
    color: root.meter.worstMs >= root.warnMs ? "#c62828" : palette.windowText
    opacity: root.meter.worstMs >= root.warnMs ? 1 : 0.6
    font.family: "monospace"
    ToolTip.visible: hover.hovered
    ToolTip.delay: 800
    ToolTip.text: qsTr("How late the GUI thread's timer runs: now, and the worst in the last 3 s")

    HoverHandler {
        id: hover
    }
}
