// Shown over the app's window while its QML has errors (live reload). It lives
// in backend/, not in qml/, so that no mistake in qml/ can break it.
import QtQuick 2.15

Rectangle {
    id: root
    property var messages: []
    objectName: "errorOverlay"
    anchors.fill: parent
    z: 1000000
    color: "#f01e1e1e"

    MouseArea { anchors.fill: parent }  // the UI under it is stale: keep clicks off it

    Column {
        anchors.fill: parent
        anchors.margins: 24
        spacing: 12

        Text {
            text: "The QML has errors. Fix them and save: the UI reloads."
            color: "white"
            font.pixelSize: 18
            font.bold: true
        }

        Text {
            objectName: "errorOverlayText"
            width: parent.width
            text: root.messages.join("\n")
            color: "#ff8a80"
            font.family: "monospace"
            font.pixelSize: 13
            wrapMode: Text.Wrap
        }
    }
}
