// The one place the library imports the C library, as swift-system does it. Every C call the
// store makes is a wrapper below; nothing else in CoachPersistence imports Glibc, Musl or Darwin.
//
// CI builds and runs Linux (Glibc) only. The `#if canImport(Darwin)` branches are written to
// follow public, known-good uses of each call (named at each one) but are not built here.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#else
#error("coach-persistence needs a POSIX C library (Glibc, Musl or Darwin)")
#endif
import CCoachPlatform  // sync_file_range(2), ioprio_set(2) and the CRC-32C instruction, which Swift cannot reach

/// Thin wrappers over the POSIX calls of ``PosixFileSystem``: each names the C call it makes,
/// retries it on `EINTR`, and returns the `errno` it failed with, read at once (see
/// ``valueOrErrno(retryOnInterrupt:_:)``).
enum Platform {
    /// An open file descriptor.
    typealias Descriptor = Int32

    /// The outcome of one C call: its value, or the `errno` it set.
    typealias Outcome<Value> = Result<Value, Errno>

    /// A POSIX error code, as a value.
    struct Errno: Error, Hashable, Sendable {
        var code: Int32

        static let noEntry = Errno(code: ENOENT)
        static let notDirectory = Errno(code: ENOTDIR)
        static let exists = Errno(code: EEXIST)
        static let tooManyLinks = Errno(code: ELOOP)
        static let wouldBlock = Errno(code: EWOULDBLOCK)
        static let notSupported = Errno(code: ENOTSUP)
        static let invalid = Errno(code: EINVAL)
        static let tooBig = Errno(code: EFBIG)
        static let isDirectory = Errno(code: EISDIR)
        static let badDescriptor = Errno(code: EBADF)
        static let noLocks = Errno(code: ENOLCK)
        static let operationNotSupported = Errno(code: EOPNOTSUPP)
    }

    /// Calls `body` (one C call returning -1 and setting `errno` on failure) and reads `errno`
    /// right after it, before any other call can change it; retries while it fails with `EINTR`
    /// (unless `retryOnInterrupt` is false). Modelled on swift-system's `valueOrErrno`.
    static func valueOrErrno<I: FixedWidthInteger>(retryOnInterrupt: Bool = true, _ body: () -> I) -> Outcome<I> {
        while true {
            let value = body()
            if value != -1 { return .success(value) }
            let code = errno
            if code == EINTR && retryOnInterrupt { continue }
            return .failure(Errno(code: code))
        }
    }

    /// `valueOrErrno` for calls whose value is only success or failure.
    static func nothingOrErrno<I: FixedWidthInteger>(retryOnInterrupt: Bool = true, _ body: () -> I) -> Outcome<Void> {
        valueOrErrno(retryOnInterrupt: retryOnInterrupt, body).map { _ in () }
    }

    /// The system's text for an error code (`strerror`).
    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    // MARK: Opening

    /// The directory a path names or starts from: an open descriptor, or the current directory
    /// (`AT_FDCWD`, for absolute paths resolved the ordinary way).
    static let currentDirectory: Descriptor = AT_FDCWD

    /// How ``open(in:_:_:)`` opens a name.
    struct OpenMode: Hashable, Sendable {
        /// Open a directory (`O_DIRECTORY`, read-only), else a file.
        var directory = false
        /// Open for reading and writing (`O_RDWR`), else read-only.
        var write = false
        var create = false
        var truncate = false
        /// Follow a symbolic link in the last component; `false` adds `O_NOFOLLOW`.
        var followLink = true

        var flags: Int32 {
            // O_NONBLOCK: opening a FIFO or a device must never block; PosixFileSystem refuses
            // anything but a regular file or folder right after, by fstat. O_NOCTTY: a terminal
            // device never becomes the process's controlling terminal.
            var flags = O_CLOEXEC | O_NONBLOCK | O_NOCTTY
            flags |= directory ? (O_RDONLY | O_DIRECTORY) : (write ? O_RDWR : O_RDONLY)
            if create { flags |= O_CREAT }
            if truncate { flags |= O_TRUNC }
            if !followLink { flags |= O_NOFOLLOW }
            return flags
        }
    }

    /// `openat(directory, name, mode.flags, 0644)`.
    static func open(in directory: Descriptor, _ name: String, _ mode: OpenMode) -> Outcome<Descriptor> {
        valueOrErrno { openat(directory, name, mode.flags, 0o644) }
    }

    /// Clears `O_NONBLOCK` on a regular file opened with it (`fcntl(F_GETFL)`, `fcntl(F_SETFL)`):
    /// it has no effect on regular files on Linux or Darwin, but nothing should depend on that.
    static func clearNonBlocking(_ fd: Descriptor) -> Outcome<Void> {
        valueOrErrno { fcntl(fd, F_GETFL) }.flatMap { flags in
            nothingOrErrno { fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        }
    }

    /// `close`. Not retried on `EINTR`: on Linux the descriptor is released even then, and a
    /// retry could close a descriptor another thread just opened (as swift-system does).
    static func close(_ fd: Descriptor) {
        _ = valueOrErrno(retryOnInterrupt: false) { system_close(fd) }
    }

    // MARK: Status

    /// What `stat` says a name is.
    struct Status: Hashable, Sendable {
        enum Kind: Hashable, Sendable {
            case regularFile, directory, symbolicLink, fifo, characterDevice, blockDevice, socket, unknown
        }

        var kind: Kind
        var size: Int64

        init(_ info: stat) {
            switch info.st_mode & S_IFMT {
            case S_IFREG: kind = .regularFile
            case S_IFDIR: kind = .directory
            case S_IFLNK: kind = .symbolicLink
            case S_IFIFO: kind = .fifo
            case S_IFCHR: kind = .characterDevice
            case S_IFBLK: kind = .blockDevice
            case S_IFSOCK: kind = .socket
            default: kind = .unknown
            }
            size = Int64(info.st_size)
        }
    }

    /// `fstat(fd)`.
    static func status(_ fd: Descriptor) -> Outcome<Status> {
        var info = stat()
        return nothingOrErrno { fstat(fd, &info) }.map { Status(info) }
    }

    /// `fstatat(directory, name, followLink ? 0 : AT_SYMLINK_NOFOLLOW)`.
    static func status(in directory: Descriptor, _ name: String, followLink: Bool) -> Outcome<Status> {
        var info = stat()
        return nothingOrErrno { fstatat(directory, name, &info, followLink ? 0 : AT_SYMLINK_NOFOLLOW) }.map { Status(info) }
    }

    // MARK: Names

    /// `mkdirat(directory, name, 0755)`.
    static func makeDirectory(in directory: Descriptor, _ name: String) -> Outcome<Void> {
        nothingOrErrno { mkdirat(directory, name, 0o755) }
    }

    /// `unlinkat(directory, name, isDirectory ? AT_REMOVEDIR : 0)`: removes the name itself,
    /// never what a symbolic link points at.
    static func unlink(in directory: Descriptor, _ name: String, isDirectory: Bool) -> Outcome<Void> {
        nothingOrErrno { unlinkat(directory, name, isDirectory ? AT_REMOVEDIR : 0) }
    }

    /// `renameat(fromDirectory, from, toDirectory, to)`.
    static func rename(in fromDirectory: Descriptor, _ from: String, to toDirectory: Descriptor, _ to: String) -> Outcome<Void> {
        nothingOrErrno { renameat(fromDirectory, from, toDirectory, to) }
    }

    /// The names in the directory open as `fd`, without `.` and `..` (`fdopendir`, `readdir`,
    /// `closedir`). Takes ownership of `fd`: it is closed on return.
    static func listDirectory(_ fd: Descriptor) -> Outcome<[String]> {
        guard let dir = fdopendir(fd) else {
            let code = errno
            close(fd)
            return .failure(Errno(code: code))
        }
        defer { closedir(dir) }
        var names: [String] = []
        while true {
            // readdir returns nil at the end and on error; errno tells which (POSIX).
            errno = 0
            guard let entry = readdir(dir) else {
                let code = errno
                return code == 0 ? .success(names) : .failure(Errno(code: code))
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }

    // MARK: Reading and writing

    /// `pread`, once: the bytes read, 0 at the end of the file.
    static func read(_ fd: Descriptor, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Outcome<Int> {
        valueOrErrno { pread(fd, buffer.baseAddress, buffer.count, off_t(offset)) }
    }

    /// `pwrite`, once: the bytes written.
    static func write(_ fd: Descriptor, _ buffer: UnsafeRawBufferPointer, at offset: Int64) -> Outcome<Int> {
        valueOrErrno { pwrite(fd, buffer.baseAddress, buffer.count, off_t(offset)) }
    }

    /// `ftruncate`.
    static func truncate(_ fd: Descriptor, to length: Int64) -> Outcome<Void> {
        nothingOrErrno { ftruncate(fd, off_t(length)) }
    }

    // MARK: Durability

    /// How a file's data is made durable.
    enum SyncKind: Hashable, Sendable {
        /// The data and what is needed to read it back (`fdatasync` on Linux).
        case data
        /// The data and all metadata (`fsync`).
        case everything
    }

    /// Makes `fd`'s written data durable.
    ///
    /// - Linux: `fdatasync` for `.data`, else `fsync`; both flush the drive's write cache.
    /// - Darwin: `fsync` only hands the data to the drive, whose cache a power cut can lose, and
    ///   `fdatasync` is not in Apple's SDK. `.fullSync` calls `fcntl(fd, F_FULLFSYNC)`, which
    ///   also flushes the drive's cache, and falls back to `fsync` when it fails with `ENOTSUP`
    ///   (some network and FUSE file systems), exactly as Go's
    ///   `src/internal/poll/fd_fsync_darwin.go` does. `.barrier` calls `fcntl(fd, F_BARRIERFSYNC)`
    ///   (an I/O barrier: ordered, not flushed), libuv's second choice in `uv__fs_fsync`, with
    ///   the same fallback.
    static func sync(_ fd: Descriptor, _ kind: SyncKind, apple method: FileStateStore.AppleSyncMethod) -> Outcome<Void> {
        #if canImport(Darwin)
        let command = method == .fullSync ? F_FULLFSYNC : F_BARRIERFSYNC
        // fcntl(_:_:_:) is the Darwin overlay's non-variadic fcntl, as swift-system calls it.
        switch nothingOrErrno({ fcntl(fd, command, 0) }) {
        case .success: return .success(())
        case .failure(let error) where error == .notSupported: return nothingOrErrno { fsync(fd) }
        case .failure(let error): return .failure(error)
        }
        #else
        _ = method
        return nothingOrErrno { kind == .data ? fdatasync(fd) : fsync(fd) }
        #endif
    }

    /// Starts writing back `length` bytes at `offset` without waiting for them, so that a later
    /// sync has little left to do. Linux: `sync_file_range(SYNC_FILE_RANGE_WRITE)` (through the
    /// package's C shim, since Swift's Glibc module does not declare it), as RocksDB's
    /// `RangeSync` does. Nothing elsewhere. Failures are ignored: it is a hint.
    static func startWriteback(_ fd: Descriptor, offset: Int64, length: Int64) {
        #if os(Linux)
        _ = coach_start_write_back(fd, offset, length)
        #else
        _ = (fd, offset, length)
        #endif
    }

    /// Writes `length` bytes at `offset` back and waits until they are on the device
    /// (`sync_file_range(WAIT_BEFORE | WRITE | WAIT_AFTER)` on Linux, as Redis's rio autosync
    /// does while rewriting its AOF), so a background writer never has more than a chunk or two
    /// of dirty data queued ahead of the saves' small syncs. Not a durability step: the final
    /// `fsync` still makes the file durable. Nothing elsewhere; failures are ignored.
    static func finishWriteback(_ fd: Descriptor, offset: Int64, length: Int64) {
        #if os(Linux)
        _ = coach_write_back_range(fd, offset, length)
        #else
        _ = (fd, offset, length)
        #endif
    }

    // MARK: Time

    /// Nanoseconds on the monotonic clock (`clock_gettime(CLOCK_MONOTONIC)`; on Darwin the
    /// same POSIX call, as swift-system's and Go's runtime's `nanotime` use it), for pacing
    /// background writes. It cannot fail with a valid clock id.
    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        _ = clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    /// Sleeps the calling thread for `nanoseconds` (`nanosleep(2)`; after an `EINTR` it sleeps
    /// again for the time the call reports as left, as POSIX intends, so the retry is here and
    /// not in ``nothingOrErrno(retryOnInterrupt:_:)``, which would start the full time again).
    static func sleep(nanoseconds: UInt64) {
        var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var remaining = timespec()
        while case .failure(let error) = nothingOrErrno(retryOnInterrupt: false, { nanosleep(&request, &remaining) }),
            error.code == EINTR
        {
            request = remaining
        }
    }

    // MARK: Locks

    /// `flock(fd, LOCK_EX | LOCK_NB)`: an exclusive lock on the open file description, which
    /// lasts until the last descriptor of it closes (also at exit or `kill -9`).
    static func lockExclusively(_ fd: Descriptor) -> Outcome<Void> {
        nothingOrErrno { flock(fd, LOCK_EX | LOCK_NB) }
    }

    // MARK: Priorities

    /// Puts the calling thread's disk I/O at background priority, for good.
    ///
    /// - Linux: `setpriority(PRIO_PROCESS, 0, 19)`, which on Linux changes the calling thread
    ///   only (the nice value is per thread there, and `who == 0` is `current`, the calling
    ///   thread: setpriority(2), BUGS; `gettid` is not in Swift's Glibc module). `ioprio_set` would be
    ///   the direct call, but it has no libc wrapper and `syscall(2)` is variadic, which Swift
    ///   cannot call; the CFQ and BFQ schedulers derive a thread's I/O priority from its nice
    ///   value when none was set ("if no I/O priority is set, it is derived from the CPU nice
    ///   value", ioprio_set(2)). It lowers the thread's CPU priority too, which suits
    ///   background compaction. Other schedulers (mq-deadline, none) ignore I/O priorities.
    /// - Darwin: `setiopolicy_np(IOPOL_TYPE_DISK, IOPOL_SCOPE_THREAD, IOPOL_THROTTLE)`, as
    ///   Watchman's `adjust_ioprio` does.
    ///
    /// It is not undone: raising a nice value back needs `CAP_SYS_NICE` on Linux. Call it only
    /// on a thread the store owns (a dedicated compaction thread), never on a thread of a
    /// Dispatch pool, which other work reuses afterwards. Failures are ignored: it is a hint.
    /// Nothing on Musl (not built here; its `setpriority` takes a plain `Int32`).
    static func lowerCurrentThreadIOPriority() {
        #if canImport(Darwin)
        _ = setiopolicy_np(IOPOL_TYPE_DISK, IOPOL_SCOPE_THREAD, IOPOL_THROTTLE)
        #elseif canImport(Glibc)
        // The idle I/O class first (RocksDB's compaction threads), through the C shim; the
        // nice value as well, for the CPU and for schedulers that derive priority from it.
        _ = coach_set_idle_io_priority()
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
        #endif
    }
}

extension Platform {
    /// Whether ``hardwareCRC32C(_:continuing:)`` may be called: the CPU has a CRC-32C instruction
    /// this build can use (`coach_crc32c_hardware_available`, a `cpuid` check on x86-64).
    static let hasHardwareCRC32C = coach_crc32c_hardware_available() != 0

    /// The CRC-32C of `buffer` continuing from `crc`, computed with the CPU's instruction
    /// (`coach_crc32c_hardware`: `crc32` on x86-64, `crc32c*` on arm64). Only when
    /// ``hasHardwareCRC32C``.
    static func hardwareCRC32C(_ buffer: UnsafeRawBufferPointer, continuing crc: UInt32) -> UInt32 {
        precondition(hasHardwareCRC32C, "no CRC-32C instruction on this CPU")
        return coach_crc32c_hardware(crc, buffer.baseAddress, buffer.count)
    }
}

extension Platform {
    /// The lock primitive under ``Locked``, kept inside the object it guards: `pthread_mutex_t`,
    /// as swift-nio's `LockStorage` (a `ManagedBuffer` with the lock as its element) uses it on
    /// Linux and used it on Darwin. ThreadSanitizer intercepts these calls, so it sees every
    /// lock the store takes.
    typealias MutexPrimitive = pthread_mutex_t

    /// `pthread_mutex_init` with default attributes. A failure (no memory) is fatal, as in swift-nio.
    static func initializeMutex(_ mutex: UnsafeMutablePointer<MutexPrimitive>) {
        let error = pthread_mutex_init(mutex, nil)
        precondition(error == 0, "pthread_mutex_init failed: \(error)")
    }

    /// `pthread_mutex_destroy`.
    static func destroyMutex(_ mutex: UnsafeMutablePointer<MutexPrimitive>) {
        let error = pthread_mutex_destroy(mutex)
        precondition(error == 0, "pthread_mutex_destroy failed: \(error)")
    }

    /// `pthread_mutex_lock`; it fails only on misuse (a deadlock the default type does not
    /// detect, or an invalid mutex), which is a bug.
    static func lockMutex(_ mutex: UnsafeMutablePointer<MutexPrimitive>) {
        let error = pthread_mutex_lock(mutex)
        precondition(error == 0, "pthread_mutex_lock failed: \(error)")
    }

    /// `pthread_mutex_unlock`.
    static func unlockMutex(_ mutex: UnsafeMutablePointer<MutexPrimitive>) {
        let error = pthread_mutex_unlock(mutex)
        precondition(error == 0, "pthread_mutex_unlock failed: \(error)")
    }
}

/// The C `close`, under a name that does not clash with ``Platform/close(_:)``.
private func system_close(_ fd: Int32) -> Int32 {
    close(fd)
}
