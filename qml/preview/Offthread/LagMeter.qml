// A stand-in for the lag meter: a made-up half minute with one freeze in it,
// so that the chart has something to draw in a preview.
import QtQuick 2.15

QtObject {
    property int currentMs: 0
    property int worstMs: 0
    property bool active: true
    property var history: {
        var values = []
        for (var i = 0; i < 120; ++i)
            values.push(i >= 70 && i < 78 ? (i - 69) * 250 : i % 9 === 0 ? 12 : 0)
        return values
    }
}
