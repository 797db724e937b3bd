import QtQuick 2.15

Rectangle {
    required property QtObject backend
    width: 100
    height: 100
}
