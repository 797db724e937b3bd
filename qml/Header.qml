// The GUI thread's pulse: the counter that ticks while it is free, how late
// its timers run now, and a chart of the last 30 s.
import QtQuick 2.15
import Offthread 1.0
import "style"
import QtQuick.Layouts 1.15
import "."

Card {
    id: root

    required property LagMeter meter

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacingLarge

            CounterLabel {
                // Off with the meter while the window is hidden or minimised: nobody sees it.
                running: root.meter.active
            }

            Label {
                objectName: "counterHint"
                text: qsTr("ticks every second while the GUI thread is free")
                color: Theme.textMuted
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
                Layout.fillWidth: true
            }

            LagMeterLabel {
                meter: root.meter
            }
        }

        LagChart {
            meter: root.meter
            Layout.fillWidth: true
            Layout.preferredHeight: 64
        }
    }
}
