import Synchronization

/// The journals a writable store keeps open, bounded by ``FileStateStore/Options/maxOpenFiles``
/// independently of how many users are cached or waiting for compaction (LevelDB's
/// `max_open_files` plays the same part).
///
/// A user's worker leases its journal for the length of one write and sync; when the pool is
/// full, opening another journal first closes the least recently used one that nobody holds. So
/// a store that touched 5,000 users holds at most `limit` journal descriptors (more only while
/// more than `limit` users are writing at the same instant), and a journal closed here is simply
/// reopened by its user's next append.
final class DescriptorPool: Sendable {
    private struct Entry {
        var file: any OpenFile
        var leases = 0
        var lastUse: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var clock: UInt64 = 0
        var closed = false
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) { self.limit = max(1, limit) }

    /// The journal at `path`, leased until ``release(_:)``: the open one, or a new one from
    /// `open` (then `fresh` is true, and the caller checks the file is what it expects).
    func lease(
        _ path: String, open: () throws(FileSystemError) -> any OpenFile
    ) throws(FileSystemError) -> (file: any OpenFile, fresh: Bool) {
        try state.withLock { state throws(FileSystemError) in
            state.clock += 1
            if var entry = state.entries[path] {
                entry.leases += 1
                entry.lastUse = state.clock
                state.entries[path] = entry
                return (entry.file, false)
            }
            Self.closeIdle(in: &state, toFit: limit - 1)
            let file = try open()
            state.entries[path] = Entry(file: file, leases: 1, lastUse: state.clock)
            return (file, true)
        }
    }

    /// Ends one lease of `path`.
    func release(_ path: String) {
        state.withLock { state in
            state.entries[path]?.leases -= 1
            if state.closed, state.entries[path]?.leases == 0 { state.entries.removeValue(forKey: path)?.file.close() }
        }
    }

    /// Closes the journal at `path` if it is open: it was replaced, removed, or may hold a
    /// failed write. The caller holds the user's lock, so nobody else has it leased.
    func discard(_ path: String) {
        state.withLock { state in
            precondition(state.entries[path].map { $0.leases == 0 } ?? true, "discarding a journal in use")
            state.entries.removeValue(forKey: path)?.file.close()
        }
    }

    /// How many journals are open now.
    var openCount: Int { state.withLock { $0.entries.count } }

    /// Closes every journal; leases still held close their file on release.
    func closeAll() {
        state.withLock { state in
            state.closed = true
            Self.closeIdle(in: &state, toFit: 0)
        }
    }

    /// Closes the least recently used journals nobody holds until at most `count` stay open.
    private static func closeIdle(in state: inout State, toFit count: Int) {
        guard state.entries.count > count else { return }
        let idle = state.entries.filter { $0.value.leases == 0 }.sorted { $0.value.lastUse < $1.value.lastUse }
        for (path, entry) in idle.prefix(state.entries.count - max(count, 0)) {
            entry.file.close()
            state.entries[path] = nil
        }
    }
}
