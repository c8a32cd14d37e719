extension FileStateStore {
    /// Something the store did or found that an app may want to log. See ``FileStateStore/events``.
    public enum Event: Hashable, Sendable, CustomStringConvertible {
        /// Compaction of a user began; `journalBytes` is the journal's size then.
        case compactionStarted(userID: String, journalBytes: Int)
        /// Compaction of a user ended: the snapshot now covers `sequence`, and the journal went
        /// from `journalBytesBefore` to `journalBytesAfter`.
        case compactionFinished(userID: String, sequence: UInt64, snapshotBytes: Int, journalBytesBefore: Int, journalBytesAfter: Int)
        /// Compaction of a user failed; the user's data is as it was before.
        case compactionFailed(userID: String, error: StateStoreError)
        /// Recovery found a torn tail and cut it off: `keptBytes` remain, `cutBytes` were copied
        /// to `journal.jsonl.torn`. In read-only mode the tail is skipped in memory, `cutBytes` is
        /// what was skipped, and nothing is written.
        case tornTailTruncated(userID: String, line: Int, keptBytes: Int, cutBytes: Int)
        /// Recovery found a torn tail and cut it off, but could not keep a copy in
        /// `journal.jsonl.torn` (`reason`, typically a full disk). The bytes were a save that was
        /// never acknowledged; cutting them keeps the user loadable.
        case tornTailDiscarded(userID: String, line: Int, keptBytes: Int, cutBytes: Int, reason: String)
        /// A user's files are corrupt; loads of that user throw until it is repaired.
        case corruptionFound(StateStoreError)
        /// A background flush of batched saves failed; saves of that user since the last
        /// successful flush may be lost, and the user is re-read from disk before the next write.
        case flushFailed(userID: String, error: StateStoreError)

        public var description: String {
            switch self {
            case .compactionStarted(let user, let bytes):
                return "compaction of '\(user)' started (journal \(bytes) bytes)"
            case .compactionFinished(let user, let sequence, let snapshot, let before, let after):
                return "compaction of '\(user)' finished at sequence \(sequence): snapshot \(snapshot) bytes, journal \(before) → \(after) bytes"
            case .compactionFailed(let user, let error):
                return "compaction of '\(user)' failed: \(error)"
            case .tornTailTruncated(let user, let line, let kept, let cut):
                return "torn tail of '\(user)' at line \(line): kept \(kept) bytes, cut \(cut) bytes"
            case .tornTailDiscarded(let user, let line, let kept, let cut, let reason):
                return "torn tail of '\(user)' at line \(line): kept \(kept) bytes, cut \(cut) bytes without a copy (\(reason))"
            case .corruptionFound(let error):
                return "corruption found: \(error)"
            case .flushFailed(let user, let error):
                return "flush of '\(user)' failed: \(error)"
            }
        }
    }
}
