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
    }

    Label {
        objectName: "resultLabel"
        text: root.backend.result
        wrapMode: Text.Wrap
        Layout.fillWidth: true
    }
}
