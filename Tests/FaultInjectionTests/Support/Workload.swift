import CoachTestSupport
import Foundation
@testable import CoachPersistence

/// A scripted run of store operations over three users, and the state each step leaves: new
/// users, appends, edits (at the start and near the end), regenerates and pops, a delete and a new life after it, explicit compactions, and saves
/// slipped into the middle of a compaction at two points. The power-loss and I/O-error tests replay it.
///
/// It starts from ``makeInitialDisk()``: a store where `ana` has one record and a torn tail,
/// so the first step also runs the torn-tail repair.
struct Workload: Sendable {
    enum Step: Sendable, CustomStringConvertible {
        case save(CoachContext)
        case delete(String)
        case compact(String)
        /// A compaction of the context's user, with the save made at `point` of it.
        case compactWhileSaving(CoachContext, at: CompactionPoint)

        var description: String {
            switch self {
            case .save(let context): "save \(context.userID) (\(context.conversationHistory.count) messages)"
            case .delete(let user): "delete \(user)"
            case .compact(let user): "compact \(user)"
            case .compactWhileSaving(let context, let point): "compact \(context.userID), saving it \(point)"
            }
        }
    }

    /// Where in a compaction a save is slipped in: the moment the compaction opens the new
    /// snapshot (the save lands in the journal before the copy of its tail), or the moment it
    /// syncs the copy (the save lands after it, and the swap must append it).
    enum CompactionPoint: Sendable, CustomStringConvertible {
        case snapshotWrite, journalCopy

        /// The file operation that triggers the save, and the end of its path.
        var trigger: (operation: String, pathSuffix: String) {
            switch self {
            case .snapshotWrite: ("open", "/" + StoreLayout.snapshotName + ".tmp")
            case .journalCopy: ("sync", "/" + StoreLayout.journalName + ".tmp")
            }
        }

        var description: String { self == .snapshotWrite ? "as the snapshot is written" : "as the journal is copied" }
    }

    /// What the store holds before the first step.
    let initial: [String: CoachContext]
    let steps: [Step]
    /// Every user the steps touch.
    let users: [String]

    /// Every state `user` is in after some number of steps up to `count` (`nil`: no user).
    func userStates(_ user: String, upTo count: Int) -> [CoachContext?] {
        (0...count).map { expected(after: $0)[user] }
    }

    /// The state after the first `count` steps.
    func expected(after count: Int) -> [String: CoachContext] {
        var state = initial
        for step in steps.prefix(count) {
            switch step {
            case .save(let context), .compactWhileSaving(let context, _): state[context.userID] = context
            case .delete(let user): state[user] = nil
            case .compact: break
            }
        }
        return state
    }

    static let standard: Workload = {
        var steps: [Step] = []
        func save(_ context: CoachContext) { steps.append(.save(context)) }
        var ana = sampleContext("ana", messages: 3)
        let initial = ["ana": ana]
        ana.conversationHistory.append(message(1))
        save(ana)
        var ben = sampleContext("ben", messages: 2)
        save(ben)
        ana.currentState = .actionPlanning
        ana.consolidatedSummary = "Wants to run twice a week."
        save(ana)
        steps.append(.compact("ana"))
        ana.conversationHistory.append(message(2))
        save(ana)
        var zoe = sampleContext("Zoë", messages: 1)
        save(zoe)
        ben.conversationHistory[0].content = "edited"
        save(ben)
        ana.conversationHistory.append(message(3))
        steps.append(.compactWhileSaving(ana, at: .snapshotWrite))
        steps.append(.delete("ben"))
        zoe.metadata["streak"] = 3
        save(zoe)
        ben = CoachContext(userID: "ben", currentState: .valuesDiscovery, conversationHistory: [message(4)])
        save(ben)
        steps.append(.compact("Zoë"))
        zoe.conversationHistory.append(message(5))
        save(zoe)
        zoe.conversationHistory.append(message(6))
        steps.append(.compactWhileSaving(zoe, at: .journalCopy))
        steps.append(.compact("ben"))
        ana.identities = [Identity(id: "runner", statement: "I am someone who runs.", createdAt: Date(timeIntervalSince1970: 1_800_000_000))]
        save(ana)
        // Edits at the end of a history (format version 2's historyTruncated): regenerate the
        // last reply, undo the last turn, edit a message near the end, and a pop saved inside
        // a compaction.
        ana.conversationHistory[ana.conversationHistory.count - 1] = message(7, "regenerated")
        save(ana)
        zoe.conversationHistory.removeLast()
        save(zoe)
        ana.conversationHistory[ana.conversationHistory.count - 3].content = "edited near the end"
        save(ana)
        ana.conversationHistory.removeLast()
        steps.append(.compactWhileSaving(ana, at: .journalCopy))
        steps.append(.delete("Zoë"))
        return Workload(initial: initial, steps: steps, users: ["ana", "ben", "Zoë"])
    }()

    /// The same saves with each save-inside-a-compaction made a compaction and then a save: for
    /// `.batched` and `.unsynced`, whose saves do not run on the compaction's schedule.
    var withoutSavesInsideCompactions: Workload {
        let flat = steps.flatMap { step -> [Step] in
            guard case .compactWhileSaving(let context, _) = step else { return [step] }
            return [.compact(context.userID), .save(context)]
        }
        return Workload(initial: initial, steps: flat, users: users)
    }

    /// A message numbered `n`, at a fixed time.
    static func message(_ n: Int, _ text: String = "step") -> ChatMessage {
        ChatMessage(
            role: n % 2 == 0 ? .user : .assistant, content: "\(text) \(n) — ✓",
            timestamp: Date(timeIntervalSince1970: 1_800_000_000 + Double(n)))
    }

    // MARK: Stores

    static let root = "/store"
    static let options = FileStateStore.Options(durability: .durable, automaticCompaction: false)

    static func openStore(
        _ fileSystem: any FileSystem, readOnly: Bool = false, durability: FileStateStore.Durability = .durable
    ) throws(StateStoreError) -> FileStateStore {
        var options = options
        options.readOnly = readOnly
        options.durability = durability
        return try FileStateStore(directory: URL(fileURLWithPath: root), options: options, fileSystem: fileSystem)
    }

    /// Every user's context as `store` loads it, users without one left out.
    func loadAll(_ store: FileStateStore) async throws -> [String: CoachContext] {
        var state: [String: CoachContext] = [:]
        for user in users { state[user] = try await store.loadContext(userID: user) }
        return state
    }

    /// The disk the workload starts from: ``initial`` saved, then a torn record after `ana`'s
    /// last one, everything synced.
    func makeInitialDisk() async throws -> SimulatedDisk {
        let fileSystem = SimulatedFileSystem()
        let store = try Self.openStore(fileSystem)
        for context in initial.values { try await store.saveContext(context) }
        try await store.close()
        let journal = StoreLayout(root: Self.root).journal(UserFolderName.encode("ana"))
        let file = try fileSystem.openFile(journal, create: false, truncate: false)
        try file.write(Array(#"{"seq":2,"events":[{"type":"stateCh"#.utf8), at: try file.size())
        try file.sync(dataOnly: true)
        file.close()
        return fileSystem.disk.afterPowerCut(.strict)
    }
}

/// A short description of a state, for failure messages: each user's message count and state.
func summary(_ state: [String: CoachContext]) -> String {
    state.keys.sorted().map { user in
        let context = state[user]!
        return "\(user): \(context.conversationHistory.count) messages, \(context.currentState)"
    }.joined(separator: "; ")
}
