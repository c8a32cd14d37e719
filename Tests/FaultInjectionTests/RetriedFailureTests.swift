import CoachTestSupport
import Foundation
import Glibc
import Testing
@testable import CoachPersistence

/// The two holes the I/O-error matrix first found, each as one small case: an operation that
/// failed after changing a folder, then succeeded when retried, was acknowledged although the
/// folder's change had never been fsynced, so a power cut undid an acknowledged save or delete.
@Suite("Retried failures")
struct RetriedFailureTests {
    @Test("a user's first save that failed, then succeeded on retry, survives a power cut")
    func retriedFirstSave() async throws {
        let disk = SimulatedFileSystem()
        let faulty = FaultyFileSystem(base: disk)
        let store = try Workload.openStore(faulty)
        let context = sampleContext("new", messages: 1)
        // The journal's fdatasync fails: the folder users/new exists, its entry is not synced.
        faulty.arm(FaultyFileSystem.Fault(operation: .sync, occurrence: 1, errno: EIO))
        await #expect(throws: StateStoreError.self) { try await store.saveContext(context) }
        try await store.saveContext(context)

        let afterPowerCut = try Workload.openStore(SimulatedFileSystem(disk: disk.disk.afterPowerCut(.strict)))
        #expect(try await afterPowerCut.loadContext(userID: "new") == context)
    }

    @Test("a delete that failed, then succeeded on retry, survives a power cut")
    func retriedDelete() async throws {
        let disk = SimulatedFileSystem()
        let faulty = FaultyFileSystem(base: disk)
        let store = try Workload.openStore(faulty)
        try await store.saveContext(sampleContext("gone", messages: 1))
        // The folder is renamed into the trash, then fsyncing users/ fails.
        faulty.arm(FaultyFileSystem.Fault(operation: .syncDirectory, occurrence: 1, errno: EIO))
        await #expect(throws: StateStoreError.self) { try await store.deleteContext(userID: "gone") }
        try await store.deleteContext(userID: "gone")
        #expect(try await store.loadContext(userID: "gone") == nil)

        let afterPowerCut = try Workload.openStore(SimulatedFileSystem(disk: disk.disk.afterPowerCut(.strict)))
        #expect(try await afterPowerCut.loadContext(userID: "gone") == nil)
    }
}
