// A slim scroll bar that shows while it is needed.
import QtQuick 2.15
import QtQuick.Templates 2.15 as T
import ".."

T.ScrollBar {
    id: control

    implicitWidth: Math.max(implicitBackgroundWidth + leftInset + rightInset, implicitContentWidth + leftPadding + rightPadding)
    implicitHeight: Math.max(implicitBackgroundHeight + topInset + bottomInset, implicitContentHeight + topPadding + bottomPadding)
    padding: 2
    // Size 0 is what Qt 5 reports for a scroll view whose content it has not
    // measured (a TextArea that fits): no bar then, not a stray 6 px dot.
    visible: control.policy !== T.ScrollBar.AlwaysOff && control.size > 0 && control.size < 1.0
    minimumSize: orientation === Qt.Horizontal ? height / width : width / height

    contentItem: Rectangle {
        implicitWidth: 6
        implicitHeight: 6
        radius: 3
        color: control.pressed ? Theme.textMuted : Theme.border
    }
}
