import Foundation
import CoachPersistence

/// A fresh empty folder under the system's temp directory. Tests call `remove()` when they
/// are done, or leave it to the OS's temp cleanup.
public struct TemporaryDirectory {
    public let url: URL

    public init(_ label: String = "test") {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("coach-persistence-\(label)-\(UUID().uuidString)", isDirectory: true)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// `url` joined with a relative path.
    public func path(_ relative: String) -> String { url.appendingPathComponent(relative).path }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The folder holding the checked-in fixtures (read-only: copy before writing).
public let fixturesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures", isDirectory: true)

/// Copies a fixture store into a fresh temp folder and returns the copy's URL.
public func copyFixture(_ name: String) throws -> URL {
    let target = TemporaryDirectory("fixture").url.appendingPathComponent(name)
    try FileManager.default.copyItem(at: fixturesDirectory.appendingPathComponent(name), to: target)
    return target
}

/// Every regular file under `root` with its bytes, keyed by relative path: for byte-for-byte
/// comparisons of whole trees.
public func treeContents(_ root: URL) throws -> [String: Data] {
    var result: [String: Data] = [:]
    let base = root.standardizedFileURL.path
    guard let walker = FileManager.default.enumerator(atPath: base) else { return [:] }
    for case let relative as String in walker {
        let full = base + "/" + relative
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
            result[relative] = try Data(contentsOf: URL(fileURLWithPath: full))
        }
    }
    return result
}

/// A deterministic context with `messages` messages, for tests that need realistic data.
public func sampleContext(_ userID: String, messages: Int, state: CoachingState = .identityBrainstorming) -> CoachContext {
    var context = CoachContext(userID: userID, currentState: state)
    let start = Date(timeIntervalSince1970: 1_790_000_000)
    for i in 0..<messages {
        context.conversationHistory.append(
            ChatMessage(
                role: i % 2 == 0 ? .user : .assistant, content: "message \(i) — café ☕️ «\(userID)»",
                timestamp: start.addingTimeInterval(Double(i) * 1.5)))
    }
    context.userProfile = UserProfile(preferredName: "Sam", timeZone: "Europe/Paris", goals: ["run a 10k"])
    context.metadata = ["plan": "free", "turns": .number(Double(messages))]
    return context
}

/// File-store options for tests: unsynced unless a test is about durability, so suites stay fast.
public func fastOptions(readOnly: Bool = false) -> FileStateStore.Options {
    FileStateStore.Options(readOnly: readOnly, durability: .unsynced)
}
