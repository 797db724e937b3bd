// Where the next task runs, and the buttons that start one. Each click
// submits a new task in the selected mode; tasks beyond what the mode runs at
// once queue and run in order.
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15

RowLayout {
    id: root

    required property QtObject backend

    spacing: 12

    Label {
        text: qsTr("Run in")
    }

    ComboBox {
        id: modeSelector

        objectName: "modeSelector"
        model: root.backend.modes
        // Follows the backend, so a mode set from Python shows here too.
        currentIndex: model ? model.indexOf(root.backend.mode) : -1
        ToolTip.visible: hovered
        ToolTip.delay: 800
        ToolTip.text: root.backend.modeDescription
        onActivated: root.backend.mode = currentText
    }

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
        ToolTip.text: qsTr("Start the long job (it waits, like I/O) in the selected mode")
        onClicked: root.backend.danger()
    }

    Button {
        objectName: "cpuButton"
        text: qsTr("CPU job")
        ToolTip.visible: hovered
        ToolTip.delay: 800
        ToolTip.text: qsTr("Start a pure-Python CPU-bound job (it holds the GIL) in the selected mode")
        onClicked: root.backend.cpu()
    }

    Button {
        objectName: "failButton"
        text: qsTr("Failing job")
        ToolTip.visible: hovered
        ToolTip.delay: 800
        ToolTip.text: qsTr("Start a job that raises part-way, to see how errors are shown")
        onClicked: root.backend.fail()
    }

    Item {
        Layout.fillWidth: true
    }
}
