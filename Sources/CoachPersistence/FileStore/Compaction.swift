import Dispatch

/// Compaction: a user's journal folded into a new snapshot on the background queue, while
/// saves go on. The steps, each safe to crash after (see the format page):
///
/// 1. **Capture** (user's queue, instant): the cached context at sequence N and the byte offset
///    where record N ends. The context is already in memory; nothing is replayed.
/// 2. **Snapshot** (compaction queue, long): write `snapshot.json.tmp`, fsync, rename over
///    `snapshot.json`, fsync the folder. Saves keep appending to `journal.jsonl` meanwhile; a
///    crash now leaves records ≤ N in the journal, which replay skips.
/// 3. **Swap** (see `JournalSwap`): copy the records appended since step 1 into
///    `journal.jsonl.tmp` and fdatasync it (compaction queue); then, on the user's queue, append
///    any record saved meanwhile, rename over `journal.jsonl`, fsync the folder. The journal now
///    holds only records above N. A save waits only for that rename and folder sync.
enum Compaction {
    /// Compacts one user; `false` if there was nothing to compact. On the compaction queue.
    static func run(_ slot: UserSlot, store: FileStateStore) throws(StateStoreError) -> Bool {
        guard let capture = try onUserQueue(slot, { () throws(StateStoreError) in try Capture(slot, store) }) else {
            return false
        }
        store.emit(.compactionStarted(userID: slot.userID, journalBytes: capture.boundary))
        let snapshotBytes = try writeSnapshot(capture, slot, store)
        guard let snapshotBytes else { return false }
        let after = try swapJournal(capture, slot, store)
        store.emit(
            .compactionFinished(
                userID: slot.userID, sequence: capture.sequence, snapshotBytes: snapshotBytes,
                journalBytesBefore: capture.boundary, journalBytesAfter: after ?? capture.boundary))
        return true
    }

    /// Step 1's result.
    private struct Capture {
        var context: CoachContext
        var sequence: UInt64
        var boundary: Int
        var generation: UInt64
        var loads: UInt64

        init?(_ slot: UserSlot, _ store: FileStateStore) throws(StateStoreError) {
            let state = try store.loadedState(slot)
            guard let context = state.context, state.journalRecords > 0 else { return nil }
            self.context = context
            sequence = state.sequence
            boundary = state.journalLength
            generation = slot.generation
            loads = slot.loads
        }
    }

    /// Step 2; `nil` if the user was deleted meanwhile. Returns the snapshot's size.
    private static func writeSnapshot(_ capture: Capture, _ slot: UserSlot, _ store: FileStateStore) throws(StateStoreError) -> Int? {
        slot.snapshotLock.lock()
        defer { slot.snapshotLock.unlock() }
        guard slot.generation == capture.generation else { return nil }
        let bytes: [UInt8]
        do {
            bytes = try SnapshotFile(context: capture.context, sequence: capture.sequence).encoded()
        } catch {
            throw .encodingFailed(userID: slot.userID, reason: JSONCoding.reason(error))
        }
        do {
            try store.fileSystem.replaceFileDurably(slot.paths.snapshot, with: bytes, temporaryPath: slot.paths.snapshotTemporary)
        } catch {
            throw StateStoreError(error)
        }
        return bytes.count
    }

    /// Step 3: the replacement journal is written on this queue, then swapped in on the user's.
    /// Returns the new journal's size, or `nil` if the user's state changed under us (the
    /// snapshot is in place and replay skips what it covers, so skipping the swap is safe).
    private static func swapJournal(_ capture: Capture, _ slot: UserSlot, _ store: FileStateStore) throws(StateStoreError) -> Int? {
        let fs = store.fileSystem
        let prepared: JournalSwap.Prepared
        do {
            // Under the snapshot lock, like step 2: a delete waits, and one that came first is seen.
            slot.snapshotLock.lock()
            defer { slot.snapshotLock.unlock() }
            guard slot.generation == capture.generation,
                let ready = try JournalSwap.prepare(from: capture.boundary, paths: slot.paths, fileSystem: fs)
            else { return nil }
            prepared = ready
        } catch {
            throw StateStoreError(error)
        }
        return try onUserQueue(slot) { () throws(StateStoreError) -> Int? in
            guard slot.generation == capture.generation, slot.loads == capture.loads, var state = slot.state,
                state.snapshotSequence < capture.sequence
            else {
                JournalSwap.abandon(prepared.file, paths: slot.paths, fileSystem: fs)
                return nil
            }
            do throws(FileSystemError) {
                guard try JournalSwap.commit(prepared, state: &state, paths: slot.paths, fileSystem: fs) else { return nil }
            } catch {
                // Either journal may be the one on disk now: drop the cache and re-read (rule 10).
                JournalSwap.abandon(prepared.file, paths: slot.paths, fileSystem: fs)
                slot.closeFiles()
                throw StateStoreError(error)
            }
            state.journalRecords = Int(state.sequence - capture.sequence)
            state.snapshotSequence = capture.sequence
            slot.state = state
            return state.journalLength
        }
    }

    private static func onUserQueue<T>(_ slot: UserSlot, _ body: () throws(StateStoreError) -> T) throws(StateStoreError) -> T {
        try slot.queue.sync { Result { () throws(StateStoreError) in try body() } }.get()
    }
}

extension FileStateStore {
    /// Progress of ``compactAll(progress:)``.
    public struct CompactionProgress: Hashable, Sendable {
        /// Users handled so far, this one included.
        public var completed: Int
        /// Users in all.
        public var total: Int
        /// The user just handled.
        public var userID: String
    }

    /// Compacts `userID` now and returns when its snapshot covers every save made before the
    /// call. Does nothing for an unknown user or an empty journal.
    public func compact(userID: String) async throws {
        try Self.validate(userID: userID)
        try checkWritable()
        let slot = registry.acquire(userID)
        let result: Result<Bool, StateStoreError> = await withCheckedContinuation { continuation in
            compactionQueue.async {
                let result = Result { () throws(StateStoreError) in try Compaction.run(slot, store: self) }
                self.registry.release(slot)
                continuation.resume(returning: result)
            }
        }
        _ = try result.get()
    }

    /// Compacts every user, one at a time, calling `progress` after each. A user that fails
    /// (corrupt, unreadable) does not stop the others; the failures are returned.
    @discardableResult
    public func compactAll(progress: (@Sendable (CompactionProgress) -> Void)? = nil) async throws -> [StateStoreError] {
        let ids = try await userIDs()
        var failures: [StateStoreError] = []
        for (index, id) in ids.enumerated() {
            do {
                try await compact(userID: id)
            } catch let error as StateStoreError {
                if case .closed = error { throw error }
                failures.append(error)
            }
            progress?(CompactionProgress(completed: index + 1, total: ids.count, userID: id))
        }
        return failures
    }

    /// Queues a background compaction of the user if its journal passed a threshold. On the slot's queue.
    func scheduleCompactionIfDue(_ slot: UserSlot, _ state: UserState) {
        guard options.automaticCompaction,
            state.journalLength >= options.compactionThresholdBytes
                || state.journalRecords >= options.compactionThresholdRecords,
            registry.markCompactionQueued(slot, true)
        else { return }
        _ = registry.acquire(slot.userID)
        compactionQueue.async {
            _ = self.registry.markCompactionQueued(slot, false)
            do throws(StateStoreError) {
                _ = try Compaction.run(slot, store: self)
            } catch {
                self.emit(.compactionFailed(userID: slot.userID, error: error))
            }
            self.registry.release(slot)
        }
    }
}
