import Dispatch
import Foundation

/// One user's place in a running store: a serial queue that orders the user's operations, and
/// the cached ``UserState`` that only that queue touches.
final class UserSlot: @unchecked Sendable {
    let userID: String
    let paths: UserPaths
    /// Runs the user's operations one at a time; different users' queues run in parallel.
    let queue: DispatchQueue
    /// Held while a compaction writes files into the user's folder, and by delete, so the two never overlap.
    let snapshotLock = NSLock()

    /// The cached state; `nil` until loaded, and again after a failed write. Only on ``queue``.
    var state: UserState?
    /// Bumped (on ``queue``, under ``snapshotLock``) when the user is deleted: a compaction that
    /// started before must not write into the user's new life.
    var generation: UInt64 = 0
    /// How many times the state was read from disk (on ``queue``): a compaction that captured
    /// offsets in one loaded state must not apply them to another.
    var loads: UInt64 = 0

    // Guarded by the registry's lock.
    var pendingOperations = 0
    var lastUse: UInt64 = 0
    var compactionQueued = false

    // No target queue: a serial queue of its own gets a thread of its own when it has work
    // ("overcommit"), so N users blocked in fdatasync are N syncs in flight, which the file
    // system commits together. Behind a shared concurrent queue they would be capped at the
    // number of cores.
    init(userID: String, paths: UserPaths) {
        self.userID = userID
        self.paths = paths
        self.queue = DispatchQueue(label: "coach-persistence.user")
    }

    /// Closes the state's files; the slot must be idle.
    func closeFiles() {
        state?.closeJournal()
        state = nil
    }
}

/// The slots of the users in use, bounded: idle slots beyond the limit are dropped, least
/// recently used first, so memory follows the users in use and not the users on disk.
final class UserRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [ExactString: UserSlot] = [:]
    private var clock: UInt64 = 0
    private let limit: Int
    private let makeSlot: (String) -> UserSlot

    init(limit: Int, makeSlot: @escaping (String) -> UserSlot) {
        self.limit = max(1, limit)
        self.makeSlot = makeSlot
    }

    /// The slot of `userID`, marked busy until ``release(_:)``.
    func acquire(_ userID: String) -> UserSlot {
        lock.lock()
        defer { lock.unlock() }
        let key = ExactString(userID)
        let slot = slots[key] ?? makeSlot(userID)
        slots[key] = slot
        clock += 1
        slot.lastUse = clock
        slot.pendingOperations += 1
        if slots.count > limit { evictIdle() }
        return slot
    }

    /// Marks one operation of `slot` finished.
    func release(_ slot: UserSlot) {
        lock.lock()
        slot.pendingOperations -= 1
        lock.unlock()
    }

    /// Sets the slot's compaction flag; `false` if it was already set.
    func markCompactionQueued(_ slot: UserSlot, _ queued: Bool) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if queued && slot.compactionQueued { return false }
        slot.compactionQueued = queued
        return true
    }

    /// Every slot right now.
    var all: [UserSlot] {
        lock.lock()
        defer { lock.unlock() }
        return Array(slots.values)
    }

    /// Whether any operation is still pending.
    var isBusy: Bool {
        lock.lock()
        defer { lock.unlock() }
        return slots.values.contains { $0.pendingOperations > 0 }
    }

    /// Drops the oldest idle slots down to seven eighths of the limit (amortizing the scan).
    private func evictIdle() {
        let idle = slots.filter { $0.value.pendingOperations == 0 }.sorted { $0.value.lastUse < $1.value.lastUse }
        for (key, slot) in idle.prefix(slots.count - limit * 7 / 8) {
            slots[key] = nil
            slot.closeFiles()
        }
    }
}
