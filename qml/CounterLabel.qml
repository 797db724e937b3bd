// The event-loop indicator: a count that goes up once a second, driven by a
// Timer on the GUI thread. While it ticks, the GUI thread is free; if it
// stops, something is blocking it.
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15

RowLayout {
    id: root

    property int count: 0
    property int interval: 1000

    spacing: 10

    Rectangle {
        id: heartbeat

        implicitWidth: 12
        implicitHeight: 12
        radius: 6
        color: root.count % 2 === 0 ? "#2e7d32" : "#81c784"
    }

    Label {
        objectName: "counterLabel"
        // Read by tests and tools; the text is for people.
        property int count: root.count

        text: qsTr("Counter: %1").arg(root.count)
        font.pixelSize: 22
        font.bold: true
    }

    Label {
        text: qsTr("ticks every second while the GUI thread is free")
        opacity: 0.6
        elide: Text.ElideRight
        Layout.fillWidth: true
    }

    Timer {
        interval: root.interval
        running: true
        repeat: true
        onTriggered: root.count += 1
    }
}
