// What the most recent task returned.
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15

RowLayout {
    id: root

    required property QtObject backend

    spacing: 8

    Label {
        text: qsTr("Result")
        font.bold: true
        Layout.preferredWidth: 72
    }

    Label {
        objectName: "resultLabel"
        text: root.backend.result === "" ? qsTr("none yet") : root.backend.result
        opacity: root.backend.result === "" ? 0.6 : 1
        wrapMode: Text.Wrap
        Layout.fillWidth: true
    }
}
