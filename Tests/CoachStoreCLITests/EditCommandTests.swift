import CoachPersistence
import CoachTestSupport
import Foundation
import Testing

/// `edit`: the context in `$EDITOR`, as `kubectl edit` does it; the editors here are small shell
/// scripts (issue 12, "editing by hand, supported").
@Suite("coach-store edit")
struct EditCommandTests {
    /// Writes an executable shell script into `dir` and returns its path.
    private func script(_ dir: TemporaryDirectory, _ name: String, _ body: String) throws -> String {
        let path = dir.path(name)
        try Data(("#!/bin/sh\n" + body + "\n").utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test("an editor that changes a message: saved as one update, verify clean, the edit loads")
    func sedEdit() async throws {
        let dir = TemporaryDirectory("cli-edit-sed")
        defer { dir.remove() }
        let store = dir.url.appendingPathComponent("store")
        _ = try await writeSampleStore(store)
        let editor = try script(dir, "editor", #"sed -i 's/turn 1 from bob/turn 1 from Bob/' "$1""#)
        let out = try CLI.expect(0, ["edit", store.path, "bob"], environment: ["EDITOR": editor, "VISUAL": ""]).stdout
        #expect(out.contains("Saved the edit of 'bob'"))
        try CLI.expect(0, ["verify", store.path])
        let bob = try #require(try StoreInspector(directory: store).context(userID: "bob"))
        #expect(bob.conversationHistory.first?.content.hasPrefix("turn 1 from Bob") == true)
        #expect(bob.conversationHistory.count == 4)
    }

    @Test("$VISUAL wins over $EDITOR")
    func visualFirst() async throws {
        let dir = TemporaryDirectory("cli-edit-visual")
        defer { dir.remove() }
        let store = dir.url.appendingPathComponent("store")
        _ = try await writeSampleStore(store)
        let visual = try script(dir, "visual", #"sed -i 's/turn 1 from bob/turn 1 from VISUAL/' "$1""#)
        try CLI.expect(0, ["edit", store.path, "bob"], environment: ["EDITOR": "false", "VISUAL": visual])
        #expect(try StoreInspector(directory: store).context(userID: "bob")?.conversationHistory.first?.content.contains("VISUAL") == true)
    }

    @Test("an unchanged file writes nothing: the tree stays byte-identical")
    func unchanged() async throws {
        let dir = TemporaryDirectory("cli-edit-unchanged")
        defer { dir.remove() }
        let store = dir.url.appendingPathComponent("store")
        _ = try await writeSampleStore(store)
        let before = try treeContents(store)
        let out = try CLI.expect(0, ["edit", store.path, "carol"], environment: ["EDITOR": "true", "VISUAL": ""]).stdout
        #expect(out.contains("No change"))
        // Reformatted but equal JSON is no change either.
        let reformat = try script(dir, "reformat", #"sed -i 's/^ *//' "$1""#)
        try CLI.expect(0, ["edit", store.path, "carol"], environment: ["EDITOR": reformat, "VISUAL": ""])
        #expect(try treeContents(store) == before)
    }

    @Test("invalid JSON reopens the editor with the error on top; the next, valid save is kept")
    func invalidThenValid() async throws {
        let dir = TemporaryDirectory("cli-edit-retry")
        defer { dir.remove() }
        let store = dir.url.appendingPathComponent("store")
        _ = try await writeSampleStore(store)
        let work = dir.path("work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let editor = try script(dir, "editor", """
            W='\(work)'
            if [ ! -f "$W/original.json" ]; then
              cp "$1" "$W/original.json"
              printf '{ "userID": "bob", this is not json' > "$1"
            else
              cp "$1" "$W/second.json"
              sed 's/turn 1 from bob/turn 1 from Bob/' "$W/original.json" > "$1"
            fi
            """)
        try CLI.expect(0, ["edit", store.path, "bob"], environment: ["EDITOR": editor, "VISUAL": ""])
        let second = try String(decoding: Data(contentsOf: URL(fileURLWithPath: work + "/second.json")), as: UTF8.self)
        #expect(second.hasPrefix("# coach-store edit: this was not saved:"), "\(second.prefix(300))")
        #expect(second.contains("not valid JSON") || second.contains("not a valid context"))
        #expect(second.contains("this is not json"), "the person's text is kept below the error")
        #expect(try StoreInspector(directory: store).context(userID: "bob")?.conversationHistory.first?.content.hasPrefix("turn 1 from Bob") == true)
    }

    @Test("an invalid context (another userID) that the editor then leaves unchanged: give up, exit 1, nothing written")
    func giveUp() async throws {
        let dir = TemporaryDirectory("cli-edit-giveup")
        defer { dir.remove() }
        let store = dir.url.appendingPathComponent("store")
        _ = try await writeSampleStore(store)
        let before = try treeContents(store)
        let editor = try script(dir, "editor", """
            [ -f '\(dir.path("seen"))' ] && exit 0
            touch '\(dir.path("seen"))'
            sed -i 's/"userID" : "bob"/"userID" : "mallory"/' "$1"
            """)
        let result = try CLI.expect(1, ["edit", store.path, "bob"], environment: ["EDITOR": editor, "VISUAL": ""])
        #expect(result.stderr.contains("userID is 'mallory'") && result.stderr.contains("nothing was saved"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(try treeContents(store) == before)
    }

    @Test("a bad timestamp is an invalid context, reported by its field")
    func badTimestamp() async throws {
        let dir = TemporaryDirectory("cli-edit-timestamp")
        defer { dir.remove() }
        let store = dir.url.appendingPathComponent("store")
        _ = try await writeSampleStore(store)
        let before = try treeContents(store)
        let editor = try script(dir, "editor", """
            [ -f '\(dir.path("seen"))' ] && exit 0
            touch '\(dir.path("seen"))'
            sed -i 's/"timestamp" : "2026-\\([0-9][0-9]\\)-/"timestamp" : "2026-13-/' "$1"
            """)
        let result = try CLI.expect(1, ["edit", store.path, "bob"], environment: ["EDITOR": editor, "VISUAL": ""])
        #expect(result.stderr.contains("timestamp"), "\(result.stderr)")
        #expect(try treeContents(store) == before)
    }

    @Test("if the app saved while the editor was open, edit refuses with the conflict and keeps the app's save")
    func conflict() async throws {
        let dir = TemporaryDirectory("cli-edit-conflict")
        defer { dir.remove() }
        let store = dir.url.appendingPathComponent("store")
        let written = try await writeSampleStore(store)
        var appVersion = written["bob"]!.versions.last!
        appVersion.conversationHistory.append(ChatMessage(role: .user, content: "saved by the app meanwhile", timestamp: Date(timeIntervalSince1970: 1_800_000_000)))
        let other = dir.url.appendingPathComponent("app.json")
        try ContextArchive.encode(appVersion).write(to: other)
        let editor = try script(dir, "editor", """
            sed -i 's/turn 1 from bob/turn 1 from EDITOR/' "$1"
            '\(CLI.executable.path)' import '\(store.path)' '\(other.path)' > /dev/null
            """)
        let result = try CLI.expect(1, ["edit", store.path, "bob"], environment: ["EDITOR": editor, "VISUAL": ""])
        #expect(result.stderr.contains("saved by another process while you edited"), "\(result.stderr)")
        #expect(try StoreInspector(directory: store).context(userID: "bob") == appVersion)
    }

    @Test("edit of an unknown user fails with a sentence and starts no editor")
    func unknownUser() async throws {
        let dir = TemporaryDirectory("cli-edit-unknown")
        defer { dir.remove() }
        let store = dir.url.appendingPathComponent("store")
        _ = try await writeSampleStore(store)
        let result = try CLI.expect(1, ["edit", store.path, "dave"], environment: ["EDITOR": "touch '\(dir.path("ran"))'; true", "VISUAL": ""])
        #expect(result.stderr.contains("no user 'dave'"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("ran")))
    }
}
