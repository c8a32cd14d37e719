import Foundation

/// One user's snapshot and journal bytes, read so that they belong together even while a live
/// writer appends and compacts.
///
/// Compaction renames the new snapshot into place *before* it swaps the journal, so a reader that
/// reads the snapshot, then the journal, then the snapshot again, and finds the snapshot
/// unchanged, holds a journal that matches it (either the old journal, whose covered records
/// replay skips, or the new one). A journal whose last line has no newline yet may be an append
/// in flight: it is read again a few times before being taken as a torn tail.
struct UserFiles: Sendable {
    let paths: UserPaths
    /// `snapshot.json`, or `nil` if there is none.
    let snapshot: [UInt8]?
    /// `journal.jsonl`, or `nil` if there is none.
    let journal: [UInt8]?

    /// How long ``read(_:fileSystem:)`` keeps trying to see the two files settle before it
    /// reports the user as changing too fast, rather than return a pair that may not match.
    static let settleTimeout: Duration = .seconds(10)

    /// Reads the user's two files consistently (see the type's comment). Throws
    /// ``StateStoreError/io(operation:path:errno:reason:)`` if a writer keeps replacing the
    /// snapshot for ``settleTimeout``: it never returns a snapshot and journal that may not match.
    static func read(_ paths: UserPaths, fileSystem fs: any FileSystem) throws(StateStoreError) -> UserFiles {
        let clock = ContinuousClock()
        let deadline = clock.now + settleTimeout
        var unsettledJournalReads = 0
        while true {
            let files: UserFiles
            let snapshotSettled: Bool
            do {
                let before = try fs.readFile(paths.snapshot)
                let journal = try fs.readFile(paths.journal)
                let after = try fs.readFile(paths.snapshot)
                snapshotSettled = before == after
                files = UserFiles(paths: paths, snapshot: after, journal: journal)
            } catch {
                throw StateStoreError(error)
            }
            let journalSettled = files.journal.map { $0.isEmpty || $0.last == UInt8(ascii: "\n") } ?? true
            if snapshotSettled && (journalSettled || unsettledJournalReads >= 3) { return files }
            if snapshotSettled { unsettledJournalReads += 1 }
            guard clock.now < deadline else {
                throw .io(
                    operation: "read consistently", path: paths.directory, errno: 0,
                    reason: "its snapshot was replaced on every read for \(settleTimeout); try again")
            }
            Thread.sleep(forTimeInterval: 0.002)
        }
    }

    /// Reads the two files once: enough for the writer, which holds the lock, so nothing else
    /// changes them.
    static func readOnce(_ paths: UserPaths, fileSystem fs: any FileSystem) throws(StateStoreError) -> UserFiles {
        do {
            return UserFiles(paths: paths, snapshot: try fs.readFile(paths.snapshot), journal: try fs.readFile(paths.journal))
        } catch {
            throw StateStoreError(error)
        }
    }
}
