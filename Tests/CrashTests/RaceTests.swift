import Foundation
import Testing

@testable import CoachPersistence
import CoachTestSupport

/// 1,000 concurrent saves of whole contexts on a handful of users: each user ends with exactly
/// one of the contexts saved for it, every field from the same save.
@Suite("races")
struct RaceTests {
    static let users = 5
    static let tasks = 1000

    /// Stores under test: the default, and one that compacts and evicts users constantly.
    static let configurations: [FileStateStore.Options] = [
        FileStateStore.Options(),
        FileStateStore.Options(durability: .batched(interval: .milliseconds(5))),
        FileStateStore.Options(durability: .unsynced, compactionThresholdBytes: 2000, compactionThresholdRecords: 3, cachedUserLimit: 2),
    ]

    /// The context task `task` saves; every field depends on the task number.
    static func context(task: Int) -> CoachContext {
        let time = Date(timeIntervalSince1970: 1_790_000_000 + Double(task))
        return CoachContext(
            userID: "racer-\(task % users)",
            currentState: CoachingState(rawValue: "state-\(task)"),
            conversationHistory: (0...(task % 7)).map { ChatMessage(role: .user, content: "task \(task) message \($0)", timestamp: time) },
            consolidatedSummary: task % 3 == 0 ? nil : "summary \(task)",
            userProfile: UserProfile(preferredName: "name \(task)", goals: ["goal \(task)"]),
            identities: [Identity(id: "identity-\(task)", statement: "statement \(task)", createdAt: time)],
            metadata: ["task": .number(Double(task)), "key-\(task % 4)": .string("value \(task)")])
    }

    @Test("each user's last save wins whole: no mix of two saves", arguments: configurations)
    func lastSaveWinsWhole(_ options: FileStateStore.Options) async throws {
        let directory = TemporaryDirectory("race")
        defer { directory.remove() }
        let store = try FileStateStore(directory: directory.url, options: options)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<Self.tasks {
                group.addTask {
                    try await store.saveContext(Self.context(task: task))
                    if task % 10 == 0 { Self.checkWhole(try await store.loadContext(userID: "racer-\(task % Self.users)"), user: task % Self.users) }
                }
            }
            try await group.waitForAll()
        }
        try await checkEveryUser(store)
        try await store.close()
        let reopened = try FileStateStore(directory: directory.url, options: options)
        try await checkEveryUser(reopened)
        try await reopened.close()
    }

    private func checkEveryUser(_ store: FileStateStore) async throws {
        for user in 0..<Self.users {
            Self.checkWhole(try await store.loadContext(userID: "racer-\(user)"), user: user)
        }
    }

    /// `stored` is, field for field, the context one task of `user` saved.
    private static func checkWhole(_ stored: CoachContext?, user: Int) {
        guard case .number(let number)? = stored?.metadata["task"] else {
            Issue.record("user \(user) has no whole context: \(String(describing: stored))")
            return
        }
        let task = Int(number)
        #expect(task % users == user)
        #expect(stored == context(task: task), "user \(user) holds a mix of saves, not task \(task)'s context")
    }
}
