// A thin bar: the track, and the part done in `fillColor`.
import QtQuick 2.15
import QtQuick.Templates 2.15 as T
import ".."

T.ProgressBar {
    id: control

    property color fillColor: Theme.accent

    implicitWidth: Math.max(implicitBackgroundWidth + leftInset + rightInset, implicitContentWidth + leftPadding + rightPadding)
    implicitHeight: Math.max(implicitBackgroundHeight + topInset + bottomInset, implicitContentHeight + topPadding + bottomPadding)

    contentItem: Item {
        implicitWidth: 120
        implicitHeight: 6

        Rectangle {
            width: control.visualPosition * parent.width
            height: parent.height
            radius: height / 2
            color: control.fillColor
        }
    }

    background: Rectangle {
        implicitWidth: 120
        implicitHeight: 6
        y: (control.height - height) / 2
        height: 6
        radius: 3
        color: Theme.track
    }
}
