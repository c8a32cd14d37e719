
/// The slots of the users in use, bounded: idle slots beyond the limit are dropped, least
/// recently used first, so memory follows the users in use and not the users on disk. A slot
/// holds no file descriptor (journals live in the ``DescriptorPool``), so dropping one is only
/// forgetting its cached context.
final class UserRegistry: Sendable {
    private struct Entry {
        let slot: UserSlot
        /// Operations, queued compactions' runs and batched flushes that hold the slot.
        var holds: Int
        var lastUse: UInt64
    }

    private struct State {
        var entries: [ExactString: Entry] = [:]
        var clock: UInt64 = 0
    }

    private let state = Locked(State())
    private let limit: Int
    private let makeSlot: @Sendable (String) -> UserSlot

    init(limit: Int, makeSlot: @escaping @Sendable (String) -> UserSlot) {
        self.limit = max(1, limit)
        self.makeSlot = makeSlot
    }

    /// The slot of `userID`, held (never dropped) until ``release(_:)``.
    func acquire(_ userID: String) -> UserSlot {
        state.withLock { state in
            let key = ExactString(userID)
            state.clock += 1
            // One hash of the id per call, found or not: this runs on every operation.
            let clock = state.clock
            let slot = Self.modifyEntry(&state.entries, key, makeNew: { Entry(slot: makeSlot(userID), holds: 0, lastUse: 0) }) { entry in
                entry.holds += 1
                entry.lastUse = clock
                return entry.slot
            }
            if state.entries.count > limit { Self.dropIdle(&state, downTo: limit * 7 / 8) }
            return slot
        }
    }

    /// Ends one hold of `slot`.
    func release(_ slot: UserSlot) {
        state.withLock { state in
            guard let index = state.entries.index(forKey: ExactString(slot.userID)), state.entries.values[index].slot === slot else {
                preconditionFailure("released a slot the registry does not hold")
            }
            state.entries.values[index].holds -= 1
        }
    }

    /// The slot of `userID` if it is cached, without holding it.
    func cached(_ userID: String) -> UserSlot? {
        state.withLock { $0.entries[ExactString(userID)]?.slot }
    }

    /// Every slot right now (for tests and diagnostics).
    var all: [UserSlot] { state.withLock { $0.entries.values.map(\.slot) } }

    /// Drops the oldest idle slots down to `count` (amortizing the scan).
    /// Runs `body` on the entry for `key` in place, inserting `makeNew()` first when there is none.
    private static func modifyEntry<R>(
        _ entries: inout [ExactString: Entry], _ key: ExactString, makeNew: () -> Entry, _ body: (inout Entry) -> R
    ) -> R {
        if let index = entries.index(forKey: key) { return body(&entries.values[index]) }
        var entry = makeNew()
        let result = body(&entry)
        entries[key] = entry
        return result
    }

    private static func dropIdle(_ state: inout State, downTo count: Int) {
        let idle = state.entries.filter { $0.value.holds == 0 }.sorted { $0.value.lastUse < $1.value.lastUse }
        for (key, _) in idle.prefix(state.entries.count - count) { state.entries[key] = nil }
    }
}
