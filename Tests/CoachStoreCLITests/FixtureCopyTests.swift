import CoachPersistence
import CoachTestSupport
import Foundation
import Testing

/// `FileStateStore.openCopy(of:)` and `withCopy(of:)`: tests write to a copy, never to the
/// checked-in fixture (issue 12, "fixtures in git").
@Suite("FileStateStore.openCopy: writing to a fixture's temporary copy")
struct FixtureCopyTests {
    @Test("saves, compactions and deletes through the copy leave the fixture byte-identical, with no store.lock")
    func fixtureUnchanged() async throws {
        let dir = TemporaryDirectory("fixture-copy")
        defer { dir.remove() }
        let fixture = dir.url.appendingPathComponent("fixture")
        let written = try await writeSampleStore(fixture)
        try? FileManager.default.removeItem(at: fixture.appendingPathComponent("store.lock"))
        let before = try treeContents(fixture)

        let store = try FileStateStore.openCopy(of: fixture, options: fastOptions())
        defer { try? FileManager.default.removeItem(at: store.directory) }
        #expect(store.directory.standardizedFileURL.path != fixture.standardizedFileURL.path)
        #expect(try await store.loadContext(userID: "alice") == written["alice"]!.versions.last)
        var alice = written["alice"]!.versions.last!
        alice.currentState = .actionPlanning
        try await store.saveContext(alice)
        try await store.compact(userID: "carol")
        try await store.deleteContext(userID: "bob")
        try await store.close()

        #expect(try treeContents(fixture) == before)
        #expect(!FileManager.default.fileExists(atPath: fixture.appendingPathComponent("store.lock").path))
        let copy = try StoreInspector(directory: store.directory)
        #expect(try copy.userIDs() == ["alice", "carol"])
        #expect(try copy.context(userID: "alice")?.currentState == .actionPlanning)
    }

    @Test("withCopy closes the store and removes the copy, also when the body throws")
    func withCopyRemoves() async throws {
        let dir = TemporaryDirectory("fixture-with-copy")
        defer { dir.remove() }
        let fixture = dir.url.appendingPathComponent("fixture")
        _ = try await writeSampleStore(fixture)
        let before = try treeContents(fixture)
        let copy = try await FileStateStore.withCopy(of: fixture, options: fastOptions()) { store in
            try await store.deleteContext(userID: "alice")
            return store.directory
        }
        #expect(!FileManager.default.fileExists(atPath: copy.path))
        struct Stop: Error {}
        var thrownCopy: URL?
        await #expect(throws: Stop.self) {
            try await FileStateStore.withCopy(of: fixture, options: fastOptions()) { store in
                thrownCopy = store.directory
                try await store.deleteContext(userID: "bob")
                throw Stop()
            }
        }
        #expect(thrownCopy.map { !FileManager.default.fileExists(atPath: $0.path) } == true)
        #expect(try treeContents(fixture) == before)
    }

    @Test("links in the fixture are neither followed nor copied; a folder that is not a store is refused")
    func linksSkipped() async throws {
        let dir = TemporaryDirectory("fixture-links")
        defer { dir.remove() }
        let fixture = dir.url.appendingPathComponent("fixture")
        _ = try await writeSampleStore(fixture)
        let outside = dir.url.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try Data("secret".utf8).write(to: outside.appendingPathComponent("secret.txt"))
        try FileManager.default.createSymbolicLink(at: fixture.appendingPathComponent("users/linked"), withDestinationURL: outside)
        try FileManager.default.createSymbolicLink(
            at: fixture.appendingPathComponent("users/alice/extra.txt"), withDestinationURL: outside.appendingPathComponent("secret.txt"))

        let store = try FileStateStore.openCopy(of: fixture, options: fastOptions())
        defer { try? FileManager.default.removeItem(at: store.directory) }
        try await store.close()
        let copied = try treeContents(store.directory)
        #expect(!copied.keys.contains { $0.hasPrefix("users/linked") || $0 == "users/alice/extra.txt" }, "\(copied.keys.sorted())")
        #expect(copied["users/alice/journal.jsonl"] == (try Data(contentsOf: fixture.appendingPathComponent("users/alice/journal.jsonl"))))

        let empty = dir.url.appendingPathComponent("not-a-store")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(throws: StateStoreError.self) { try FileStateStore.openCopy(of: dir.url.appendingPathComponent("missing")) }
    }
}
