/// The few file operations the file store makes, behind one protocol.
///
/// ``PosixFileSystem`` is the real one: each method is a thin wrapper over the POSIX call it
/// names. Tests substitute implementations that inject I/O errors or simulate a power cut
/// (throwing away whatever was not synced). Paths are absolute, `/`-separated strings.
protocol FileSystem: Sendable {
    /// The whole contents of the file at `path`, or `nil` if there is none (`open`, `read`).
    func readFile(_ path: String) throws(FileSystemError) -> [UInt8]?
    /// The names in a directory, without `.` and `..`, in no particular order (`opendir`, `readdir`).
    func listDirectory(_ path: String) throws(FileSystemError) -> [String]
    /// Whether `path` names a directory (`stat`).
    func isDirectory(_ path: String) -> Bool
    /// The size of the regular file at `path`, or `nil` if there is none (`stat`).
    func fileSize(_ path: String) -> Int64?
    /// Creates a directory; `false` if it already existed (`mkdir`).
    @discardableResult
    func makeDirectory(_ path: String) throws(FileSystemError) -> Bool
    /// Opens a file for writing, creating it if `create` (`open` with `O_RDWR|O_CREAT`).
    /// `truncate` empties an existing file (`O_TRUNC`).
    func openFile(_ path: String, create: Bool, truncate: Bool) throws(FileSystemError) -> any OpenFile
    /// Atomically replaces `destination` with `source` (`rename`).
    func rename(_ source: String, to destination: String) throws(FileSystemError)
    /// Removes a file (`unlink`); a missing file is not an error.
    func removeFile(_ path: String) throws(FileSystemError)
    /// Removes an empty directory (`rmdir`); a missing one is not an error.
    func removeDirectory(_ path: String) throws(FileSystemError)
    /// Makes the directory's entries durable (`open(O_DIRECTORY)`, `fsync`).
    func syncDirectory(_ path: String) throws(FileSystemError)
    /// Takes an exclusive advisory lock on `path`, creating the file; `nil` if another open file
    /// description holds it (`open`, `flock(LOCK_EX|LOCK_NB)`). The lock lasts until the handle closes.
    func lockExclusively(_ path: String) throws(FileSystemError) -> (any OpenFile)?
}

/// A file open for writing.
protocol OpenFile: AnyObject, Sendable {
    /// The path it was opened with.
    var path: String { get }
    /// Writes all of `bytes` at `offset` (`pwrite`, repeated until done).
    func write(_ bytes: [UInt8], at offset: Int64) throws(FileSystemError)
    /// Reads `count` bytes at `offset`, fewer at the end of the file (`pread`).
    func read(at offset: Int64, count: Int) throws(FileSystemError) -> [UInt8]
    /// The file's current size (`fstat`).
    func size() throws(FileSystemError) -> Int64
    /// Makes the written data durable: `fdatasync` when `dataOnly`, else `fsync`.
    func sync(dataOnly: Bool) throws(FileSystemError)
    /// Cuts the file to `length` bytes (`ftruncate`).
    func truncate(to length: Int64) throws(FileSystemError)
    /// Closes the descriptor (`close`); later calls fail with `EBADF`.
    func close()
}

/// A failed file operation: the call, the path and the POSIX error code, as a value.
struct FileSystemError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was being done, as a verb phrase ("write", "sync", "rename to …").
    var operation: String
    /// The file or directory concerned.
    var path: String
    /// The POSIX error code.
    var errno: Int32

    /// The system's text for `errno`.
    var reason: String { PosixFileSystem.describe(errno: errno) }

    var description: String { "\(operation) \(path): \(reason)" }
}

extension FileSystem {
    /// Writes `bytes` to `path` atomically and durably: a temporary file in the same directory
    /// is written and fsynced, renamed over `path`, and the directory fsynced (durability rule 5).
    func replaceFileDurably(_ path: String, with bytes: [UInt8], temporaryPath: String) throws(FileSystemError) {
        let file = try openFile(temporaryPath, create: true, truncate: true)
        do {
            try file.write(bytes, at: 0)
            try file.sync(dataOnly: false)
            file.close()
        } catch {
            file.close()
            try? removeFile(temporaryPath)
            throw error
        }
        try rename(temporaryPath, to: path)
        try syncDirectory(StorePath.parent(of: path))
    }
}

/// Joining and splitting the `/`-separated paths the store uses.
enum StorePath {
    /// `base/name`.
    static func join(_ base: String, _ name: String) -> String {
        base.hasSuffix("/") ? base + name : base + "/" + name
    }

    /// Everything before the last `/`.
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Everything after the last `/`.
    static func lastComponent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
