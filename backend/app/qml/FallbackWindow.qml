// Holds the error overlay when the very first load fails in live mode.
import QtQuick 2.15
import QtQuick.Window 2.15

Window {
    width: 680
    height: 420
    visible: true
    title: "QML error"
    color: "#1e1e1e"
}
