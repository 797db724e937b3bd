// A raised surface that groups one part of the window.
import QtQuick 2.15
import "style"
import "."

Frame {
    padding: Theme.spacingLarge

    background: Rectangle {
        color: Theme.surface
        radius: Theme.radius
        border.color: Theme.border
    }
}
