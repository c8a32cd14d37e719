import Dispatch

/// One user's place in a running store.
///
/// Every mutable field of a user lives behind one of three locks, and nowhere else:
/// - ``core`` (``Core``): the cached ``UserState``, how often it was loaded, and what a batched
///   flush still owes. Held by whoever works on the user — the worker running a batch of
///   requests (across its write and `fdatasync`), a compaction step, a flush, a delete. Holding
///   it is what makes one user's operations happen one at a time.
/// - ``generation``: bumped by a delete (under ``core``). A compaction holds it while it writes
///   the user's snapshot, so a delete waits for that write and a compaction that started before
///   a delete never writes into the user's new life. Lock order: ``core``, then ``generation``.
/// - ``inbox`` (``Inbox``): requests submitted and not yet taken, and whether a worker drains
///   them. Held for an instant only, so submitting never waits for the disk; requests that
///   arrive while a batch is being synced form the next batch and share its `fdatasync`
///   (group commit).
final class UserSlot: Sendable {
    let userID: String
    let paths: UserPaths
    /// Where the user's worker runs when the caller cannot run it inline. A serial queue with no
    /// target gets a thread of its own when busy ("overcommit"), so N users blocked in
    /// `fdatasync` are N syncs in flight rather than as many as there are cores.
    let queue: DispatchQueue
    let core: Locked<Core>
    let generation = Locked<UInt64>(0)
    /// The user's journal descriptor, opened and closed by the store's ``DescriptorPool``.
    let journal = JournalHandle()
    private let inbox = Locked(Inbox())

    /// The user's cached state and what is owed to the disk.
    struct Core: Sendable {
        /// The cached state; `nil` until loaded, and again after a failed write (durability rule 10:
        /// re-read from disk before the next write).
        var state: UserState?
        /// How many times the state was read from disk: a compaction that captured offsets in
        /// one loaded state must not apply them to another.
        var loads: UInt64 = 0
        /// Under `.batched`/`.unsynced`: whether the journal has writes not yet synced, and the
        /// folders whose new entries are not yet synced. A delete clears it (nothing is left to
        /// sync); a failed write does not (the earlier acknowledged saves still need the sync).
        var unsynced = false
        var unsyncedDirectories: [String] = []
    }

    /// Requests waiting for the worker.
    private struct Inbox {
        var requests: [UserRequest] = []
        var draining = false
    }

    init(userID: String, paths: UserPaths) {
        self.userID = userID
        self.paths = paths
        self.queue = DispatchQueue(label: "coach-persistence.user")
        self.core = Locked(Core())
    }

    /// Queues `request`; `true` if no worker was running, so the caller must start one.
    func submit(_ request: UserRequest) -> Bool {
        inbox.withLock { inbox in
            inbox.requests.append(request)
            defer { inbox.draining = true }
            return !inbox.draining
        }
    }

    /// Marks the worker running for a caller that will run one operation itself, without
    /// queuing it; `false` if a worker is running or requests wait (then the caller queues).
    func beginInline() -> Bool {
        inbox.withLock { inbox in
            guard !inbox.draining else { return false }
            inbox.draining = true
            return true
        }
    }

    /// After an operation run by a caller inline: `true` if more requests are queued (a worker on the
    /// queue must take them), else marks the worker stopped.
    func continueDraining() -> Bool {
        inbox.withLock { inbox in
            if inbox.requests.isEmpty { inbox.draining = false }
            return inbox.draining
        }
    }

    /// How many requests wait for the worker (for tests and diagnostics).
    var queuedRequests: Int { inbox.withLock { $0.requests.count } }

    /// Takes every queued request, or marks the worker stopped when there are none.
    func takeRequests() -> [UserRequest] {
        inbox.withLock { inbox in
            if inbox.requests.isEmpty { inbox.draining = false }
            defer { inbox.requests = [] }
            return inbox.requests
        }
    }
}
