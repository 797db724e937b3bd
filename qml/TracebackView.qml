// A block of text to read and copy: a traceback, or a result too long for
// its row. Selectable, scrollable, with a Copy button.
import QtQuick 2.15
import "style"
import "."

Rectangle {
    id: root

    property string text: ""
    // The objectName of the text itself (tests and tools look it up).
    property string textName: "detailsText"
    property string what: qsTr("traceback")
    // What Copy does, if not copying the text shown: the text shown may be
    // shortened (a traceback of megabytes would hold the window for seconds),
    // and the backend can copy the whole of it.
    property var copyWhole: null

    color: Theme.window
    radius: Theme.radiusSmall
    border.color: Theme.border

    ScrollView {
        id: scroller

        anchors.fill: parent
        anchors.margins: 1
        anchors.rightMargin: copyButton.width + 8
        clip: true
        ScrollBar.vertical: ScrollBar {
            parent: scroller
            x: scroller.width - width
            height: scroller.availableHeight
            Accessible.name: qsTr("Scroll the %1 up and down").arg(root.what)
        }
        ScrollBar.horizontal: ScrollBar {
            parent: scroller
            y: scroller.height - height
            width: scroller.availableWidth
            Accessible.name: qsTr("Scroll the %1 sideways").arg(root.what)
        }

        TextArea {
            id: area

            objectName: root.textName
            text: root.text
            readOnly: true
            selectByMouse: true
            selectByKeyboard: true
            wrapMode: TextEdit.NoWrap
            color: Theme.text
            selectionColor: Theme.selection
            selectedTextColor: Theme.text
            font.family: Theme.monoFamily
            font.pixelSize: Theme.fontSmall
            background: null
            Accessible.name: root.what
        }
    }

    AppButton {
        id: copyButton

        objectName: "copyButton"
        anchors.top: parent.top
        anchors.right: parent.right
        anchors.margins: 4
        text: qsTr("Copy")
        iconName: "copy"
        flat: true
        toolTip: qsTr("Copy the %1 to the clipboard").arg(root.what)
        Accessible.name: qsTr("Copy the %1").arg(root.what)
        onClicked: {
            if (root.copyWhole) {
                root.copyWhole()
                return
            }
            area.selectAll()
            area.copy()
            area.deselect()
        }
    }
}
