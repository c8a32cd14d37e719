/// What the store knows about one user's files between operations: the last durable context and
/// where the journal continues. Lives in ``UserSlot/Core``, so only the holder of the user's lock
/// reads or changes it.
struct UserState: Sendable {
    /// The user's id, exactly as the app gave it.
    let userID: String
    /// The user's folder name under `users/`.
    let folder: String
    /// The last persisted context; `nil` when the user has none on disk.
    var context: CoachContext?
    /// The sequence number of the last persisted record (0: none).
    var sequence: UInt64 = 0
    /// The revision hash chained up to ``sequence`` (see ``RevisionHash``).
    var revisionHash: UInt64 = RevisionHash.origin
    /// The sequence number `snapshot.json` covers (0: no snapshot).
    var snapshotSequence: UInt64 = 0
    /// Bytes in the journal, all of them sound records: the next record is written here.
    var journalLength = 0
    /// Bytes in the journal file: ``journalLength`` plus what recovery found after the sound
    /// records and may leave there (an editor's final empty line, which the next record writes
    /// over). A journal opened for appending must be exactly this long.
    var journalFileLength = 0
    /// Sound records in the journal, including those the snapshot already covers.
    var journalRecords = 0
    /// Whether the user's folder exists on disk.
    var folderExists = false
    /// Whether the entries of the user's folder (in `users/`) and journal (in the folder) are
    /// known to be durable. Not for a folder found on disk: a save that failed, or a process
    /// that died, after creating it may have left it unsynced, so the first append syncs them.
    var directoriesSynced = false

    /// The revision of ``context``, or `nil` when there is none.
    var revision: ContextRevision? {
        context == nil ? nil : ContextRevision(sequence: sequence, hash: revisionHash)
    }

    /// The context with its revision, or `nil` when there is none.
    var stored: StoredContext? {
        context.map { StoredContext(context: $0, revision: ContextRevision(sequence: sequence, hash: revisionHash)) }
    }
}
