// A long task that this page owns: close the page mid-task and it is cancelled.
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15
import Offthread 1.0

Page {
    id: page

    // Set by StackView.push(): after the page is made in Qt 5, hence not required.
    property TaskManager tasks: null
    property string folder: ""
    property TaskObject report: null
    property string summary: ""

    title: "Report"

    // Once it shows: its properties are set by then, in Qt 5 and 6 alike.
    StackView.onActivated: {
        if (report)
            return
        report = tasks.run("report", [folder], {owner: page, name: "report"})
        report.then(function (counts) {
            page.summary = counts.files.toLocaleString(Qt.locale(), "f", 0) + " files, "
                + counts.lines.toLocaleString(Qt.locale(), "f", 0) + " lines"
        }, function (error) {
            page.summary = error.summary
        })
    }

    header: ToolBar {
        RowLayout {
            anchors.fill: parent
            anchors.margins: 6
            Button {
                objectName: "closeButton"
                text: "‹ Close"
                onClicked: page.StackView.view.pop()
            }
            Label {
                Layout.fillWidth: true
                text: "Files and lines under " + page.folder
                elide: Text.ElideLeft
            }
        }
    }

    ColumnLayout {
        anchors.centerIn: parent
        width: Math.min(parent.width - 24, 420)
        spacing: 8

        ProgressBar {
            objectName: "reportProgress"
            Layout.fillWidth: true
            from: 0
            to: 100
            value: page.report ? page.report.progress : 0
        }
        Label {
            objectName: "reportLabel"
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            text: page.summary !== "" ? page.summary
                : (page.report ? page.report.progressText + " · " + page.report.elapsed.toFixed(1) + " s" : "")
        }
    }
}
