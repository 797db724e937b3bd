// The app's window. Each part is its own file, named for what it shows;
// every part that needs the backend gets it passed in explicitly. Colours,
// sizes and fonts are in Theme.qml; the controls are the app's own, in
// style/, so the window looks the same in every QML tool, whatever style
// the tool would pick.
import QtQuick 2.15
import Offthread 1.0
import "style"
import QtQuick.Layouts 1.15
import "."

ApplicationWindow {
    id: root

    // The Python Backend, set by the app (setInitialProperties) before anything binds to it.
    required property Backend backend
    // "light", "dark" or "system" (--theme); the app sets it too.
    property string theme: "system"

    width: 880
    height: 860
    minimumWidth: 600
    minimumHeight: 580
    visible: true
    // While tasks run, the title says how far they have got: it shows in the taskbar and the window switcher.
    title: root.backend.busy
           ? qsTr("%1 % · %2 running · offthread").arg(Math.floor(root.backend.overallProgress))
                                                  .arg(root.backend.activeCount)
           : qsTr("DANGER! - long work off the GUI thread")

    Binding {
        target: Theme
        property: "mode"
        value: root.theme
    }

    ColumnLayout {
        anchors.top: parent.top
        anchors.bottom: parent.bottom
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.margins: Theme.margin
        width: Math.min(parent.width - 2 * Theme.margin, Theme.maxContentWidth)
        spacing: 12

        Header {
            meter: root.backend.lagMeter
            Layout.fillWidth: true
        }

        Card {
            padding: 12
            Layout.fillWidth: true

            ColumnLayout {
                anchors.fill: parent
                spacing: 10

                TaskButtons {
                    backend: root.backend
                    Layout.fillWidth: true
                }

                PoolStatus {
                    backend: root.backend
                    Layout.fillWidth: true
                }
            }
        }

        LatestTask {
            backend: root.backend
            // In a short window the list keeps three whole rows at the minimum size.
            visible: root.height >= Theme.compactHeight
            Layout.fillWidth: true
        }

        TaskList {
            id: taskList

            backend: root.backend
            Layout.fillWidth: true
            Layout.fillHeight: true
        }
    }
}
