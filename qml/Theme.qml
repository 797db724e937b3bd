// Every colour, size and font of the app, in one place: restyle it here.
// No other file under qml/ names a colour (a test checks). Each colour has a
// light and a dark value; `mode` picks, and tests/test_window.py checks every
// text colour against the background it sits on (WCAG AA, 4.5:1 at least).
pragma Singleton
import QtQuick 2.15
import "."

QtObject {
    id: theme

    // "light", "dark", or "system": follow the desktop where Qt can tell
    // (Qt 6.5+ says its colour scheme; before that, the palette's lightness).
    property string mode: "system"
    readonly property bool dark: mode === "dark" || (mode === "system" && theme.systemDark)
    // Qt.ColorScheme: 0 unknown, 1 light, 2 dark; undefined before Qt 6.5
    // (looked up by name: Qt 5 has no such property).
    readonly property var styleHints: Qt.styleHints
    readonly property int desktopScheme: theme.styleHints["colorScheme"] === undefined ? 0 : theme.styleHints["colorScheme"]
    readonly property bool systemDark: desktopScheme !== 0
        ? desktopScheme === 2
        : theme.systemPalette.window.hslLightness < 0.5
    property SystemPalette systemPalette: SystemPalette {}

    readonly property color none: "transparent"

    // -- surfaces ----------------------------------------------------------
    readonly property color window: dark ? "#14161a" : "#f3f4f6"
    readonly property color surface: dark ? "#1d2026" : "#ffffff"
    readonly property color surfaceAlt: dark ? "#23272e" : "#f7f8fa"  // every other row
    readonly property color border: dark ? "#353b45" : "#dfe2e7"
    readonly property color selection: dark ? "#26344d" : "#e6edfc"

    // -- text --------------------------------------------------------------
    readonly property color text: dark ? "#e8eaee" : "#1a1d22"
    readonly property color textMuted: dark ? "#a9b1bc" : "#59616c"
    readonly property color textOnAccent: dark ? "#0e1420" : "#ffffff"
    readonly property color textOnDanger: "#ffffff"
    readonly property color link: dark ? "#8cb3ff" : "#1f4fc4"
    readonly property color errorText: dark ? "#ff8d86" : "#b3261e"
    readonly property color noteText: dark ? "#f2b35b" : "#8a4b00"

    // -- controls ----------------------------------------------------------
    readonly property color accent: dark ? "#7fa8ff" : "#2358d4"
    readonly property color accentHover: dark ? "#9bbcff" : "#1d4bb8"
    readonly property color danger: dark ? "#c9302a" : "#c62828"
    readonly property color dangerHover: dark ? "#b02a25" : "#a91f1f"
    readonly property color button: dark ? "#2b3038" : "#eceef2"
    readonly property color buttonHover: dark ? "#353b45" : "#e1e4ea"
    readonly property color buttonPressed: dark ? "#404755" : "#d3d7df"
    readonly property color buttonText: dark ? "#e8eaee" : "#1a1d22"
    readonly property color focusRing: dark ? "#8cb3ff" : "#1f4fc4"
    readonly property color track: dark ? "#2e333b" : "#e6e8ec"
    readonly property color disabledText: dark ? "#737b87" : "#8b929c"

    // -- the GUI thread's heartbeat and lag --------------------------------
    readonly property color alive: dark ? "#4cc38a" : "#1e8a4c"
    readonly property color aliveDim: dark ? "#2a6b4c" : "#9fd8b6"
    readonly property color lagOk: dark ? "#4f7fd8" : "#8fb0ee"
    readonly property color lagWarn: dark ? "#e0a233" : "#d98e04"
    readonly property color lagBad: dark ? "#ff6b63" : "#d93025"
    readonly property color chartGrid: dark ? "#2e333b" : "#e6e8ec"

    // -- a task's state: a chip of text and icon, never colour alone --------
    // (states by name: TaskStates.qml)
    function stateText(state) {
        return state === TaskStates.finished ? (dark ? "#7ddba4" : "#166b3a")
             : state === TaskStates.failed ? errorText
             : state === TaskStates.running ? link
             : state === TaskStates.paused || state === TaskStates.timedOut ? noteText
             : textMuted
    }
    function stateFill(state) {
        return state === TaskStates.finished ? (dark ? "#183426" : "#e3f4ea")
             : state === TaskStates.failed ? (dark ? "#3d1b1a" : "#fce8e6")
             : state === TaskStates.running ? (dark ? "#1c2a45" : "#e8effd")
             : state === TaskStates.paused || state === TaskStates.timedOut ? (dark ? "#3a2c14" : "#fdf1dc")
             : (dark ? "#2b3038" : "#eef0f3")
    }
    // The chip's outline: its shape shows on any row, a selected one too,
    // whose colour is as light (or as dark) as the fills.
    function stateLine(state) {
        return state === TaskStates.finished ? (dark ? "#3f8a62" : "#7cc49b")
             : state === TaskStates.failed ? (dark ? "#a4504b" : "#ec9a93")
             : state === TaskStates.running ? (dark ? "#4f76c2" : "#8eabee")
             : state === TaskStates.paused || state === TaskStates.timedOut ? (dark ? "#94712f" : "#e3b566")
             : (dark ? "#5c6470" : "#b7bdc7")
    }
    function stateIcon(state) {
        return state === TaskStates.finished ? "check"
             : state === TaskStates.failed ? "cross"
             : state === TaskStates.running ? "dot"
             : state === TaskStates.paused ? "pause"
             : state === TaskStates.cancelled ? "ban"
             : state === TaskStates.timedOut ? "timer"
             : "clock"
    }
    // The progress bar's fill follows the state too.
    function progressFill(state) {
        return state === TaskStates.failed ? errorText : state === TaskStates.finished ? stateText(TaskStates.finished) : accent
    }

    // -- sizes -------------------------------------------------------------
    readonly property int spacingSmall: 4
    readonly property int spacing: 8
    readonly property int spacingLarge: 16
    readonly property int margin: 16
    readonly property int radius: 10
    readonly property int radiusSmall: 6
    readonly property int controlHeight: 32
    // A task row on one line: a control and 6 above and below it (TaskRow.qml).
    readonly property int rowHeight: 44
    // Below this window height the latest task's card gives its room to the
    // task list (Main.qml), whose last rows show the same task.
    readonly property int compactHeight: 700
    readonly property int iconSize: 16
    // Rows do not spread their parts a window apart on a wide screen.
    readonly property int maxContentWidth: 1040

    // -- type --------------------------------------------------------------
    readonly property int fontSize: 14
    readonly property int fontSmall: 12
    readonly property int fontLarge: 18
    readonly property int fontHuge: 30
    readonly property string fontFamily: theme.defaultText.font.family  // the platform's
    property Text defaultText: Text {}
    readonly property string monoFamily: "monospace"
}
