// The GUI thread's lateness over the last 30 s, one bar per quarter second,
// newest on the right. A freeze (a task in gui mode) stands out as a red
// block as wide as it lasted and as tall as the wait it caused, named beside
// it ("GUI thread blocked 5,004 ms"), and stays in sight for half a minute.
// The scale grows with the worst value shown, on a square-root axis so that
// a few ms still show.
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
    // The worst freeze in sight, as the bars it covers ({first, last}), or null.
    readonly property var freeze: root.peak >= root.badMs ? root.runAt(root.values.indexOf(root.peak)) : null

    // Whole ms, grouped as the locale groups them, as the lag label writes them.
    function ms(value) {
        return qsTr("%1 ms").arg(Number(value).toLocaleString(Qt.locale(), "f", 0))
    }

    // The bars next to `index` of the same height: the meter gives every
    // quarter second of a freeze its whole length.
    function runAt(index) {
        var first = index
        var last = index
        while (first > 0 && root.values[first - 1] === root.values[index])
            --first
        while (last < root.values.length - 1 && root.values[last + 1] === root.values[index])
            ++last
        return {first: first, last: last}
    }

    objectName: "lagChart"
    implicitHeight: 64
    Accessible.role: Accessible.Chart
    Accessible.name: root.freeze ? qsTr("GUI thread lateness over the last 30 seconds: blocked %1").arg(root.ms(root.peak))
                                 : qsTr("GUI thread lateness over the last 30 seconds, worst %1").arg(root.ms(root.peak))

    onValuesChanged: canvas.requestPaint()
    onWidthChanged: canvas.requestPaint()
    onHeightChanged: canvas.requestPaint()

    Canvas {
        id: canvas

        // The palette is read when painting: repaint when the theme changes.
        property bool dark: Theme.dark

        anchors.fill: parent
        anchors.bottomMargin: 16
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
                // On whole pixels, and a freeze's bars touch: one block, not
                // a row of separate lags with seams between them.
                var gap = v >= root.badMs && i + 1 < n && values[i + 1] === v ? 0 : 1
                var left = Math.round(i * step)
                ctx.fillRect(left, height - h, Math.max(1, Math.round((i + 1) * step) - gap - left), h)
            }
        }
    }

    // What the block means, in words, beside it (to its right while there is
    // room, else to its left) and over the bars of anything else.
    Label {
        id: blocked

        readonly property real step: canvas.width / Math.max(1, root.values.length)
        readonly property real blockLeft: root.freeze ? root.freeze.first * step : 0
        readonly property real blockRight: root.freeze ? (root.freeze.last + 1) * step : 0

        objectName: "lagFreezeLabel"
        visible: root.freeze !== null
        x: blockRight + Theme.spacingSmall + width <= canvas.width ? blockRight + Theme.spacingSmall
                                                                 : Math.max(0, blockLeft - Theme.spacingSmall - width)
        y: 0
        leftPadding: Theme.spacingSmall
        rightPadding: Theme.spacingSmall
        text: qsTr("GUI thread blocked %1").arg(root.ms(root.peak))
        color: Theme.errorText
        font.pixelSize: Theme.fontSmall
        font.bold: true

        background: Rectangle {
            color: Theme.surface
            radius: Theme.radiusSmall
        }
    }

    Label {
        anchors.left: parent.left
        anchors.bottom: parent.bottom
        text: qsTr("GUI thread lateness, last 30 s")
        color: Theme.textMuted
        font.pixelSize: Theme.fontSmall
    }

    // The window's worst when no freeze is named above (a freeze's label
    // gives the same figure).
    Label {
        objectName: "lagWorstLabel"
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        visible: root.freeze === null
        text: root.peak >= root.warnMs ? qsTr("worst in 30 s: %1").arg(root.ms(root.peak))
                                       : qsTr("smooth: under %1").arg(root.ms(root.warnMs))
        color: root.peak >= root.warnMs ? Theme.errorText : Theme.textMuted
        font.pixelSize: Theme.fontSmall
    }
}
