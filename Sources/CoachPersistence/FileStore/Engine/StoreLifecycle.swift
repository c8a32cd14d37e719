
/// Whether a store is open, the work in flight, the lock it holds, and its one closing.
///
/// Entering an operation checks "open" and counts it in one step, so nothing starts after
/// ``FileStateStore/close()`` has begun, and closing waits until everything that started has
/// left before it releases the directory.
final class StoreLifecycle: Sendable {
    private struct State {
        var closing = false
        var inFlight = 0
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        var closeTask: Task<Void, any Error>?
        var lock: (any HeldLock)?
    }

    private let state: Locked<State>
    private let directory: String

    init(directory: String, lock: (any HeldLock)?) {
        self.directory = directory
        self.state = Locked(State(lock: lock))
    }

    /// Counts one operation in; `true` if nothing else was in flight. Throws
    /// ``StateStoreError/closed(directory:)`` once closing has begun.
    func enter() throws(StateStoreError) -> Bool {
        try state.withLock { state throws(StateStoreError) in
            if state.closing { throw .closed(directory: directory) }
            state.inFlight += 1
            return state.inFlight == 1
        }
    }

    /// Counts one operation out.
    func leave() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.inFlight -= 1
            guard state.inFlight == 0 else { return [] }
            defer { state.idleWaiters = [] }
            return state.idleWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// How many operations are in flight (for tests and diagnostics).
    var inFlight: Int { state.withLock { $0.inFlight } }

    /// Whether closing has begun.
    var isClosing: Bool { state.withLock { $0.closing } }

    /// The one task that closes the store: made by the first call, shared by every later one,
    /// so each ``FileStateStore/close()`` returns only once the directory is released.
    func closing(_ makeTask: () -> Task<Void, any Error>) -> Task<Void, any Error> {
        state.withLock { state in
            state.closing = true
            if let task = state.closeTask { return task }
            let task = makeTask()
            state.closeTask = task
            return task
        }
    }

    /// Returns once no operation is in flight.
    func waitUntilIdle() async {
        await withCheckedContinuation { continuation in
            let idle = state.withLock { state in
                if state.inFlight == 0 { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    /// Releases the directory's lock (once).
    func releaseLock() {
        state.withLock { state in
            state.lock?.close()
            state.lock = nil
        }
    }
}
