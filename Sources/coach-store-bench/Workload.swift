import CoachPersistence
import Foundation

/// The data every scenario saves: coaching replies of about 400 bytes of JSON each, the same
/// text the SQLite peer inserts.
enum Workload {
    /// The reply text of the SQLite peer (`"a typical coaching reply " * 14`, 350 bytes).
    static let replyText = String(repeating: "a typical coaching reply ", count: 14)

    private static let start = Date(timeIntervalSince1970: 1_795_000_000)

    /// The `index`-th message of a conversation.
    static func message(_ index: Int) -> ChatMessage {
        ChatMessage(
            role: index % 2 == 0 ? .user : .assistant, content: replyText,
            timestamp: start.addingTimeInterval(Double(index)))
    }

    /// A context whose history holds `messages` messages.
    static func context(userID: String, messages: Int) -> CoachContext {
        var context = CoachContext(userID: userID, currentState: .habitBuilding)
        context.conversationHistory = (0..<messages).map(message)
        context.userProfile = UserProfile(preferredName: "Sam", timeZone: "Europe/Paris", goals: ["run a 10k"])
        context.metadata = ["plan": "free"]
        return context
    }

    /// Store options for measuring saves alone: compaction only when a scenario asks for it.
    static func options(_ durability: FileStateStore.Durability) -> FileStateStore.Options {
        FileStateStore.Options(durability: durability, automaticCompaction: false)
    }
}

/// An app talking with one user: it keeps the context it saved last and, each turn, appends one
/// message and saves the whole context, as apps do.
final class Conversation {
    let store: FileStateStore
    private(set) var context: CoachContext
    private var turn: Int

    /// Saves a first context with `history` messages (not timed).
    init(store: FileStateStore, userID: String, history: Int) async throws {
        self.store = store
        context = Workload.context(userID: userID, messages: history)
        turn = history
        try await store.saveContext(context)
    }

    /// Appends a message (not timed), saves, and returns the save's time in microseconds.
    func timedTurn() async throws -> Double {
        context.conversationHistory.append(Workload.message(turn))
        turn += 1
        let start = monotonicNanoseconds()
        try await store.saveContext(context)
        return microseconds(since: start)
    }

    /// Drops the newest messages until the history holds `count` again, and saves (not timed):
    /// a scenario that appends for long keeps its user at the size it names.
    func trimHistory(to count: Int) async throws {
        guard context.conversationHistory.count > count else { return }
        context.conversationHistory.removeLast(context.conversationHistory.count - count)
        turn = count
        try await store.saveContext(context)
    }

    /// `count` timed turns.
    func timedTurns(_ count: Int) async throws -> [Double] {
        var times: [Double] = []
        for _ in 0..<count { times.append(try await timedTurn()) }
        return times
    }
}

/// The benchmark's scratch folder in the system temp dir, the file system every baseline and
/// store of the run share; removed at the end unless kept.
struct Scratch {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("coach-store-bench-\(getpid())-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    /// A fresh subfolder's URL (not created: stores create their own).
    func folder(_ name: String) -> URL { root.appendingPathComponent(name, isDirectory: true) }

    /// A file path in the root.
    func file(_ name: String) -> String { root.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

/// Reading a store's files from outside, as a person with a text editor would.
enum StoreFiles {
    /// The folder of the only user in the store at `root`.
    static func onlyUserFolder(_ root: URL) throws -> URL {
        let users = root.appendingPathComponent("users", isDirectory: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: users.path).filter { !$0.hasPrefix(".") }
        guard names.count == 1 else { throw BenchError("expected one user folder in \(users.path), found \(names.count)") }
        return users.appendingPathComponent(names[0], isDirectory: true)
    }

    /// The last line of the only user's journal, newline included: the bytes one save wrote.
    static func lastJournalLine(_ root: URL) throws -> [UInt8] {
        let journal = try onlyUserFolder(root).appendingPathComponent("journal.jsonl")
        let bytes = [UInt8](try Data(contentsOf: journal))
        guard bytes.last == UInt8(ascii: "\n") else { throw BenchError("\(journal.path) does not end with a newline") }
        let start = bytes.dropLast().lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        return Array(bytes[start...])
    }
}

extension StoreFiles {
    /// The journal line of one ~400-byte message save, taken from a throwaway store: the bytes
    /// the raw baselines write.
    static func probeLine(_ scratch: Scratch) async throws -> [UInt8] {
        let root = scratch.folder("probe-\(UInt32.random(in: 0...UInt32.max))")
        let store = try FileStateStore(directory: root, options: Workload.options(.unsynced))
        let conversation = try await Conversation(store: store, userID: "probe", history: 10)
        _ = try await conversation.timedTurn()
        try await store.close()
        return try lastJournalLine(root)
    }
}
