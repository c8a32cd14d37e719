import CoachPersistence
import CoachTestSupport
import Foundation
import Testing

/// `import` for writing fixtures by hand (issue 12, finding 5).
@Suite("coach-store import: any ISO 8601 form, unchanged contexts, snapshots")
struct ImportFormTests {
    private let handWritten = """
        {
          "userID": "fixture-user",
          "currentState": "introduction",
          "conversationHistory": [
            {"id": "m1", "role": "user", "content": "Hello", "timestamp": "2026-01-01T00:00:00Z", "metadata": {}},
            {"id": "m2", "role": "assistant", "content": "Hi!", "timestamp": "2026-01-01T02:00:30.5+02:00", "metadata": {}}
          ],
          "userProfile": {"goals": [], "values": [], "attributes": {}},
          "identities": [],
          "metadata": {}
        }
        """

    @Test("timestamps without a fraction or with an offset are accepted and stored canonically")
    func isoForms() async throws {
        let dir = TemporaryDirectory("cli-import-iso")
        defer { dir.remove() }
        let file = dir.url.appendingPathComponent("fixture.json")
        try Data(handWritten.utf8).write(to: file)
        let store = dir.url.appendingPathComponent("store")
        let out = try CLI.expect(0, ["import", store.path, file.path]).stdout
        #expect(out.contains("1 new"), "\(out)")
        let exported = try CLI.expect(0, ["export", store.path, "fixture-user"]).stdout
        #expect(exported.contains(#""timestamp" : "2026-01-01T00:00:00.000Z""#), "\(exported)")
        #expect(exported.contains(#""timestamp" : "2026-01-01T00:00:30.500Z""#), "an offset is converted to UTC")
        try CLI.expect(0, ["verify", store.path])
    }

    @Test("ChatMessage text that looks like a date is not touched; a bad timestamp is still refused")
    func onlyTimestampFields() async throws {
        let text = handWritten.replacingOccurrences(of: #""content": "Hello""#, with: #""content": "2026-01-01T00:00:00Z""#)
        let contexts = try ContextArchive.decode(Data(text.utf8))
        #expect(contexts[0].conversationHistory[0].content == "2026-01-01T00:00:00Z")
        let bad = handWritten.replacingOccurrences(of: "2026-01-01T00:00:00Z", with: "2026-13-01T00:00:00Z")
        #expect(throws: StateStoreError.self) { try ContextArchive.decode(Data(bad.utf8)) }
    }

    @Test("re-importing identical data writes nothing and counts it unchanged; imported users are snapshots")
    func identicalUnchanged() async throws {
        let dir = TemporaryDirectory("cli-import-same")
        defer { dir.remove() }
        let source = dir.url.appendingPathComponent("source")
        _ = try await writeSampleStore(source)
        let export = dir.url.appendingPathComponent("export.json")
        try Data(try CLI.expect(0, ["export", source.path]).stdout.utf8).write(to: export)
        let store = dir.url.appendingPathComponent("store")
        try CLI.expect(0, ["import", store.path, export.path])
        for summary in try StoreInspector(directory: store).summaries() {
            #expect(summary.snapshotBytes != nil && summary.journalBytes == 0, "\(summary.userID) is a readable snapshot")
        }
        let before = try treeContents(store)
        let again = try CLI.expect(0, ["import", store.path, export.path]).stdout
        #expect(again.contains("0 new, 0 replaced, 3 unchanged"), "\(again)")
        var after = try treeContents(store)
        after["store.lock"] = before["store.lock"]
        #expect(after == before)
    }
}
