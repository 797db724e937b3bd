// Reads qml/Theme.qml for tests/test_window.py: the palette in a given mode,
// and the colours of a given state's chip.
import QtQuick 2.15
import "../../qml"

QtObject {
    id: probe

    property string mode: "light"
    property string state: "queued"
    property QtObject theme: Theme
    readonly property color stateText: Theme.stateText(probe.state)
    readonly property color stateFill: Theme.stateFill(probe.state)
    property Binding modeBinding: Binding {
        target: Theme
        property: "mode"
        value: probe.mode
    }
}
