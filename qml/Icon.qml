// A small line icon, drawn from an SVG path on a 24-unit grid, in any colour
// and size. Add an icon by adding its path to `paths`.
import QtQuick 2.15
import QtQuick.Shapes 1.15
import "."

Item {
    id: root

    property string name: ""
    property color color: Theme.text
    property real size: Theme.iconSize
    readonly property var paths: ({
        "pause": "M9 6v12M15 6v12",
        "play": "M8 5.5v13l10.5-6.5z",
        "close": "M7 7l10 10M17 7L7 17",
        "plus": "M12 6v12M6 12h12",
        "minus": "M6 12h12",
        "cross": "M7 7l10 10M17 7L7 17",
        "check": "M5 12.5l4.5 4.5L19 7.5",
        "retry": "M19.5 12a7.5 7.5 0 1 1-2.2-5.3M19.5 4.5v4.5H15",
        "trash": "M5 7h14M10 7V5h4v2M7 7l1 12h8l1-12",
        "chevronDown": "M6 9.5l6 6 6-6",
        "chevronUp": "M6 14.5l6-6 6 6",
        "copy": "M9 9h10v10H9zM5 15V5h10",
        "dot": "M12 8.5a3.5 3.5 0 1 0 0.01 0z",
        "clock": "M12 3.5a8.5 8.5 0 1 0 0.01 0zM12 7.5v4.5l3 2",
        "ban": "M12 3.5a8.5 8.5 0 1 0 0.01 0zM6 6l12 12",
        "timer": "M12 5.5a7.5 7.5 0 1 0 0.01 0zM12 9v4l2.5 1.5M10 2.5h4"
    })

    implicitWidth: size
    implicitHeight: size
    Accessible.ignored: true  // the control it sits in carries the name

    Shape {
        width: 24
        height: 24
        scale: root.size / 24
        transformOrigin: Item.TopLeft
        antialiasing: true
        // Multisampled on the GPU. Not under the software renderer, which
        // smooths the path itself, and whose layer (Qt 5) kept its first
        // picture: a state chip made while queued kept the clock.
        layer.enabled: GraphicsInfo.api !== GraphicsInfo.Software
        layer.samples: 4
        layer.smooth: true

        ShapePath {
            strokeColor: root.color
            strokeWidth: 2
            fillColor: root.name === "play" || root.name === "dot" ? root.color : Theme.none
            capStyle: ShapePath.RoundCap
            joinStyle: ShapePath.RoundJoin

            PathSvg {
                path: root.paths[root.name] || ""
            }
        }
    }
}
