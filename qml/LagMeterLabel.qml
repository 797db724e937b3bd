// How late the GUI thread runs, from the backend's lag meter: a few ms while
// it is free; after something blocked it, how long the next tick came late.
import QtQuick 2.15
import QtQuick.Controls 2.15
import "."

Label {
    id: root

    // The backend's lagMeter: currentMs, and worstMs over the last 3 s.
    required property QtObject meter
    property int warnMs: 50

    objectName: "lagLabel"
    text: qsTr("lag %1 ms · worst %2 ms").arg(root.meter.currentMs).arg(root.meter.worstMs)
    color: root.meter.worstMs >= root.warnMs ? Theme.errorText : Theme.textMuted
    font.family: Theme.monoFamily
    font.pixelSize: Theme.fontSmall
    ToolTip.visible: hover.hovered
    ToolTip.delay: 700
    ToolTip.text: qsTr("How late the GUI thread's timer runs: now, and the worst in the last 3 s")

    HoverHandler {
        id: hover
    }
}
