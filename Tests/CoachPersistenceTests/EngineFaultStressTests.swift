import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// The per-user engine under load and faults, checked from outside: rounds of 1–16 concurrent
/// tasks on two users, so that an operation sometimes runs alone (inline, on the caller's
/// thread) and sometimes queues with others (one write and one sync per batch), while a
/// fraction of the journal writes fail with `EIO`. Whatever the path, a call that returned is
/// on disk and a call that threw is not.
@Suite("Engine stress: inline and batched operations under injected write faults")
struct EngineFaultStressTests {
    static let users = ["ana", "bo"]
    static let rounds = 200
    /// The share of journal writes that fail.
    static let failureRate = 0.12
    /// How long a round (a few milliseconds) may take before the test decides a call hangs.
    static let roundLimit = Duration.seconds(30)

    @Test(
        "two users, rounds of 1–16 concurrent tasks, EIO on some journal writes: exactly the acknowledged messages reach the disk, each task's in order",
        arguments: [FileStateStore.Durability.durable, .unsynced])
    func acknowledgedCallsAndOnlyThoseReachTheDisk(_ durability: FileStateStore.Durability) async throws {
        let dir = TemporaryDirectory("engine-stress")
        defer { dir.remove() }
        let seed: UInt64 = durability == .durable ? 1 : 2
        let faults = JournalFaults(failureRate: Self.failureRate, seed: seed)
        let fs = RecordingFileSystem(root: dir.url)
        fs.interceptWrite = { path, bytes, write throws(FileSystemError) in try faults.write(bytes, to: path, with: write) }
        let store = try FileStateStore(directory: dir.url, options: .init(durability: durability), fileSystem: fs)
        var random = SeededRandom(seed: seed)
        var outcomes: [Outcome] = []
        for round in 0..<Self.rounds {
            let plans = Self.plan(round: round, using: &random)
            guard let results = await Self.run(plans, on: store, within: Self.roundLimit) else {
                // The stuck calls cannot be cancelled; they are left behind with the store.
                Issue.record("round \(round): \(plans.count) tasks had not all returned after \(Self.roundLimit): a call waits forever")
                return
            }
            outcomes += results
        }
        try await store.close()
        let stats = faults.stats

        // Every failure is typed, and one the store may report for that call.
        let unexplained = outcomes.compactMap { outcome -> String? in
            let op = outcome.op
            switch (op.kind, outcome.failure) {
            case (.nanUpdate, nil): return "\(op.message) (NaN update) returned normally"
            case (_, nil): return nil
            case (_, .other(let text)?): return "\(op.message) (\(op.kind)) threw something other than a StateStoreError: \(text)"
            case (_, .store(let error)?):
                if Self.isInjected(error) { return nil }
                if op.kind == .conditionalSave, case .conflict = error { return nil }
                if op.kind == .nanUpdate, case .encodingFailed = error { return nil }
                return "\(op.message) (\(op.kind)) threw an error it had no cause for: \(error)"
            }
        }
        #expect(unexplained.count == 0, "calls that failed wrongly: \(unexplained.prefix(5))")

        // Each injected fault failed a batch with at least one staged record, so at least one call.
        let injectedFailures = outcomes.filter { if case .store(let error)? = $0.failure { Self.isInjected(error) } else { false } }.count
        #expect(stats.injected > 0 && injectedFailures >= stats.injected,
                "\(stats.injected) journal writes failed, but only \(injectedFailures) calls reported it: a failed write was acknowledged")
        // Both paths ran, under faults: single operations inline, and queued batches of several records.
        #expect(stats.inlineWrites > 0 && stats.inlineInjected > 0, "no inline write, or none failed: \(stats)")
        #expect(stats.groupedWrites > 0 && stats.groupedInjected > 0, "no batch of several records, or none failed: \(stats)")
        #expect(outcomes.contains { $0.op.kind == .nanUpdate }, "no update stored NaN")

        // Reopened on the real file system: each user holds exactly the acknowledged messages.
        let reopened = try FileStateStore(directory: dir.url, options: .init(durability: durability))
        for user in Self.users {
            let context = try await reopened.loadContext(userID: user)
            let onDisk = context?.conversationHistory.map(\.content) ?? []
            let problems = Self.check(onDisk, against: outcomes.filter { $0.op.user == user })
            #expect(problems.count == 0, "\(user), \(onDisk.count) messages on disk: \(problems.joined(separator: "; "))")
            let storedNaN = context?.metadata[Self.nanKey] != nil
            #expect(!storedNaN, "\(user): the NaN an update failed to encode was stored")
        }
        try await reopened.close()
    }

    // MARK: The workload

    enum Kind: Sendable, CustomStringConvertible {
        /// `updateContext` appending the message.
        case append
        /// `loadStoredContext`, then `saveContext(_:ifRevision:)` with the message appended.
        case conditionalSave
        /// `updateContext` appending the message and storing NaN in the metadata: must fail.
        case nanUpdate
        /// `loadContext`.
        case load

        var description: String {
            switch self {
            case .append: "update"
            case .conditionalSave: "conditional save"
            case .nanUpdate: "NaN update"
            case .load: "load"
            }
        }
    }

    /// One call a task makes; `message` names it, and is the message it adds (unless a load).
    struct Op: Sendable {
        let round: Int
        let task: Int
        let step: Int
        let user: String
        let kind: Kind
        var message: String { "r\(round)-t\(task)-s\(step)" }
    }

    enum Failure: Sendable, CustomStringConvertible {
        case store(StateStoreError)
        case other(String)

        init(_ error: any Error) {
            self = (error as? StateStoreError).map { .store($0) } ?? .other(String(describing: error))
        }

        var description: String {
            switch self {
            case .store(let error): "\(error)"
            case .other(let text): text
            }
        }
    }

    /// What a call did.
    struct Outcome: Sendable {
        let op: Op
        /// What it threw; `nil` if it returned normally.
        var failure: Failure?
        /// The history a load returned, or the load before a conditional save.
        var loaded: [String]?
        /// The messages this task added to the same user, acknowledged before this call.
        var ownEarlier: [String]
    }

    static let nanKey = "stress-nan"

    /// The round's tasks: one alone in a quarter of the rounds (it runs inline), else 2–16 (most
    /// of their calls queue), each making 1–3 calls.
    static func plan(round: Int, using random: inout SeededRandom) -> [[Op]] {
        let tasks = Bool.random(using: &random) && Bool.random(using: &random) ? 1 : Int.random(in: 2...16, using: &random)
        return (0..<tasks).map { task in
            (0..<Int.random(in: 1...3, using: &random)).map { step in
                let roll = Int.random(in: 0..<100, using: &random)
                let kind: Kind = roll < 45 ? .append : roll < 70 ? .conditionalSave : roll < 90 ? .load : .nanUpdate
                return Op(round: round, task: task, step: step, user: users.randomElement(using: &random)!, kind: kind)
            }
        }
    }

    /// Runs the round's tasks concurrently; their outcomes, or `nil` if they had not all
    /// returned within `limit`. Unlike a task group, which would wait for them, this gives up on
    /// calls that never return (a lost wake-up), so the test fails instead of hanging.
    static func run(_ plans: [[Op]], on store: FileStateStore, within limit: Duration) async -> [Outcome]? {
        let waiter = Locked<CheckedContinuation<[Outcome]?, Never>?>(nil)
        let finish: @Sendable ([Outcome]?) -> Void = { outcomes in
            waiter.withLock { $0.take() }?.resume(returning: outcomes)
        }
        return await withCheckedContinuation { continuation in
            waiter.withLock { $0 = continuation }
            let tasks = plans.map { plan in Task { await perform(plan, on: store) } }
            let watchdog = Task {
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                finish(nil)
            }
            Task {
                var outcomes: [Outcome] = []
                for task in tasks { outcomes += await task.value }
                finish(outcomes)
                watchdog.cancel()
            }
        }
    }

    /// Runs one task's calls in order.
    static func perform(_ ops: [Op], on store: FileStateStore) async -> [Outcome] {
        var outcomes: [Outcome] = []
        for op in ops {
            let ownEarlier = outcomes.filter { $0.op.user == op.user && $0.op.kind != .load && $0.failure == nil }.map(\.op.message)
            var outcome = Outcome(op: op, failure: nil, loaded: nil, ownEarlier: ownEarlier)
            let message = ChatMessage(role: .user, content: op.message)
            do {
                switch op.kind {
                case .append:
                    try await store.updateContext(userID: op.user) { $0.conversationHistory.append(message) }
                case .nanUpdate:
                    try await store.updateContext(userID: op.user) { context in
                        context.conversationHistory.append(message)
                        context.metadata[nanKey] = .number(.nan)
                    }
                case .conditionalSave:
                    let stored = try await store.loadStoredContext(userID: op.user)
                    var context = stored?.context ?? CoachContext(userID: op.user)
                    outcome.loaded = context.conversationHistory.map(\.content)
                    context.conversationHistory.append(message)
                    _ = try await store.saveContext(context, ifRevision: stored?.revision)
                case .load:
                    outcome.loaded = try await store.loadContext(userID: op.user)?.conversationHistory.map(\.content) ?? []
                }
            } catch {
                outcome.failure = Failure(error)
            }
            outcomes.append(outcome)
        }
        return outcomes
    }

    static func isInjected(_ error: StateStoreError) -> Bool {
        if case .io(let operation, _, let errno, _) = error { return errno == EIO && operation.hasSuffix("(injected)") }
        return false
    }

    // MARK: The checks

    /// What is wrong with `onDisk` (one user's messages after reopening) given that user's calls:
    /// a line per kind of problem, with a few examples.
    static func check(_ onDisk: [String], against outcomes: [Outcome]) -> [String] {
        var problems: [String] = []
        func report(_ what: String, _ examples: [String]) {
            if !examples.isEmpty { problems.append("\(examples.count) \(what), e.g. \(examples.prefix(5))") }
        }
        let acknowledged = outcomes.filter { $0.op.kind != .load && $0.failure == nil }
        let byMessage = Dictionary(outcomes.filter { $0.op.kind != .load }.map { ($0.op.message, $0) }, uniquingKeysWith: { a, _ in a })
        var position: [String: Int] = [:]
        var duplicates: [String] = []
        for (index, message) in onDisk.enumerated() where position.updateValue(index, forKey: message) != nil {
            duplicates.append(message)
        }
        report("messages on disk twice", duplicates)
        report(
            "acknowledged calls not on disk",
            acknowledged.filter { position[$0.op.message] == nil }.map { "\($0.op.message) (\($0.op.kind))" })
        report(
            "messages on disk whose call threw",
            onDisk.compactMap { message in
                guard let call = byMessage[message] else { return "\(message) (never made)" }
                guard let failure = call.failure else { return nil }
                return "\(message) (\(call.op.kind), threw \(failure))"
            })

        // Each task's messages in the order it made them, and rounds (which ran one after
        // another) in their order.
        report(
            "tasks whose messages are out of order",
            Dictionary(grouping: acknowledged, by: { [$0.op.round, $0.op.task] }).values.compactMap { calls in
                let positions = calls.sorted { $0.op.step < $1.op.step }.compactMap { position[$0.op.message] }
                return positions == positions.sorted() ? nil : "r\(calls[0].op.round)-t\(calls[0].op.task)"
            })
        let rounds = onDisk.compactMap { byMessage[$0]?.op.round }
        report(
            "messages before one of an earlier round",
            zip(rounds, rounds.dropFirst()).enumerated().filter { $0.element.0 > $0.element.1 }.map { onDisk[$0.offset + 1] })

        // A load returned what was on disk then: a prefix of the final history, holding every
        // message acknowledged before it began (those of earlier rounds, and its task's earlier ones).
        var lastBefore: [Int: Int] = [:]  // round → last position of a message of an earlier round
        var last = -1
        let acknowledgedByRound = Dictionary(grouping: acknowledged, by: \.op.round)
        for round in 0...(outcomes.map(\.op.round).max() ?? 0) {
            lastBefore[round] = last
            for call in acknowledgedByRound[round] ?? [] { last = max(last, position[call.op.message] ?? -1) }
        }
        let loads = outcomes.filter { $0.loaded != nil }
        report(
            "loads that returned a history the final one does not start with",
            loads.filter { !onDisk.starts(with: $0.loaded!) }.map { "\($0.op.message) (\($0.op.kind)) ending \($0.loaded!.suffix(2))" })
        report(
            "loads that missed a message acknowledged before they began",
            loads.filter { outcome in
                let required = max(lastBefore[outcome.op.round] ?? -1, outcome.ownEarlier.compactMap { position[$0] }.max() ?? -1)
                return outcome.loaded!.count <= required
            }.map { "\($0.op.message) (\($0.op.kind))" })
        return problems
    }
}

/// `EIO` on a fraction of the writes to users' journals (half of them after writing part of
/// the bytes, as a torn `pwrite` would), and a count of the writes by path: inline (the
/// caller's task) or on a user's queue, and how many records each held.
private final class JournalFaults: Sendable {
    struct Stats: Sendable, CustomStringConvertible {
        var journalWrites = 0
        var injected = 0
        /// Writes made in a caller's task (the inline path), and how many of them failed.
        var inlineWrites = 0
        var inlineInjected = 0
        /// Writes of several records at once (queued batches), and how many of them failed.
        var groupedWrites = 0
        var groupedInjected = 0
        var largestBatch = 0

        var description: String {
            "\(journalWrites) journal writes, \(injected) failed; inline \(inlineWrites) (\(inlineInjected) failed); "
                + "batches of several records \(groupedWrites) (\(groupedInjected) failed), largest \(largestBatch)"
        }
    }

    private struct State: Sendable {
        var random: SeededRandom
        var stats = Stats()
    }

    private let failureRate: Double
    private let state: Locked<State>

    init(failureRate: Double, seed: UInt64) {
        self.failureRate = failureRate
        state = Locked(State(random: SeededRandom(seed: seed)))
    }

    var stats: Stats { state.withLock { $0.stats } }

    /// Counts a write of `bytes` to `path` and makes it with `write`; throws `EIO` for the
    /// writes chosen to fail.
    func write(_ bytes: [UInt8], to path: String, with write: ([UInt8]) throws(FileSystemError) -> Void) throws(FileSystemError) {
        guard path.hasSuffix("/journal.jsonl") else { return try write(bytes) }
        let records = bytes.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        // Inline, the caller's task writes; a user's queue writes outside of any task.
        let inline = withUnsafeCurrentTask { $0 != nil }
        let (fail, torn) = state.withLock { state in
            let fail = Double.random(in: 0..<1, using: &state.random) < failureRate
            let torn = Bool.random(using: &state.random)
            state.stats.journalWrites += 1
            state.stats.injected += fail ? 1 : 0
            if inline {
                state.stats.inlineWrites += 1
                state.stats.inlineInjected += fail ? 1 : 0
            }
            if records > 1 {
                state.stats.groupedWrites += 1
                state.stats.groupedInjected += fail ? 1 : 0
            }
            state.stats.largestBatch = max(state.stats.largestBatch, records)
            return (fail, torn)
        }
        guard fail else { return try write(bytes) }
        if torn { try write(Array(bytes.prefix(bytes.count / 2))) }
        throw FileSystemError(operation: "write (injected)", path: path, errno: EIO)
    }
}
