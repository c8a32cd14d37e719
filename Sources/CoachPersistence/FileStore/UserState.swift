/// What the store knows about one user's files between operations. Touched only on the
/// user's serial queue (see `UserSlot`).
struct UserState {
    /// The user's id, exactly as the app gave it.
    let userID: String
    /// The user's folder name under `users/`.
    let folder: String
    /// The last persisted context; `nil` when the user has none on disk.
    var context: CoachContext?
    /// The sequence number of the last persisted record (0: none).
    var sequence: UInt64 = 0
    /// The sequence number `snapshot.json` covers (0: no snapshot).
    var snapshotSequence: UInt64 = 0
    /// The journal open for appending; opened on the first append.
    var journal: (any OpenFile)?
    /// Bytes in the journal, all of them sound records.
    var journalLength = 0
    /// Sound records in the journal, including those the snapshot already covers.
    var journalRecords = 0
    /// Whether the user's folder exists on disk.
    var folderExists = false
    /// Whether the entries of the user's folder (in `users/`) and journal (in the folder) are
    /// known to be durable. Not for a folder found on disk: a save that failed, or a process
    /// that died, after creating it may have left it unsynced, so the first append syncs them.
    var directoriesSynced = false

    /// Closes the journal, if open.
    mutating func closeJournal() {
        journal?.close()
        journal = nil
    }
}

/// The paths of one user's files.
struct UserPaths: Sendable {
    let layout: StoreLayout
    let folder: String

    var directory: String { layout.userDirectory(folder) }
    var snapshot: String { layout.snapshot(folder) }
    var journal: String { layout.journal(folder) }
    var tornTail: String { layout.tornTail(folder) }
    var snapshotTemporary: String { layout.temporary(for: snapshot) }
    var journalTemporary: String { layout.temporary(for: journal) }
}
