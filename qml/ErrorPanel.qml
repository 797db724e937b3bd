// The most recent task's error: one readable line, and its traceback behind
// a button, so it is reachable without flooding the window.
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15

ColumnLayout {
    id: root

    required property QtObject backend
    property bool showDetails: false
    property color errorColor: "#c62828"

    spacing: 6

    RowLayout {
        Layout.fillWidth: true

        Label {
            text: qsTr("Error")
            font.bold: true
            Layout.preferredWidth: 72
        }

        Label {
            objectName: "errorLabel"
            text: root.backend.error === "" ? qsTr("none") : root.backend.error
            color: root.backend.error === "" ? palette.windowText : root.errorColor
            opacity: root.backend.error === "" ? 0.6 : 1
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }

        Button {
            objectName: "errorDetailsButton"
            text: root.showDetails ? qsTr("Hide traceback") : qsTr("Show traceback")
            enabled: root.backend.errorDetails !== ""
            flat: true
            onClicked: root.showDetails = !root.showDetails
        }
    }

    ScrollView {
        visible: root.showDetails && root.backend.errorDetails !== ""
        clip: true
        Layout.fillWidth: true
        Layout.preferredHeight: 140

        TextArea {
            objectName: "errorDetails"
            text: root.backend.errorDetails
            readOnly: true
            selectByMouse: true
            wrapMode: TextEdit.NoWrap
            font.family: "monospace"
            font.pixelSize: 12
            background: Rectangle {
                color: "#fbe9e7"
                border.color: "#ffab91"
            }
        }
    }
}
