// The work at a glance: tasks running and queued (in every mode), and the
// thread pool's size, which can be changed while tasks run.
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15

GroupBox {
    id: root

    required property QtObject backend

    title: qsTr("Workers")

    RowLayout {
        anchors.fill: parent
        spacing: 8

        Label {
            objectName: "poolLabel"
            text: qsTr("%1 running, %2 queued")
                .arg(root.backend.activeCount)
                .arg(root.backend.queuedCount)
            Layout.fillWidth: true
        }

        Label {
            text: qsTr("Thread pool size")
        }

        SpinBox {
            objectName: "threadsSpinBox"
            from: 1
            to: 64
            value: root.backend.maxThreadCount
            editable: true
            onValueModified: root.backend.maxThreadCount = value
        }
    }
}
