import Dispatch

/// The background flush of ``FileStateStore/Durability/batched(interval:)``: every interval,
/// each user with unsynced saves has its journal `fdatasync`ed and its new folders `fsync`ed.
///
/// A user with unsynced saves keeps its slot held in the registry until flushed, so it is never
/// dropped with a debt; what is owed lives in the slot's core (``UserSlot/Core/unsynced``), so a
/// delete cancels it and a failed save does not.
final class BatchFlusher: Sendable {
    private let interval: Duration
    private let dirty = Locked<[ExactString: UserSlot]>([:])
    /// The timer. Dispatch sources are safe to use from any thread (libdispatch documents
    /// `setEventHandler`, `resume` and `cancel` as thread-safe); it is only configured and
    /// resumed in ``start(store:)`` and cancelled in ``stop()``.
    private nonisolated(unsafe) let source = DispatchSource.makeTimerSource(
        queue: DispatchQueue(label: "coach-persistence.flush", qos: .utility))

    init(interval: Duration) { self.interval = interval }

    /// Starts the timer; it holds the store weakly, so dropping the store stops it.
    func start(store: FileStateStore) {
        let nanoseconds = Int(interval.components.seconds * 1_000_000_000 + interval.components.attoseconds / 1_000_000_000)
        source.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(max(nanoseconds, 1_000_000)))
        source.setEventHandler { [weak store] in
            guard let store, (try? store.lifecycle.enter()) != nil else { return }
            defer { store.lifecycle.leave() }
            _ = store.flushAll()
        }
        source.resume()
    }

    func stop() {
        source.cancel()
    }

    /// Notes that `slot` has unsynced saves, holding it in `registry` until flushed. Called by
    /// the user's worker after a write.
    func markDirty(_ slot: UserSlot, registry: UserRegistry) {
        let isNew = dirty.withLock { dirty in dirty.updateValue(slot, forKey: ExactString(slot.userID)) == nil }
        if isNew { _ = registry.acquire(slot.userID) }
    }

    /// Syncs every dirty user now, each under its lock; returns the failures.
    func flushNow(store: FileStateStore) -> [StateStoreError] {
        let batch = dirty.withLock { dirty in
            defer { dirty = [:] }
            return Array(dirty.values)
        }
        var failures: [StateStoreError] = []
        for slot in batch {
            let failure = store.flush(slot)
            store.registry.release(slot)
            if let failure {
                failures.append(failure)
                store.emit(.flushFailed(userID: slot.userID, error: failure))
            }
        }
        return failures
    }
}
