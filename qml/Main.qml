// The app's window. Each part is its own file, named for what it shows;
// every part that needs the backend gets it passed in explicitly.
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15

ApplicationWindow {
    id: root

    // The Python Backend, set by the app (setInitialProperties) before anything binds to it.
    required property QtObject backend

    width: 680
    height: 780
    minimumWidth: 560
    minimumHeight: 600
    visible: true
    title: qsTr("DANGER! - long work off the GUI thread")

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 20
        spacing: 16

        RowLayout {
            Layout.fillWidth: true
            spacing: 12

            CounterLabel {
                Layout.fillWidth: true
            }

            LagMeterLabel {
                meter: root.backend.lagMeter
            }
        }

        TaskButtons {
            backend: root.backend
            Layout.fillWidth: true
        }

        PoolStatus {
            backend: root.backend
            Layout.fillWidth: true
        }

        TaskPanel {
            backend: root.backend
            Layout.fillWidth: true
        }

        TaskList {
            backend: root.backend
            Layout.fillWidth: true
            Layout.fillHeight: true
        }
    }
}
