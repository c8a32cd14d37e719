import Synchronization

/// The journals a writable store keeps open, bounded by ``FileStateStore/Options/maxOpenFiles``
/// independently of how many users are cached or waiting for compaction (LevelDB's
/// `max_open_files` plays the same part).
///
/// Each user's journal is a ``JournalHandle`` that its worker leases for one write and sync.
/// Leasing an open handle takes only that handle's lock, so parallel saves of different users
/// never meet on a shared lock; the pool's lock is taken only to open a journal, and then the
/// least recently used handles that nobody holds are closed to make room. So a store that
/// touched 5,000 users holds at most `limit` journal descriptors (more only while more than
/// `limit` users write at the same instant), and a journal closed here is reopened by its
/// user's next save.
final class DescriptorPool: Sendable {
    private struct State {
        var open: [ObjectIdentifier: JournalHandle] = [:]
        var closed = false
    }

    private let limit: Int
    private let state = Locked(State())
    private let clock = Atomic<UInt64>(0)

    init(limit: Int) { self.limit = max(1, limit) }

    /// The handle's file, leased until ``JournalHandle/release()``: the open one, or a new one
    /// from `open` (then `fresh` is true, and the caller checks the file is what it expects).
    func lease(
        _ handle: JournalHandle, open: () throws(FileSystemError) -> any OpenFile
    ) throws(FileSystemError) -> (file: any OpenFile, fresh: Bool) {
        let stamp = clock.add(1, ordering: .relaxed).newValue
        if let file = handle.leaseIfOpen(stamp) { return (file, false) }
        return try state.withLock { state throws(FileSystemError) in
            closeIdle(&state, toFit: limit - 1)
            let file = try open()
            handle.install(file, stamp)
            state.open[ObjectIdentifier(handle)] = handle
            if state.closed { handle.closeWhenReleased() }
            return (file, true)
        }
    }

    /// Closes the handle's file if it is open: it was replaced, removed, or may hold a failed
    /// write. The caller holds the user's lock, so nobody else has it leased.
    func discard(_ handle: JournalHandle) {
        state.withLock { state in
            handle.close()
            state.open[ObjectIdentifier(handle)] = nil
        }
    }

    /// How many journals are open now.
    var openCount: Int { state.withLock { state in state.open.values.filter(\.isOpen).count } }

    /// Closes every journal; one still leased closes on release.
    func closeAll() {
        state.withLock { state in
            state.closed = true
            for handle in state.open.values where !handle.closeIfIdle() { handle.closeWhenReleased() }
            state.open = [:]
        }
    }

    /// Closes the least recently used idle journals until at most `count` stay open.
    private func closeIdle(_ state: inout State, toFit count: Int) {
        state.open = state.open.filter(\.value.isOpen)
        guard state.open.count > count else { return }
        let byAge = state.open.values.sorted { $0.lastUse < $1.lastUse }
        var excess = state.open.count - max(count, 0)
        for handle in byAge where excess > 0 && handle.closeIfIdle() {
            state.open[ObjectIdentifier(handle)] = nil
            excess -= 1
        }
    }
}
