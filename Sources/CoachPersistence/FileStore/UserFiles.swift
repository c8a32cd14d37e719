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

    /// Reads the user's two files consistently (see the type's comment).
    static func read(_ paths: UserPaths, fileSystem fs: any FileSystem) throws(StateStoreError) -> UserFiles {
        var attempt = 0
        while true {
            do {
                let before = try fs.readFile(paths.snapshot)
                let journal = try fs.readFile(paths.journal)
                let after = try fs.readFile(paths.snapshot)
                let snapshotSettled = before == after
                let journalSettled = journal.map { $0.isEmpty || $0.last == UInt8(ascii: "\n") } ?? true
                if snapshotSettled && (journalSettled || attempt >= 3) || attempt >= 50 {
                    return UserFiles(paths: paths, snapshot: after, journal: journal)
                }
            } catch {
                throw StateStoreError(error)
            }
            attempt += 1
            Thread.sleep(forTimeInterval: Double(min(attempt, 10)) / 1000)
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
