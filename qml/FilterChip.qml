// One of the task list's filters by state: a word and how many tasks are in
// its states ("Running 5"). Pressed, the list shows those tasks only;
// pressed again, every task. It is `shown` while its states are the ones shown.
// Its width leaves room for a count of two digits (one, `compact`, where
// the window is narrow), so that the chips beside it stay where they are
// while the counts change.
import QtQuick 2.15
import QtQuick.Templates 2.15 as T
import Offthread 1.0
import "style"
import "."

T.Button {
    id: root

    required property TaskFilterModel filter
    // The states it shows (TaskStates words); none: every state.
    required property var taskStates
    property string toolTip: ""
    // Narrow: less padding, and room for one digit.
    property bool compact: false
    // Its width when not compact, whatever it is now: the filter bar decides with it.
    readonly property real roomyWidth: word.implicitWidth + twoDigits.advanceWidth + content.spacing + 2 * roomyPadding
    readonly property real roomyPadding: 9
    // Its states are the ones shown (its own, not the button's `checked`,
    // which a click would take over on Qt 5).
    readonly property bool shown: filter.states.join("|") === taskStates.join("|")
    readonly property int count: {
        var counts = filter.counts
        if (taskStates.length === 0)
            return counts.all || 0
        var sum = 0
        for (var i = 0; i < taskStates.length; ++i)
            sum += counts[taskStates[i]] || 0
        return sum
    }

    implicitWidth: compact ? Math.max(implicitContentWidth, word.implicitWidth + oneDigit.advanceWidth + content.spacing) + leftPadding + rightPadding
        : Math.max(implicitContentWidth + leftPadding + rightPadding, roomyWidth)
    implicitHeight: 26
    leftPadding: compact ? 6 : roomyPadding
    rightPadding: compact ? 6 : roomyPadding
    focusPolicy: Qt.StrongFocus
    hoverEnabled: true
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontSmall
    Accessible.role: Accessible.Button
    Accessible.name: qsTr("%1: %2 tasks").arg(text).arg(count)
    Accessible.description: toolTip
    Accessible.checkable: true
    Accessible.checked: shown

    onClicked: filter.states = shown ? [] : taskStates
    // A fast second click is a double-click to Qt, and no click: count it, as AppButton does.
    onDoubleClicked: root.clicked()
    Keys.onReturnPressed: root.clicked()
    Keys.onEnterPressed: root.clicked()

    TextMetrics {
        id: twoDigits

        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontSmall
        font.bold: true
        text: "88"
    }

    TextMetrics {
        id: oneDigit

        font: twoDigits.font
        text: "8"
    }

    ToolTip {
        visible: root.toolTip !== "" && (root.hovered || root.visualFocus)
        text: root.toolTip
    }

    contentItem: Row {
        id: content

        spacing: 4

        Text {
            id: word

            text: root.text
            // Muted at rest, on the card; full strength on a chip's own fills.
            color: root.shown || root.down || root.hovered ? Theme.text : Theme.textMuted
            font: root.font
            anchors.verticalCenter: parent.verticalCenter
        }

        Text {
            text: root.count.toLocaleString(Qt.locale(), "f", 0)
            color: Theme.text
            font.family: root.font.family
            font.pixelSize: root.font.pixelSize
            font.bold: true
            anchors.verticalCenter: parent.verticalCenter
        }
    }

    background: Rectangle {
        radius: height / 2
        color: root.shown ? Theme.selection : root.down ? Theme.buttonPressed : root.hovered ? Theme.buttonHover : Theme.none
        border.width: root.visualFocus || root.shown ? 2 : 1
        border.color: root.visualFocus || root.shown ? Theme.focusRing : Theme.border
    }
}
