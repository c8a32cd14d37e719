import CoachPersistence
import CoachTestSupport
import Foundation

/// What the crash writer saves, as a pure function of a seed: the context of user `u` after its
/// `k`-th save. The kill -9 tests import this to recompute what must be on disk.
///
/// Each step appends messages and sets `metadata["step"]`; steps also change the coaching
/// state, the profile and identities, remove metadata keys, edit a past message, regenerate the
/// last reply, edit a message near the end, and condense old history into the summary, so
/// every kind of journal event is written.
enum CrashScript {
    /// The id of user number `index`.
    static func userID(_ index: Int) -> String { "writer-\(index)-é" }

    /// The step a stored context is at (0 for none).
    static func step(of context: CoachContext?) -> Int {
        guard case .number(let step)? = context?.metadata["step"] else { return 0 }
        return Int(step)
    }

    /// The context of user `user` after `step` saves (`nil` for step 0).
    static func context(user: Int, step: Int, seed: UInt64) -> CoachContext? {
        var context: CoachContext?
        for k in stride(from: 1, through: step, by: 1) {
            context = next(after: context, user: user, step: k, seed: seed)
        }
        return context
    }

    /// The context of step `step`, made from the context of the step before.
    static func next(after previous: CoachContext?, user: Int, step k: Int, seed: UInt64) -> CoachContext {
        var rng = SeededRandom(seed: seed, user: user, step: k)
        var context = previous ?? CoachContext(userID: userID(user))
        let time = Date(timeIntervalSince1970: 1_790_000_000 + Double(k) * 60)
        // Edits at the end of the history (format version 2's historyTruncated): regenerate
        // (drop the last reply before this step's messages) and an edit near the end.
        if k % 5 == 0 && !context.conversationHistory.isEmpty { context.conversationHistory.removeLast() }
        if k % 7 == 0 && context.conversationHistory.count >= 3 {
            context.conversationHistory[context.conversationHistory.count - 3].content += " (edited near the end at \(k))"
        }
        for j in 0..<(1 + rng.below(3)) {
            let filler = String(repeating: "lorem ☕️ ", count: rng.below(40))
            context.conversationHistory.append(
                ChatMessage(
                    role: (k + j) % 2 == 0 ? .user : .assistant, content: "u\(user) s\(k) m\(j) \(filler)",
                    timestamp: time.addingTimeInterval(Double(j)), metadata: j == 0 ? ["step": .number(Double(k))] : [:]))
        }
        context.metadata["step"] = .number(Double(k))
        if rng.below(3) == 0 { context.metadata["note-\(rng.below(4))"] = .string("set at \(k)") }
        if rng.below(4) == 0 { context.metadata["note-\(rng.below(4))"] = nil }
        if k % 4 == 0 { context.currentState = CoachingState.standardFlow[rng.below(CoachingState.standardFlow.count)] }
        if k % 6 == 0 { changeProfile(&context, step: k, rng: &rng) }
        if k % 9 == 0 { context.conversationHistory[rng.below(context.conversationHistory.count)].content += " (edited at \(k))" }
        if k % 13 == 0 && context.conversationHistory.count > 20 {
            context.consolidatedSummary = "condensed at step \(k)"
            context.conversationHistory.removeFirst(context.conversationHistory.count / 2)
        }
        return context
    }

    private static func changeProfile(_ context: inout CoachContext, step k: Int, rng: inout SeededRandom) {
        context.userProfile.preferredName = "Name \(rng.below(100))"
        context.userProfile.goals.append("goal of step \(k)")
        if context.userProfile.goals.count > 3 { context.userProfile.goals.removeFirst() }
        context.identities = [
            Identity(
                id: "identity-\(k % 3)", statement: "someone who moves, step \(k)",
                status: rng.below(2) == 0 ? .exploring : .committed, supportingActions: ["walk \(k) minutes"],
                createdAt: Date(timeIntervalSince1970: 1_790_000_000 + Double(k))),
        ]
    }
}

/// The writer's and the test's shared way to draw values: one generator per user and step,
/// so both processes derive the same contexts.
extension SeededRandom {
    init(seed: UInt64, user: Int, step: Int) {
        self.init(seed: seed ^ UInt64(bitPattern: Int64(user)) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(bitPattern: Int64(step)) &* 0xBF58_476D_1CE4_E5B9)
    }

    /// A number in `0..<bound`.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
