#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
            usleep(useconds_t(min(attempt, 10) * 1000))
        }
    }

    /// A file system that serves these bytes for the two files and refuses every write, so that
    /// ``UserRecovery`` can load the user from exactly what was read.
    var frozen: any FileSystem { FrozenFileSystem(files: self) }
}

/// Serves a ``UserFiles`` capture for its two paths and the real file system for other reads;
/// every write fails with `EROFS`. Inspection goes through it, so it cannot change a byte.
private struct FrozenFileSystem: FileSystem {
    let files: UserFiles
    let real = PosixFileSystem()

    func readFile(_ path: String) throws(FileSystemError) -> [UInt8]? {
        if path == files.paths.snapshot { return files.snapshot }
        if path == files.paths.journal { return files.journal }
        return try real.readFile(path)
    }

    func listDirectory(_ path: String) throws(FileSystemError) -> [String] { try real.listDirectory(path) }
    func isDirectory(_ path: String) -> Bool { real.isDirectory(path) }

    func fileSize(_ path: String) -> Int64? {
        if path == files.paths.snapshot { return files.snapshot.map { Int64($0.count) } }
        if path == files.paths.journal { return files.journal.map { Int64($0.count) } }
        return real.fileSize(path)
    }

    func makeDirectory(_ path: String) throws(FileSystemError) -> Bool { throw refused("create directory", path) }
    func openFile(_ path: String, create: Bool, truncate: Bool) throws(FileSystemError) -> any OpenFile {
        throw refused("open", path)
    }
    func rename(_ source: String, to destination: String) throws(FileSystemError) { throw refused("rename", source) }
    func removeFile(_ path: String) throws(FileSystemError) { throw refused("remove", path) }
    func removeDirectory(_ path: String) throws(FileSystemError) { throw refused("remove directory", path) }
    func syncDirectory(_ path: String) throws(FileSystemError) { throw refused("sync directory", path) }
    func lockExclusively(_ path: String) throws(FileSystemError) -> (any OpenFile)? { throw refused("lock", path) }

    private func refused(_ operation: String, _ path: String) -> FileSystemError {
        FileSystemError(operation: operation, path: path, errno: EROFS)
    }
}
