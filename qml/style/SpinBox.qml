// A number to type in or step with − and +, in the theme's colours.
import QtQuick 2.15
import QtQuick.Templates 2.15 as T
import ".."

T.SpinBox {
    id: control

    implicitWidth: Math.max(implicitBackgroundWidth + leftInset + rightInset, contentItem.implicitWidth + up.implicitIndicatorWidth + down.implicitIndicatorWidth)
    implicitHeight: Math.max(implicitContentHeight + topPadding + bottomPadding, implicitBackgroundHeight, up.implicitIndicatorHeight, down.implicitIndicatorHeight)
    leftPadding: down.indicator.width
    rightPadding: up.indicator.width
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontSize
    validator: IntValidator {
        bottom: Math.min(control.from, control.to)
        top: Math.max(control.from, control.to)
    }

    contentItem: TextInput {
        text: control.displayText
        color: Theme.text
        selectionColor: Theme.selection
        selectedTextColor: Theme.text
        font: control.font
        horizontalAlignment: Qt.AlignHCenter
        verticalAlignment: Qt.AlignVCenter
        readOnly: !control.editable
        validator: control.validator
        inputMethodHints: Qt.ImhFormattedNumbersOnly
        Accessible.name: control.Accessible.name
    }

    up.indicator: Rectangle {
        x: control.width - width
        height: control.height
        implicitWidth: Theme.controlHeight
        implicitHeight: Theme.controlHeight
        radius: Theme.radiusSmall
        color: control.up.pressed ? Theme.buttonPressed : control.up.hovered ? Theme.buttonHover : Theme.button

        Icon {
            anchors.centerIn: parent
            name: "plus"
            color: control.value < control.to ? Theme.buttonText : Theme.disabledText
        }
    }

    down.indicator: Rectangle {
        height: control.height
        implicitWidth: Theme.controlHeight
        implicitHeight: Theme.controlHeight
        radius: Theme.radiusSmall
        color: control.down.pressed ? Theme.buttonPressed : control.down.hovered ? Theme.buttonHover : Theme.button

        Icon {
            anchors.centerIn: parent
            name: "minus"
            color: control.value > control.from ? Theme.buttonText : Theme.disabledText
        }
    }

    background: Rectangle {
        implicitWidth: 120
        implicitHeight: Theme.controlHeight
        radius: Theme.radiusSmall
        color: Theme.surface
        border.width: control.activeFocus ? 2 : 1
        border.color: control.activeFocus ? Theme.focusRing : Theme.border
    }
}
