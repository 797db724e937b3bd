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
    // Copy says "Copied" for this long, in ms, after a press: the clipboard shows nothing.
    property int copiedMs: 1500

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
            // A text that fits but for a fraction of its right padding (fonts differ) gives up that
            // fraction instead of showing a scroll bar for it; one that does not fit keeps it all.
            readonly property real room: scroller.width - contentWidth - leftPadding
            rightPadding: room >= 0 && room < leftPadding ? room : leftPadding
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
        // "Copied" for a moment: the copy happened, and a second press copies again.
        property bool copied: false

        // As wide for "Copied" as for "Copy": the text beside it does not move.
        width: implicitWidth + Math.max(copyWord.advanceWidth, copiedWord.advanceWidth)
            - (copied ? copiedWord.advanceWidth : copyWord.advanceWidth)

        text: copied ? qsTr("Copied") : qsTr("Copy")
        iconName: copied ? "check" : "copy"
        flat: true
        toolTip: qsTr("Copy the %1 to the clipboard").arg(root.what)
        Accessible.name: copied ? qsTr("Copied the %1").arg(root.what) : qsTr("Copy the %1").arg(root.what)
        onClicked: {
            if (root.copyWhole) {
                root.copyWhole()
            } else {
                area.selectAll()
                area.copy()
                area.deselect()
            }
            copied = true
            copiedTimer.restart()
        }

        TextMetrics {
            id: copyWord

            font: copyButton.font
            text: qsTr("Copy")
        }

        TextMetrics {
            id: copiedWord

            font: copyButton.font
            text: qsTr("Copied")
        }

        Timer {
            id: copiedTimer

            interval: root.copiedMs
            onTriggered: copyButton.copied = false
        }
    }
}
