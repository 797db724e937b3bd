// The thread pool at a glance: busy threads out of the maximum, tasks queued,
// and the maximum itself, which can be changed while tasks run.
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15

GroupBox {
    id: root

    required property QtObject backend

    title: qsTr("Thread pool")

    RowLayout {
        anchors.fill: parent
        spacing: 8

        Label {
            objectName: "poolLabel"
            text: qsTr("%1 of %2 threads busy, %3 queued")
                .arg(root.backend.activeCount)
                .arg(root.backend.maxThreadCount)
                .arg(root.backend.queuedCount)
            Layout.fillWidth: true
        }

        Label {
            text: qsTr("Max threads")
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
