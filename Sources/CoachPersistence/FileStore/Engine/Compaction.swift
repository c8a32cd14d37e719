import Dispatch

/// Compaction: a user's journal folded into a new snapshot on the background thread, while
/// saves go on. The steps, each safe to crash after (see the format page):
///
/// 1. **Capture** (under the user's lock, instant): the cached context at sequence N, its
///    revision, and the byte offset where record N ends. Nothing is replayed.
/// 2. **Snapshot** (compaction thread, long): write `snapshot.json.tmp`, fsync, rename over
///    `snapshot.json`, fsync the folder. Saves keep appending to `journal.jsonl` meanwhile; a
///    crash now leaves records ≤ N in the journal, which replay skips (durability rule 7: the
///    snapshot is durable before the journal loses anything).
/// 3. **Swap** (see `JournalSwap`): copy the records appended since step 1 into
///    `journal.jsonl.tmp` and fdatasync it (compaction thread); then, under the user's lock,
///    append any record saved meanwhile, rename over `journal.jsonl`, fsync the folder. The
///    journal now holds only records above N. A save waits only for that rename and folder sync.
enum Compaction {
    /// Compacts one user; `false` if there was nothing to compact. On the compaction thread.
    static func run(_ slot: UserSlot, store: FileStateStore) throws(StateStoreError) -> Bool {
        precondition(store.compactionThread.isCurrent, "compaction runs on the store's compaction thread")
        guard let capture = try Capture.take(slot, store) else { return false }
        store.emit(.compactionStarted(userID: slot.userID, journalBytes: capture.boundary))
        guard let snapshotBytes = try writeSnapshot(capture, slot, store) else { return false }
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
        var revision: ContextRevision
        var boundary: Int
        var generation: UInt64
        var loads: UInt64

        static func take(_ slot: UserSlot, _ store: FileStateStore) throws(StateStoreError) -> Capture? {
            try slot.core.withLock { core throws(StateStoreError) -> Capture? in
                try store.ensureLoaded(&core, slot)
                guard let state = core.state, let context = state.context, let revision = state.revision,
                    state.journalRecords > 0
                else { return nil }
                return Capture(
                    context: context, sequence: state.sequence, revision: revision, boundary: state.journalLength,
                    generation: slot.generation.withLock { $0 }, loads: core.loads)
            }
        }
    }

    /// Step 2; `nil` if the user was deleted meanwhile. Returns the snapshot's size. Holds the
    /// user's generation, so a delete waits for the rename and is seen if it came first.
    private static func writeSnapshot(_ capture: Capture, _ slot: UserSlot, _ store: FileStateStore) throws(StateStoreError) -> Int? {
        let bytes: [UInt8]
        do {
            bytes = try SnapshotFile(context: capture.context, sequence: capture.sequence, revision: capture.revision.description).encoded()
        } catch {
            throw .encodingFailed(userID: slot.userID, reason: JSONCoding.reason(error))
        }
        return try slot.generation.withLock { generation throws(StateStoreError) -> Int? in
            guard generation == capture.generation else { return nil }
            do throws(FileSystemError) {
                try store.fileSystem.replaceFileDurably(
                    slot.paths.snapshot, with: bytes, temporaryPath: slot.paths.snapshotTemporary,
                    pace: store.options.compactionWriteRate.map(WritePace.init(bytesPerSecond:)))
            } catch {
                throw StateStoreError(error)
            }
            return bytes.count
        }
    }

    /// Step 3: the replacement journal is written on this thread, then swapped in under the
    /// user's lock. Returns the new journal's size, or `nil` if the user's state changed under
    /// us (the snapshot is in place and replay skips what it covers, so skipping the swap is safe).
    private static func swapJournal(_ capture: Capture, _ slot: UserSlot, _ store: FileStateStore) throws(StateStoreError) -> Int? {
        let fs = store.fileSystem
        let prepared = try slot.generation.withLock { generation throws(StateStoreError) -> JournalSwap.Prepared? in
            guard generation == capture.generation else { return nil }
            do throws(FileSystemError) {
                return try JournalSwap.prepare(from: capture.boundary, paths: slot.paths, fileSystem: fs)
            } catch {
                throw StateStoreError(error)
            }
        }
        guard let prepared else { return nil }
        return try slot.core.withLock { core throws(StateStoreError) -> Int? in
            guard slot.generation.withLock({ $0 }) == capture.generation, core.loads == capture.loads,
                var state = core.state, state.snapshotSequence < capture.sequence
            else {
                JournalSwap.abandon(prepared.file, paths: slot.paths, fileSystem: fs)
                return nil
            }
            do throws(FileSystemError) {
                guard try JournalSwap.commit(
                    prepared, state: &state, paths: slot.paths, fileSystem: fs, pool: store.pool, journal: slot.journal) else {
                    return nil
                }
            } catch {
                // Either journal may be the one on disk now: drop the cache and re-read (durability rule 10).
                JournalSwap.abandon(prepared.file, paths: slot.paths, fileSystem: fs)
                store.pool.discard(slot.journal)
                core.state = nil
                throw StateStoreError(error)
            }
            state.journalRecords = Int(state.sequence - capture.sequence)
            state.snapshotSequence = capture.sequence
            core.state = state
            return state.journalLength
        }
    }
}
