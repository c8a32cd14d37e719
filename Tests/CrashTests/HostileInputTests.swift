import Foundation
import Testing

@testable import CoachPersistence
import CoachTestSupport

/// User ids from `Fixtures/hostile-user-ids.json`: each one saves, reloads after reopening,
/// lists and deletes, and the store writes nothing outside its root.
@Suite("hostile user ids")
struct HostileInputTests {
    /// The fixture's ids, without repeats (by exact bytes: twins stay).
    static let ids: [String] = {
        let data = try! Data(contentsOf: fixturesDirectory.appendingPathComponent("hostile-user-ids.json"))
        var seen = Set<ExactString>()
        return try! JSONDecoder().decode([String].self, from: data).filter { seen.insert(ExactString($0)).inserted }
    }()

    /// An id for a failure message: escaped, and cut to 80 characters so that no log line is huge.
    static func label(_ id: String) -> String {
        let text = id.debugDescription
        return text.count <= 80 ? text : "\(text.prefix(80))… (\(id.unicodeScalars.count) scalars)"
    }

    @Test("every hostile id saves, reloads after reopening, lists and deletes")
    func roundTrip() async throws {
        let parent = TemporaryDirectory("hostile")
        defer { parent.remove() }
        let root = parent.url.appendingPathComponent("store")
        let store = try FileStateStore(directory: root, options: fastOptions())
        for id in Self.ids { try await store.saveContext(sampleContext(id, messages: 3)) }
        try await store.close()

        let reopened = try FileStateStore(directory: root, options: fastOptions())
        for id in Self.ids {
            let loaded = try await reopened.loadContext(userID: id)
            #expect(exactlyEqual(loaded, sampleContext(id, messages: 3)), "user \(Self.label(id))")
        }
        #expect(exactlyEqual(try await reopened.userIDs(), sortedUserIDs(Self.ids)))
        try checkFolders(root, parent: parent.url, count: Self.ids.count)

        for id in Self.ids { try await reopened.deleteContext(userID: id) }
        #expect(try await reopened.userIDs() == [])
        for id in Self.ids { #expect(try await reopened.loadContext(userID: id) == nil, "user \(Self.label(id))") }
        try await reopened.close()
        try checkFolders(root, parent: parent.url, count: 0)
    }

    /// Folder names fit file systems (≤ 255 bytes, distinct ignoring case), and every file is
    /// one the layout names, inside the root.
    private func checkFolders(_ root: URL, parent: URL, count: Int) throws {
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["store"])
        let folders = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("users").path)
        #expect(folders.count == count)
        for folder in folders { #expect(folder.utf8.count <= 255 && !folder.hasPrefix("."), "folder \(folder)") }
        #expect(Set(folders.map { $0.lowercased() }).count == folders.count)
        for path in try treeContents(root).keys {
            let parts = path.split(separator: "/")
            let known =
                parts == ["store.json"] || parts == ["store.lock"]
                || (parts.count == 3 && parts[0] == "users" && ["snapshot.json", "journal.jsonl"].contains(parts[2]))
            #expect(known, "unexpected file \(path)")
        }
    }

    @Test("canonically equivalent ids are different users", arguments: [
        ["caf\u{E9}", "cafe\u{301}"],
        ["\u{3A9}", "\u{2126}"],
        ["\u{C5}", "\u{212B}", "A\u{30A}"],
    ])
    func normalizationTwins(_ twins: [String]) async throws {
        let directory = TemporaryDirectory("twins")
        defer { directory.remove() }
        let contexts = twins.indices.map { sampleContext(twins[$0], messages: $0 + 1, state: CoachingState.standardFlow[$0]) }
        let store = try FileStateStore(directory: directory.url, options: fastOptions())
        for context in contexts { try await store.saveContext(context) }
        try await store.close()

        let reopened = try FileStateStore(directory: directory.url, options: fastOptions())
        for (id, context) in zip(twins, contexts) {
            #expect(exactlyEqual(try await reopened.loadContext(userID: id), context))
        }
        #expect(exactlyEqual(try await reopened.userIDs(), sortedUserIDs(twins)))
        try await reopened.deleteContext(userID: twins[0])
        #expect(try await reopened.loadContext(userID: twins[0]) == nil)
        for (id, context) in zip(twins, contexts).dropFirst() {
            #expect(exactlyEqual(try await reopened.loadContext(userID: id), context))
        }
        #expect(exactlyEqual(try await reopened.userIDs(), sortedUserIDs(twins.dropFirst())))
        try await reopened.close()
    }
}
