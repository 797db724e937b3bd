// The event-loop indicator: a count that goes up once a second, driven by a
// Timer on the GUI thread. While it ticks, the GUI thread is free; if it
// stops, something is blocking it.
import QtQuick 2.15
import "style"
import QtQuick.Layouts 1.15
import "."

RowLayout {
    id: root

    property int count: 0
    property int interval: 1000
    property bool running: true

    objectName: "counter"

    spacing: 10

    // The heartbeat: decoration only, so assistive tools skip it.
    Rectangle {
        implicitWidth: 12
        implicitHeight: 12
        radius: 6
        color: root.count % 2 === 0 ? Theme.alive : Theme.aliveDim
        Accessible.ignored: true
    }

    Label {
        id: label

        objectName: "counterLabel"
        // Read by tests and tools; the text is for people.
        property int count: root.count

        text: qsTr("Counter: %1").arg(root.count)
        color: Theme.text
        font.pixelSize: Theme.fontLarge
        font.bold: true
        // Room for four digits (well over two hours) from the start: what
        // stands beside it does not move each time the count gains one.
        Layout.minimumWidth: fourDigits.advanceWidth
        Accessible.name: qsTr("Counter, %1 seconds: it ticks while the GUI thread is free").arg(root.count)

        TextMetrics {
            id: fourDigits

            font: label.font
            text: label.text.replace(/[0-9]+/, "0000")
        }
    }

    Timer {
        interval: root.interval
        running: root.running
        repeat: true
        onTriggered: root.count += 1
    }
}
