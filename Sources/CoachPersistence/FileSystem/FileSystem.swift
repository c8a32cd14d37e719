/// The few file operations the file store makes, behind one protocol.
///
/// ``PosixFileSystem`` is the real one: each method is a thin wrapper over the POSIX call it
/// names, and every path below the store's root is resolved without following symbolic links.
/// Tests substitute implementations that inject I/O errors or simulate a power cut (throwing
/// away whatever was not synced). Paths are absolute, `/`-separated strings.
///
/// Existence is never guessed: a name that does not exist is `nil` (or `false`); any other
/// failure to look (`EACCES`, `EIO`, `ENOTCONN`) throws.
protocol FileSystem: Sendable {
    /// The whole contents of the regular file at `path`, or `nil` if there is none (`openat`
    /// non-blocking, `fstat`, `pread` up to the size at open). Anything but a regular file, or a
    /// file over ``FileSystemLimits/maximumFileSize``, throws.
    func readFile(_ path: String) throws(FileSystemError) -> [UInt8]?
    /// The last `count` bytes of the regular file at `path` (all of it when smaller), or `nil` if
    /// there is none: what the listing needs to tell a user from a torn first save without
    /// reading whole journals (`open`, `fstat`, `pread`).
    func readFile(_ path: String, lastBytes count: Int) throws(FileSystemError) -> [UInt8]?
    /// The names in a directory, without `.` and `..`, in no particular order (`openat`,
    /// `fdopendir`, `readdir`).
    func listDirectory(_ path: String) throws(FileSystemError) -> [String]
    /// What `path` names, without following a symbolic link; `nil` if nothing (`fstatat` with
    /// `AT_SYMLINK_NOFOLLOW`; `ENOENT` and `ENOTDIR` are "nothing", every other error throws).
    func kind(of path: String) throws(FileSystemError) -> FileKind?
    /// Creates a directory; `false` if it already existed (`mkdirat`). Anything else by that
    /// name (a file, a symbolic link) throws.
    @discardableResult
    func makeDirectory(_ path: String) throws(FileSystemError) -> Bool
    /// Opens a regular file for reading and writing, creating it if `create` (`openat` with
    /// `O_RDWR|O_NOFOLLOW|O_NONBLOCK`, then `fstat`). `truncate` empties an existing file
    /// (`O_TRUNC`). Anything but a regular file throws.
    func openFile(_ path: String, create: Bool, truncate: Bool) throws(FileSystemError) -> any OpenFile
    /// Atomically replaces `destination` with `source` (`renameat`).
    func rename(_ source: String, to destination: String) throws(FileSystemError)
    /// Removes a file, or a symbolic link itself (`unlinkat`); a missing file is not an error.
    func removeFile(_ path: String) throws(FileSystemError)
    /// Removes an empty directory (`unlinkat` with `AT_REMOVEDIR`); a missing one is not an error.
    func removeDirectory(_ path: String) throws(FileSystemError)
    /// Makes the directory's entries durable (`openat(O_DIRECTORY)`, then the sync of
    /// ``OpenFile/sync(dataOnly:)``).
    func syncDirectory(_ path: String) throws(FileSystemError)
    /// Takes the store's writer lock: an exclusive advisory lock on the directory `root` itself,
    /// and on the file `legacyLockFile` too if it exists (it is never created): `open`,
    /// `flock(LOCK_EX|LOCK_NB)`. `nil` if another open file description holds either. The lock
    /// lasts until the handle closes, and survives anyone deleting `legacyLockFile`.
    func lockStore(_ root: String, legacyLockFile: String) throws(FileSystemError) -> (any HeldLock)?
    /// Puts the calling thread's disk I/O at background priority, for good (see
    /// ``Platform/lowerCurrentThreadIOPriority()``); call it only on a thread the store owns.
    func lowerCurrentThreadIOPriority()
    /// Nanoseconds on a monotonic clock, for pacing a background writer
    /// (`clock_gettime(CLOCK_MONOTONIC)`).
    func monotonicNanoseconds() -> UInt64
    /// Waits `nanoseconds` on the calling thread: a paced writer between two chunks (`nanosleep`).
    func pause(nanoseconds: UInt64)
}

/// What a name in the file system is.
enum FileKind: Hashable, Sendable {
    case directory
    case regularFile(size: Int64)
    /// Anything else: a symbolic link, a FIFO, a device, a socket; the text says which
    /// ("a symbolic link").
    case other(String)

    /// How ``other(_:)`` names a symbolic link.
    static let symbolicLinkText = "a symbolic link"
}

/// A lock the store holds until it closes.
protocol HeldLock: AnyObject, Sendable {
    /// Releases the lock (closes its descriptors).
    func close()
}

/// A file open for reading and writing.
protocol OpenFile: AnyObject, Sendable {
    /// The path it was opened with.
    var path: String { get }
    /// Writes all of `bytes` at `offset` (`pwrite`, repeated until done).
    func write(_ bytes: [UInt8], at offset: Int64) throws(FileSystemError)
    /// Reads `count` bytes at `offset`, fewer at the end of the file (`pread`).
    func read(at offset: Int64, count: Int) throws(FileSystemError) -> [UInt8]
    /// The file's current size (`fstat`).
    func size() throws(FileSystemError) -> Int64
    /// Makes the written data durable. Linux: `fdatasync` when `dataOnly`, else `fsync`.
    /// Darwin: `fcntl(F_FULLFSYNC)` or `fcntl(F_BARRIERFSYNC)` (see
    /// ``FileStateStore/AppleSyncMethod``), `fsync` where unsupported.
    func sync(dataOnly: Bool) throws(FileSystemError)
    /// Starts writing `length` bytes at `offset` back to the disk without waiting, so a later
    /// ``sync(dataOnly:)`` has little left to do; a hint, it never fails.
    func startWriteback(offset: Int64, length: Int64)
    /// Writes `length` bytes at `offset` back and waits for them (not a durability step: a sync
    /// still follows); bounds the dirty data a large write leaves queued. A hint, it never fails.
    func finishWriteback(offset: Int64, length: Int64)
    /// Cuts the file to `length` bytes (`ftruncate`).
    func truncate(to length: Int64) throws(FileSystemError)
    /// Closes the descriptor (`close`); later calls fail with `EBADF`.
    func close()
}

extension FileSystem {
    /// Reads the whole file and keeps its end: for file systems with nothing faster (test doubles).
    func readFile(_ path: String, lastBytes count: Int) throws(FileSystemError) -> [UInt8]? {
        try readFile(path).map { Array($0.suffix(count)) }
    }
}

extension OpenFile {
    func startWriteback(offset: Int64, length: Int64) {}
    func finishWriteback(offset: Int64, length: Int64) {}
}

extension FileSystem {
    func lowerCurrentThreadIOPriority() {}
    func monotonicNanoseconds() -> UInt64 { Platform.monotonicNanoseconds() }
    func pause(nanoseconds: UInt64) { Platform.sleep(nanoseconds: nanoseconds) }
}

/// Limits every ``FileSystem`` keeps.
enum FileSystemLimits {
    /// The largest file the store reads (1 GiB): far above any snapshot or journal it writes
    /// (journals are compacted at a few MiB), so that no file can make a load read without end.
    static let maximumFileSize: Int64 = 1 << 30
    /// The bytes ``FileSystem/replaceFileDurably(_:with:temporaryPath:pace:)`` writes before
    /// it starts their writeback (256 KiB).
    static let writebackChunk = 256 << 10
}

/// A failed file operation: the call, the path and the POSIX error code, as a value.
struct FileSystemError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was being done, as a verb phrase ("write", "sync", "rename to …").
    var operation: String
    /// The file or directory concerned.
    var path: String
    /// The POSIX error code.
    var errno: Int32
    /// Why, when the system's text for `errno` would not say ("is a symbolic link; the store
    /// never follows links below its root").
    var detail: String? = nil

    /// ``detail``, or the system's text for `errno`.
    var reason: String { detail ?? Platform.describe(errno) }

    var description: String { "\(operation) \(path): \(reason)" }
}

extension FileSystem {
    /// Whether `path` is a directory; `false` if nothing is there. Anything else there (a file,
    /// a symbolic link, a FIFO) throws, naming what it is.
    func directoryExists(_ path: String) throws(FileSystemError) -> Bool {
        switch try kind(of: path) {
        case nil: return false
        case .directory: return true
        case .regularFile: throw FileSystemError.unexpected(path, is: "a regular file", expected: "a folder")
        case .other(let what): throw FileSystemError.unexpected(path, is: what, expected: "a folder")
        }
    }

    /// The size of the regular file at `path`; `nil` if nothing is there. Anything else there
    /// (a folder, a symbolic link, a FIFO) throws, naming what it is.
    func regularFileSize(_ path: String) throws(FileSystemError) -> Int64? {
        switch try kind(of: path) {
        case nil: return nil
        case .regularFile(let size): return size
        case .directory: throw FileSystemError.unexpected(path, is: "a folder", expected: "a regular file")
        case .other(let what): throw FileSystemError.unexpected(path, is: what, expected: "a regular file")
        }
    }

    /// Whether anything at all is named `path`.
    func exists(_ path: String) throws(FileSystemError) -> Bool {
        try kind(of: path) != nil
    }

    /// Writes `bytes` to `path` atomically and durably: a temporary file in the same directory
    /// is written and fsynced, renamed over `path`, and the directory fsynced (durability rule 5).
    /// Large files are written in chunks of ``FileSystemLimits/writebackChunk`` whose writeback
    /// starts as each is written (as Redis does every 4 MB while rewriting its AOF, and
    /// RocksDB's `bytes_per_sync`), so the final sync has little left and does not stall the disk.
    /// With a `pace`, the writer waits after each chunk until it is no longer ahead of it
    /// (a background writer: compaction); a file of one chunk is written at once.
    func replaceFileDurably(_ path: String, with bytes: [UInt8], temporaryPath: String, pace: WritePace? = nil) throws(FileSystemError) {
        let file = try openFile(temporaryPath, create: true, truncate: true)
        do {
            let chunk = FileSystemLimits.writebackChunk
            if bytes.count <= chunk {
                try file.write(bytes, at: 0)
            } else {
                var offset = 0
                let start = pace == nil ? 0 : monotonicNanoseconds()
                while offset < bytes.count {
                    let end = min(offset + chunk, bytes.count)
                    try file.write(Array(bytes[offset..<end]), at: Int64(offset))
                    file.startWriteback(offset: Int64(offset), length: Int64(end - offset))
                    // Wait for the chunk before: at most two chunks of dirty data are queued
                    // ahead of the saves' syncs, whatever the snapshot's size.
                    if offset >= chunk { file.finishWriteback(offset: Int64(offset - chunk), length: Int64(chunk)) }
                    offset = end
                    if let pace {
                        let wait = pace.delay(afterWriting: offset, elapsed: monotonicNanoseconds() - start)
                        if wait > 0 { pause(nanoseconds: wait) }
                    }
                }
            }
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

extension FileSystemError {
    /// `path` is `what` where the store expects `expected`.
    static func unexpected(_ path: String, is what: String, expected: String) -> FileSystemError {
        let code: Platform.Errno =
            what == FileKind.symbolicLinkText ? .tooManyLinks : expected == "a folder" ? .notDirectory : .invalid
        return FileSystemError(operation: "open", path: path, errno: code.code, detail: reasonText(what, expected: expected))
    }

    /// "is a symbolic link; the store never follows links below its root", or "is a FIFO, not
    /// a regular file; the store opens only regular files and folders".
    static func reasonText(_ what: String, expected: String) -> String {
        what == FileKind.symbolicLinkText
            ? "it is a symbolic link; the store never follows links below its root"
            : "it is \(what), not \(expected); the store opens only regular files and folders below its root"
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

/// Runs file operations, a failure thrown as the ``StateStoreError`` it is: for callers that
/// throw store errors.
func storeErrors<T>(_ body: () throws(FileSystemError) -> T) throws(StateStoreError) -> T {
    do {
        return try body()
    } catch {
        throw StateStoreError(error)
    }
}
