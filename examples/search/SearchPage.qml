// Search as you type: each keystroke runs `search` with latest: true (the
// search before is cancelled), and matches stream in as partial results.
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15
import Offthread 1.0

Page {
    id: page

    required property TaskManager tasks
    required property string folder
    // The search that runs or ran last (null before the first keystroke).
    property TaskObject search: null

    signal reportAsked()

    header: ToolBar {
        RowLayout {
            anchors.fill: parent
            anchors.margins: 6
            TextField {
                id: field
                objectName: "searchField"
                Layout.fillWidth: true
                placeholderText: "Part of a file name"
                focus: true
                onTextChanged: page.startSearch(text)
            }
            Button {
                objectName: "reportButton"
                text: "Report…"
                onClicked: page.reportAsked()
            }
        }
    }

    function startSearch(text) {
        matches.clear()
        search = tasks.run("search", [folder, text], {owner: page})
        // Only this search's matches reach the list: an earlier one is cancelled.
        var mine = search
        mine.partialReceived.connect(function (batch) {
            if (mine === page.search)
                for (var i = 0; i < batch.length; ++i)
                    matches.append({"path": batch[i]})
        })
    }

    ListModel { id: matches }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 6
        spacing: 4

        Label {
            objectName: "statusLabel"
            Layout.fillWidth: true
            elide: Text.ElideRight
            text: {
                if (!page.search || field.text.trim() === "")
                    return "Type to search the file names under " + page.folder
                if (page.search.state === "failed")
                    return page.search.error.summary
                if (!page.search.done)
                    return matches.count + " so far, searching…"
                return matches.count === 1 ? "1 file" : matches.count + " files"
            }
        }

        ListView {
            objectName: "matchList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: matches
            delegate: ItemDelegate {
                required property string path
                width: ListView.view.width
                text: path
            }
            ScrollBar.vertical: ScrollBar {}
        }
    }
}
