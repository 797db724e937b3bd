// The app's window: the theme's background and type.
import QtQuick 2.15
import QtQuick.Templates 2.15 as T
import ".."

T.ApplicationWindow {
    color: Theme.window
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontSize
}
