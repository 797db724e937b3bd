// Text in the theme's colour and type.
import QtQuick 2.15
import QtQuick.Templates 2.15 as T
import ".."

T.Label {
    color: Theme.text
    linkColor: Theme.link
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontSize
}
