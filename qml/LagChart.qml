// The GUI thread's lateness over the last 30 s, one bar per quarter second,
// newest on the right. A freeze (a task in gui mode) stands out as a tall
// red ramp and stays in sight for half a minute. The scale grows with the
// worst value shown, on a square-root axis so that a few ms still show.
import QtQuick 2.15
import Offthread 1.0
import "style"
import "."

Item {
    id: root

    // The backend's lagMeter: `history` in ms, oldest first, newest last.
    required property LagMeter meter
    property int warnMs: 50
    property int badMs: 250
    readonly property var values: root.meter.history
    readonly property int peak: Math.max.apply(Math, root.values.concat([0]))
    readonly property int scaleTop: Math.max(100, root.peak)

    objectName: "lagChart"
    implicitHeight: 64
    Accessible.role: Accessible.Chart
    Accessible.name: qsTr("GUI thread lateness over the last 30 seconds, worst %1 ms").arg(root.peak)

    onValuesChanged: canvas.requestPaint()
    onWidthChanged: canvas.requestPaint()
    onHeightChanged: canvas.requestPaint()

    Canvas {
        id: canvas

        anchors.fill: parent
        anchors.bottomMargin: 16
        // The palette is read when painting: repaint when the theme changes.
        property bool dark: Theme.dark
        onDarkChanged: requestPaint()

        onPaint: {
            var ctx = getContext("2d")
            ctx.reset()
            var values = root.values
            var n = values.length
            if (n === 0 || width <= 0 || height <= 0)
                return
            // Guide lines at one frame's worth of lateness and at the warning level.
            ctx.strokeStyle = Theme.chartGrid
            ctx.lineWidth = 1
            var guides = [16, root.warnMs, root.badMs]
            for (var g = 0; g < guides.length; ++g) {
                if (guides[g] > root.scaleTop)
                    continue
                var gy = Math.round(height - Math.sqrt(guides[g] / root.scaleTop) * height) + 0.5
                ctx.beginPath()
                ctx.moveTo(0, gy)
                ctx.lineTo(width, gy)
                ctx.stroke()
            }
            var step = width / n
            for (var i = 0; i < n; ++i) {
                var v = values[i]
                if (v <= 0)
                    continue
                var h = Math.max(1, Math.sqrt(Math.min(v, root.scaleTop) / root.scaleTop) * height)
                ctx.fillStyle = v >= root.badMs ? Theme.lagBad : v >= root.warnMs ? Theme.lagWarn : Theme.lagOk
                ctx.fillRect(i * step, height - h, Math.max(1, step - 1), h)
            }
        }
    }

    Label {
        anchors.left: parent.left
        anchors.bottom: parent.bottom
        text: qsTr("GUI thread lateness, last 30 s")
        color: Theme.textMuted
        font.pixelSize: Theme.fontSmall
    }

    Label {
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        text: root.peak >= root.warnMs ? qsTr("worst %1 ms").arg(Number(root.peak).toLocaleString(Qt.locale(), "f", 0))
                                       : qsTr("smooth: under %1 ms").arg(root.warnMs)
        color: root.peak >= root.warnMs ? Theme.errorText : Theme.textMuted
        font.pixelSize: Theme.fontSmall
    }
}
