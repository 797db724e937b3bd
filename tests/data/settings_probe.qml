// For tests/test_settings.py: says what the app started it with (theme,
// mode, thread count, place and size), then changes each as a user would,
// and closes: the app remembers what it closed with.
import QtQuick 2.15
import QtQuick.Window 2.15

Window {
    id: root

    required property QtObject backend
    property string theme: "system"

    visible: true
    width: 500
    height: 400

    Timer {
        interval: 50
        running: true
        onTriggered: {
            console.info("probe: " + [root.theme, root.backend.mode, root.backend.maxThreadCount,
                                      root.x, root.y, root.width, root.height].join(" "))
            root.theme = "light"
            root.backend.mode = "asyncio"
            root.backend.maxThreadCount = 5
            root.x = 33
            root.y = 44
            root.width = 640
            root.height = 480
            root.close()
        }
    }
}
