// Everything about the most recent task: progress, result and error.
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15

GroupBox {
    id: root

    required property QtObject backend

    title: qsTr("Most recent task")

    ColumnLayout {
        anchors.fill: parent
        spacing: 12

        ProgressPanel {
            backend: root.backend
            Layout.fillWidth: true
        }

        ResultPanel {
            backend: root.backend
            Layout.fillWidth: true
        }

        ErrorPanel {
            backend: root.backend
            Layout.fillWidth: true
        }
    }
}
