// The buttons that start work. Each click submits a new task; clicks beyond
// the pool's thread count queue and run in order.
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15

RowLayout {
    id: root

    required property QtObject backend

    spacing: 12

    Button {
        id: dangerButton

        objectName: "dangerButton"
        text: qsTr("DANGER!")
        font.bold: true
        font.pixelSize: 16
        palette.button: "#c62828"
        palette.buttonText: "white"
        ToolTip.visible: hovered
        ToolTip.delay: 800
        ToolTip.text: qsTr("Start the long job on the thread pool")
        onClicked: root.backend.danger()
    }

    Button {
        objectName: "failButton"
        text: qsTr("Run a failing job")
        ToolTip.visible: hovered
        ToolTip.delay: 800
        ToolTip.text: qsTr("Start a job that raises part-way, to see how errors are shown")
        onClicked: root.backend.fail()
    }

    Item {
        Layout.fillWidth: true
    }
}
