import CoachTestSupport
import Foundation
import Testing
@testable import CoachPersistence

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Descriptors follow a bound, not the users: a store that touches thousands of users, with a
/// backlog of compactions, never needs more than `maxOpenFiles` journals open.
@Suite("Descriptor limits")
struct DescriptorLimitTests {
    /// Open descriptors of this process (Linux: the entries of /proc/self/fd).
    static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }

    @Test("5,000 users under ulimit -n 256, with a compaction backlog: every save succeeds")
    func soakUnderLowLimit() async {
        await #expect(processExitsWith: .success) {
            // In a child process of its own, so the limit touches nothing else.
            var limit = rlimit(rlim_cur: 256, rlim_max: 256)
            guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { exit(2) }
            let dir = TemporaryDirectory("descriptor-soak")
            defer { dir.remove() }
            let options = FileStateStore.Options(
                durability: .unsynced, compactionThresholdBytes: 1, compactionThresholdRecords: 1, cachedUserLimit: 100)
            let store = try FileStateStore(directory: dir.url, options: options)
            var highest = 0
            for round in 0..<2 {
                for user in 0..<5_000 {
                    try await store.saveContext(sampleContext("user-\(user)", messages: round + 1))
                    if user % 250 == 0 { highest = max(highest, DescriptorLimitTests.openDescriptors()) }
                    guard store.pool.openCount <= store.options.maxOpenFiles else { exit(3) }
                }
            }
            guard try await store.userIDs().count == 5_000 else { exit(4) }
            try await store.close()
            guard highest < 256 else { exit(5) }
        }
    }
}
