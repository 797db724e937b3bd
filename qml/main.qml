// The app's window. Each panel is its own file, named for what it shows;
// every panel gets the backend passed in explicitly.
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15

ApplicationWindow {
    id: root

    // The Python Backend, set by the app (setInitialProperties) before anything binds to it.
    required property QtObject backend

    width: 600
    height: 560
    minimumWidth: 460
    minimumHeight: 480
    visible: true
    title: qsTr("DANGER! - long work off the GUI thread")

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 20
        spacing: 16

        CounterLabel {
            Layout.fillWidth: true
        }

        TaskButtons {
            backend: root.backend
            Layout.fillWidth: true
        }

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
            Layout.fillHeight: true
        }

        PoolStatus {
            backend: root.backend
            Layout.fillWidth: true
        }
    }
}
