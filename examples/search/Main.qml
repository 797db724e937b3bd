// The search example's window: a StackView with the search page, and the
// report page pushed over it. Its Python side is main.py.
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Window 2.15
import Offthread 1.0

ApplicationWindow {
    id: window

    required property TaskManager tasks
    required property string folder

    width: 640
    height: 480
    minimumWidth: 360
    minimumHeight: 320
    visible: true
    title: "Search · " + folder

    StackView {
        id: stack
        objectName: "stack"
        anchors.fill: parent
        initialItem: SearchPage {
            tasks: window.tasks
            folder: window.folder
            onReportAsked: stack.push(Qt.resolvedUrl("ReportPage.qml"), {"tasks": window.tasks, "folder": window.folder})
        }
    }
}
