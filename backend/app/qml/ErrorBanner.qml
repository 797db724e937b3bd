// Shown at the top of the app's window in live mode while the QML reports
// errors at run time (a binding that reads an undefined name, a null object,
// a binding loop), one `file:line:column: message` a line, first one first.
// It lives in backend/, not in qml/, so that no mistake in qml/ can break it.
import QtQuick 2.15

Rectangle {
    id: root

    property var messages: []

    objectName: "errorBanner"
    // Made before it is put in the window: no binding may read a null parent.
    width: parent ? parent.width : 0
    height: Math.min(column.implicitHeight + 24, parent ? parent.height / 2 : 0)
    z: 1000000
    color: "#5a1c1c"
    clip: true

    Column {
        id: column

        anchors.left: root.left
        anchors.right: dismiss.left
        anchors.top: root.top
        anchors.margins: 12
        spacing: 6

        Text {
            text: "The QML reports errors as it runs. Fix them and save: the UI reloads."
            color: "white"
            font.pixelSize: 15
            font.bold: true
        }

        Text {
            objectName: "errorBannerText"
            width: column.width
            text: root.messages.join("\n")
            color: "#ffd3cf"
            font.family: "monospace"
            font.pixelSize: 13
            wrapMode: Text.Wrap
        }
    }

    Rectangle {
        id: dismiss

        objectName: "errorBannerDismiss"
        anchors.right: root.right
        anchors.top: root.top
        anchors.margins: 10
        width: label.implicitWidth + 20
        height: 28
        radius: 6
        color: mouse.containsMouse ? "#2a0b0b" : "#3d1111"
        Accessible.role: Accessible.Button
        Accessible.name: "Dismiss the QML errors"

        Text {
            id: label

            anchors.centerIn: parent
            text: "Dismiss"
            color: "white"
        }

        MouseArea {
            id: mouse

            anchors.fill: parent
            hoverEnabled: true
            onClicked: root.visible = false
        }
    }
}
