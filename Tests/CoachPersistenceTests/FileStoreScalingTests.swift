import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// Opening does not read users, and memory follows the users in use, not those on disk.
@Suite("File store scaling")
struct FileStoreScalingTests {
    @Test("opening a store touches the same files whatever the number of users")
    func lazyOpen() async throws {
        var logs: [[String]] = []
        for count in [10, 500] {
            let dir = TemporaryDirectory("lazy")
            let writer = try FileStateStore(directory: dir.url, options: fastOptions())
            for i in 0..<count { try await writer.saveContext(sampleContext("user-\(i)", messages: 1)) }
            try await writer.close()
            let fs = RecordingFileSystem(root: dir.url)
            let store = try FileStateStore(directory: dir.url, options: .init(), fileSystem: fs)
            let root = dir.url.standardizedFileURL.path
            logs.append(fs.log.map { $0.replacingOccurrences(of: root, with: "ROOT") })
            fs.clear()
            _ = try await store.loadContext(userID: "user-3")
            #expect(fs.log.allSatisfy { $0.contains("/users/user-3") }, "loading one user reads only that user's folder")
        }
        #expect(logs[0] == logs[1])
        #expect(!logs[0].contains { $0.hasPrefix("list") && $0.hasSuffix("/users") })
    }

    @Test("the cache holds at most the configured number of idle users")
    func boundedCache() async throws {
        let dir = TemporaryDirectory("bounded")
        let store = try FileStateStore(directory: dir.url, options: .init(durability: .unsynced, cachedUserLimit: 16))
        for i in 0..<200 { try await store.saveContext(sampleContext("user-\(i)", messages: 2)) }
        for i in 0..<200 { _ = try await store.loadContext(userID: "user-\(i)") }
        #expect(store.registry.all.count <= 17)
        #expect(try await store.loadContext(userID: "user-0") == sampleContext("user-0", messages: 2))
    }
}
