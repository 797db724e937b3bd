// The app's button: the theme's colours, a focus ring that shows on every
// tone (the red DANGER! too), Enter and Space to press it, and a double-click
// that counts as the two clicks it is. `tone`: "neutral", "accent" or "danger";
// `flat` for row actions; `iconName` for an icon before (or instead of) the text.
import QtQuick 2.15
import QtQuick.Templates 2.15 as T
import "style"
import "."

T.Button {
    id: root

    property string tone: "neutral"
    property string iconName: ""
    property bool iconOnly: false
    property string toolTip: ""
    readonly property color fill: tone === "danger" ? (down ? Theme.dangerHover : hovered ? Theme.dangerHover : Theme.danger)
        : tone === "accent" ? (hovered || down ? Theme.accentHover : Theme.accent)
        : flat ? (down ? Theme.buttonPressed : hovered ? Theme.buttonHover : Theme.none)
        : (down ? Theme.buttonPressed : hovered ? Theme.buttonHover : Theme.button)
    readonly property color ink: !enabled ? Theme.disabledText
        : tone === "danger" ? Theme.textOnDanger
        : tone === "accent" ? Theme.textOnAccent
        : Theme.buttonText

    implicitWidth: Math.max(implicitBackgroundWidth + leftInset + rightInset, implicitContentWidth + leftPadding + rightPadding)
    implicitHeight: Math.max(implicitBackgroundHeight + topInset + bottomInset, implicitContentHeight + topPadding + bottomPadding)
    leftPadding: iconOnly ? 8 : 14
    rightPadding: iconOnly ? 8 : 14
    topPadding: 4
    bottomPadding: 4
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontSize
    focusPolicy: Qt.StrongFocus
    hoverEnabled: true
    Accessible.name: text
    Accessible.description: toolTip

    // A fast second click is a double-click to Qt, and no click: count it.
    onDoubleClicked: root.clicked()
    Keys.onReturnPressed: root.clicked()
    Keys.onEnterPressed: root.clicked()

    ToolTip {
        visible: root.toolTip !== "" && (root.hovered || root.visualFocus)
        text: root.toolTip
    }

    contentItem: Row {
        spacing: 6

        Icon {
            name: root.iconName
            color: root.ink
            visible: root.iconName !== ""
            anchors.verticalCenter: parent.verticalCenter
        }

        Text {
            text: root.text
            visible: !root.iconOnly
            color: root.ink
            font: root.font
            anchors.verticalCenter: parent.verticalCenter
        }
    }

    background: Rectangle {
        implicitWidth: root.iconOnly ? Theme.controlHeight : 64
        implicitHeight: Theme.controlHeight
        radius: Theme.radiusSmall
        color: root.enabled || root.flat ? root.fill : Theme.button
        opacity: root.enabled ? 1 : 0.6
        border.width: root.visualFocus ? 2 : (root.flat ? 0 : 1)
        border.color: root.visualFocus ? Theme.focusRing : Qt.darker(root.fill, Theme.dark ? 0.8 : 1.06)

        // The ring sits outside the button, so it shows on any fill.
        Rectangle {
            anchors.fill: parent
            anchors.margins: -3
            radius: parent.radius + 3
            color: Theme.none
            border.width: 2
            border.color: Theme.focusRing
            visible: root.visualFocus
        }
    }
}
