import Dispatch
import Foundation

/// The background flush of ``FileStateStore/Durability/batched(interval:)``: every interval,
/// each user with unsynced saves has its journal `fdatasync`ed and its new folders `fsync`ed.
final class BatchFlusher: @unchecked Sendable {
    private let interval: Duration
    private let lock = NSLock()
    private var dirty: [ObjectIdentifier: (slot: UserSlot, directories: [String])] = [:]
    private var timer: DispatchSourceTimer?

    init(interval: Duration) { self.interval = interval }

    /// Starts the timer; it holds the store weakly, so dropping the store stops it.
    func start(store: FileStateStore) {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "coach-persistence.flush", qos: .utility))
        let nanoseconds = Int(interval.components.seconds * 1_000_000_000 + interval.components.attoseconds / 1_000_000_000)
        timer.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(max(nanoseconds, 1_000_000)))
        timer.setEventHandler { [weak store] in
            guard let store else { return }
            for failure in store.flushAll() { _ = failure }
        }
        lock.withLock { self.timer = timer }
        timer.resume()
    }

    func stop() {
        lock.withLock {
            timer?.cancel()
            timer = nil
        }
    }

    /// Notes that `slot` has unsynced saves. The slot counts as busy until flushed, so the
    /// registry never drops it with data still unsynced. Called on the slot's queue.
    func markDirty(_ slot: UserSlot, directories: [String], registry: UserRegistry) {
        let isNew = lock.withLock { () -> Bool in
            let key = ObjectIdentifier(slot)
            let entry = dirty[key]
            dirty[key] = (slot, (entry?.directories ?? []) + directories)
            return entry == nil
        }
        if isNew { _ = registry.acquire(slot.userID) }
    }

    /// Syncs every dirty user now, each on its own queue (or directly when `onQueues` is false:
    /// only from `deinit`, when no operation can be running); returns the failures.
    func flushNow(store: FileStateStore, onQueues: Bool = true) -> [StateStoreError] {
        let batch = lock.withLock { () -> [(slot: UserSlot, directories: [String])] in
            defer { dirty = [:] }
            return Array(dirty.values)
        }
        var failures: [StateStoreError] = []
        for (slot, directories) in batch {
            let flush = { () -> StateStoreError? in
                do throws(FileSystemError) {
                    try slot.state?.journal?.sync(dataOnly: true)
                    for directory in directories { try store.fileSystem.syncDirectory(directory) }
                    return nil
                } catch {
                    slot.closeFiles()
                    return StateStoreError(error)
                }
            }
            let failure = onQueues ? slot.queue.sync(execute: flush) : flush()
            store.registry.release(slot)
            if let failure {
                failures.append(failure)
                store.emit(.flushFailed(userID: slot.userID, error: failure))
            }
        }
        return failures
    }
}
