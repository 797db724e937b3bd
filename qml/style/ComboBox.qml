// A drop-down list in the theme's colours, with a focus ring.
import QtQuick 2.15
import QtQuick.Templates 2.15 as T
import ".."

T.ComboBox {
    id: control

    implicitWidth: Math.max(implicitBackgroundWidth + leftInset + rightInset, implicitContentWidth + leftPadding + rightPadding)
    implicitHeight: Math.max(implicitBackgroundHeight + topInset + bottomInset, implicitContentHeight + topPadding + bottomPadding, implicitIndicatorHeight + topPadding + bottomPadding)
    leftPadding: 10
    rightPadding: 10 + indicator.width
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontSize

    delegate: T.ItemDelegate {
        id: item

        required property var modelData
        required property int index

        width: ListView.view.width
        implicitHeight: Theme.controlHeight
        padding: 10
        highlighted: ListView.isCurrentItem  // the popup's list follows the highlighted index
        hoverEnabled: true
        Accessible.name: modelData

        contentItem: Text {
            text: item.modelData
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontSize
            verticalAlignment: Text.AlignVCenter
        }

        background: Rectangle {
            color: item.highlighted || item.hovered ? Theme.selection : Theme.none
        }
    }

    indicator: Icon {
        x: control.width - width - 10
        y: (control.height - height) / 2
        name: control.popup.visible ? "chevronUp" : "chevronDown"
        color: Theme.textMuted
    }

    contentItem: Text {
        text: control.displayText
        color: Theme.buttonText
        font: control.font
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }

    background: Rectangle {
        implicitWidth: 120
        implicitHeight: Theme.controlHeight
        radius: Theme.radiusSmall
        color: control.down ? Theme.buttonPressed : control.hovered ? Theme.buttonHover : Theme.button
        border.width: control.visualFocus ? 2 : 1
        border.color: control.visualFocus ? Theme.focusRing : Theme.border
    }

    popup: T.Popup {
        y: control.height + 2
        width: control.width
        implicitHeight: contentItem.implicitHeight + 8
        padding: 4

        contentItem: ListView {
            clip: true
            implicitHeight: contentHeight
            model: control.popup.visible ? control.delegateModel : null
            currentIndex: control.highlightedIndex
        }

        background: Rectangle {
            color: Theme.surface
            radius: Theme.radiusSmall
            border.color: Theme.border
        }
    }
}
