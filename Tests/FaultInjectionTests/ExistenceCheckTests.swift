import CoachTestSupport
import Foundation
import Testing

@testable import CoachPersistence

/// A failing existence check is an error, never "nothing there" (issue 15 finding 6: a `stat`
/// of a user's folder failing with `ENOTCONN` was read as "no such user", and the user's
/// journal was then overwritten).
@Suite("existence checks")
struct ExistenceCheckTests {
    @Test("an ENOTCONN on the check of a user's folder is an I/O error, not 'no user'", arguments: [false, true])
    func failedStatIsAnError(readOnly: Bool) async throws {
        let dir = TemporaryDirectory("enotconn")
        defer { dir.remove() }
        let writer = try FileStateStore(directory: dir.url, options: fastOptions())
        try await writer.saveContext(sampleContext("ana", messages: 2))
        try await writer.close()

        let faulty = FaultyFileSystem(base: PosixFileSystem(root: dir.url.standardizedFileURL.path))
        let store = try FileStateStore(directory: dir.url, options: fastOptions(readOnly: readOnly), fileSystem: faulty)
        faulty.arm(.init(operation: .stat, occurrence: 1, errno: ENOTCONN, persists: true))
        do {
            let loaded = try await store.loadContext(userID: "ana")
            Issue.record("a failed stat loaded \(loaded == nil ? "no user" : "a context")")
        } catch StateStoreError.io(_, _, let code, _) {
            #expect(code == ENOTCONN)
        }
        await #expect(throws: StateStoreError.self) { try await store.userIDs() }
        faulty.clear()
        #expect(try await store.loadContext(userID: "ana") == sampleContext("ana", messages: 2))
        #expect(try await store.userIDs() == ["ana"])
        try await store.close()
    }
}
