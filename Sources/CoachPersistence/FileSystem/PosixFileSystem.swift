
/// The real ``FileSystem``: thin wrappers over POSIX calls (see ``Platform``), errors returned
/// as values, confined to one store's root.
///
/// The root path the app gave is followed like any path (it may be, or pass through, a
/// symbolic link). Below it, nothing is followed: the root is held open, and every path below
/// it is walked one name at a time from that descriptor with `openat(O_NOFOLLOW|O_DIRECTORY)`,
/// the last name used with `openat(O_NOFOLLOW)`, `fstatat(AT_SYMLINK_NOFOLLOW)`, `mkdirat`,
/// `unlinkat` or `renameat`. A symbolic link anywhere below the root (`users/` included), a
/// FIFO, a device or a socket where the store expects a file or folder is an error naming the
/// path and what it is, and nothing outside the root is read, written or removed through it.
/// Paths at or above the root (creating the root, syncing its parent) are used as given.
final class PosixFileSystem: FileSystem {
    /// The store's root, absolute, without a trailing `/`.
    let root: String
    /// How syncs reach the disk on Apple platforms.
    let appleSyncMethod: FileStateStore.AppleSyncMethod
    /// The root, held open once it exists (-1 until then).
    private let rootDescriptor = Locked<Int32>(-1)
    /// Folders right below the root (`users/`), held open once walked through: two fewer calls
    /// for every file the store opens. Like the root, they are not expected to be replaced
    /// under an open store.
    private let topFolders = Locked<[String: Int32]>([:])

    init(root: String, appleSyncMethod: FileStateStore.AppleSyncMethod = .fullSync) {
        var root = root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.root = root
        self.appleSyncMethod = appleSyncMethod
    }

    deinit {
        rootDescriptor.withLock { fd in
            if fd >= 0 { Platform.close(fd) }
        }
        topFolders.withLock { folders in folders.values.forEach(Platform.close) }
    }

    // MARK: FileSystem

    func readFile(_ path: String) throws(FileSystemError) -> [UInt8]? {
        guard let fd = try openForReading(path) else { return nil }
        defer { Platform.close(fd) }
        let size = try check(Platform.status(fd), "stat", path).size
        guard size <= FileSystemLimits.maximumFileSize else {
            throw FileSystemError(
                operation: "read", path: path, errno: Platform.Errno.tooBig.code,
                detail: "it holds \(size) bytes, more than the \(FileSystemLimits.maximumFileSize) a store file may hold")
        }
        return try read(fd, from: 0, upTo: size, path)
    }

    func readFile(_ path: String, lastBytes count: Int) throws(FileSystemError) -> [UInt8]? {
        guard let fd = try openForReading(path) else { return nil }
        defer { Platform.close(fd) }
        let size = try check(Platform.status(fd), "stat", path).size
        return try read(fd, from: max(0, size - Int64(max(count, 0))), upTo: size, path)
    }

    /// The regular file at `path` opened for reading, or `nil` if there is none.
    private func openForReading(_ path: String) throws(FileSystemError) -> Int32? {
        do {
            return try openRegularFile(path, mode: Platform.OpenMode(), operation: "open")
        } catch where error.errno == Platform.Errno.noEntry.code && error.detail == nil {
            return nil
        }
    }

    /// The bytes of `fd` from `start` up to `end`, the size seen at open: a file that grows
    /// meanwhile (an append in flight) is read as it was, and nothing can make this read without
    /// end (`pread`, repeated until done or at the end of the file).
    private func read(_ fd: Int32, from start: Int64, upTo end: Int64, _ path: String) throws(FileSystemError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Int(end - start))
        var done = 0
        while done < bytes.count {
            let outcome = bytes.withUnsafeMutableBytes { buffer in
                Platform.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]), at: start + Int64(done))
            }
            let n = try check(outcome, "read", path)
            if n == 0 { break }
            done += n
        }
        bytes.removeLast(bytes.count - done)
        return bytes
    }

    func listDirectory(_ path: String) throws(FileSystemError) -> [String] {
        let fd = try openDirectory(path, operation: "list")
        return try check(Platform.listDirectory(fd), "list", path)
    }

    func kind(of path: String) throws(FileSystemError) -> FileKind? {
        let status: Platform.Status
        do {
            status = try withLocation(path, operation: "stat") { location throws(FileSystemError) in
                try check(Platform.status(in: location.directory, location.name, followLink: location.followsLink), "stat", path)
            }
        } catch where Self.isMissing(error) {
            return nil
        }
        return Self.kind(status)
    }

    @discardableResult
    func makeDirectory(_ path: String) throws(FileSystemError) -> Bool {
        try withLocation(path, operation: "create directory") { location throws(FileSystemError) in
            switch Platform.makeDirectory(in: location.directory, location.name) {
            case .success:
                return true
            case .failure(let error) where error == .exists:
                let status = try check(
                    Platform.status(in: location.directory, location.name, followLink: location.followsLink), "stat", path)
                guard status.kind == .directory else {
                    throw FileSystemError.unexpected(path, is: Self.describe(status.kind), expected: "a folder")
                }
                return false
            case .failure(let error):
                throw FileSystemError(operation: "create directory", path: path, errno: error.code)
            }
        }
    }

    func openFile(_ path: String, create: Bool, truncate: Bool) throws(FileSystemError) -> any OpenFile {
        let mode = Platform.OpenMode(write: true, create: create, truncate: truncate)
        let fd = try openRegularFile(path, mode: mode, operation: "open")
        if case .failure(let error) = Platform.clearNonBlocking(fd) {
            Platform.close(fd)
            throw FileSystemError(operation: "open", path: path, errno: error.code)
        }
        return PosixOpenFile(fd: fd, path: path, appleSyncMethod: appleSyncMethod)
    }

    func rename(_ source: String, to destination: String) throws(FileSystemError) {
        let operation = "rename to \(destination)"
        try withLocation(source, operation: operation) { from throws(FileSystemError) in
            try withLocation(destination, operation: operation) { to throws(FileSystemError) in
                _ = try check(Platform.rename(in: from.directory, from.name, to: to.directory, to.name), operation, source)
            }
        }
    }

    func removeFile(_ path: String) throws(FileSystemError) {
        try remove(path, isDirectory: false, operation: "remove")
    }

    func removeDirectory(_ path: String) throws(FileSystemError) {
        try remove(path, isDirectory: true, operation: "remove directory")
    }

    func syncDirectory(_ path: String) throws(FileSystemError) {
        let fd = try openDirectory(path, operation: "open directory")
        defer { Platform.close(fd) }
        _ = try check(Platform.sync(fd, .everything, apple: appleSyncMethod), "sync directory", path)
    }

    func lockStore(_ root: String, legacyLockFile: String) throws(FileSystemError) -> (any HeldLock)? {
        // The lock is on the root directory itself, which nobody can delete while the store
        // holds files (flock works on a directory opened read-only, on Linux and BSD/Darwin
        // alike: util-linux's flock(1) takes "file|directory", and gofrs/flock opens a
        // directory read-only to lock it). A deleted store.lock therefore changes nothing.
        let rootFD = try check(Platform.open(in: Platform.currentDirectory, root, Platform.OpenMode(directory: true)), "open directory", root)
        var held = [rootFD]
        switch Platform.lockExclusively(rootFD) {
        case .success:
            break
        case .failure(let error) where error == .wouldBlock:
            Platform.close(rootFD)
            return nil
        case .failure(let error):
            Platform.close(rootFD)
            // File systems that cannot lock a directory (NFS emulates flock with fcntl locks,
            // which need a file open for writing): lock store.lock instead, creating it, as
            // versions before 2 did.
            guard [.badDescriptor, .noLocks, .operationNotSupported, .notSupported, .invalid].contains(error) else {
                throw FileSystemError(operation: "lock", path: root, errno: error.code)
            }
            held = []
        }
        // Writers of earlier versions lock store.lock: lock it too when it exists, so that one of
        // them and this writer never both write. It is never created (a fixture stays as it is).
        let createLegacy = held.isEmpty
        let legacy: Int32
        do {
            legacy = try openRegularFile(legacyLockFile, mode: Platform.OpenMode(write: true, create: createLegacy), operation: "open lock file")
        } catch where error.errno == Platform.Errno.noEntry.code && error.detail == nil && !createLegacy {
            return PosixLock(descriptors: held)
        } catch {
            held.forEach(Platform.close)
            throw error
        }
        held.append(legacy)
        switch Platform.lockExclusively(legacy) {
        case .success:
            return PosixLock(descriptors: held)
        case .failure(let error):
            held.forEach(Platform.close)
            if error == .wouldBlock { return nil }
            throw FileSystemError(operation: "lock", path: legacyLockFile, errno: error.code)
        }
    }

    func lowerCurrentThreadIOPriority() {
        Platform.lowerCurrentThreadIOPriority()
    }

    // MARK: Resolving paths

    /// Where the last name of a path is: a directory descriptor and the name in it.
    struct Location {
        var directory: Int32
        var name: String
        /// Whether a symbolic link as the last name is followed (only at or above the root).
        var followsLink: Bool
    }

    /// Runs `body` with the location of `path`'s last name. Below the root, the folders on the
    /// way are opened one by one from the held root without following links, and closed after.
    private func withLocation<T>(
        _ path: String, operation: String, _ body: (Location) throws(FileSystemError) -> T
    ) throws(FileSystemError) -> T {
        guard let names = namesBelowRoot(path) else {
            return try body(Location(directory: Platform.currentDirectory, name: path, followsLink: true))
        }
        guard !names.contains(where: { $0 == "." || $0 == ".." || $0.isEmpty }) else {
            throw FileSystemError(
                operation: operation, path: path, errno: Platform.Errno.invalid.code,
                detail: "the path has a '.', '..' or empty name, which the store never makes")
        }
        var directory = try heldRoot(operation: operation, path: path)
        var opened: Int32?
        defer { if let opened { Platform.close(opened) } }
        var walked = root
        for (index, name) in names.dropLast().enumerated() {
            walked = StorePath.join(walked, name)
            if index == 0 {
                directory = try heldTopFolder(name, in: directory, path: walked, operation: operation)
                continue
            }
            let next = try openFolder(in: directory, name, path: walked, operation: operation, onTheWay: true)
            if let opened { Platform.close(opened) }
            opened = next
            directory = next
        }
        return try body(Location(directory: directory, name: names.last!, followsLink: false))
    }

    /// The names of `path` below the root, or `nil` if it is the root or outside it.
    private func namesBelowRoot(_ path: String) -> [String]? {
        let prefix = root == "/" ? "/" : root + "/"
        guard path.hasPrefix(prefix), path.count > prefix.count else { return nil }
        return path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    }

    /// The root's descriptor, opened (following the path the app gave) the first time it exists.
    private func heldRoot(operation: String, path: String) throws(FileSystemError) -> Int32 {
        let outcome: Platform.Outcome<Int32> = rootDescriptor.withLock { fd in
            if fd >= 0 { return .success(fd) }
            let opened = Platform.open(in: Platform.currentDirectory, root, Platform.OpenMode(directory: true))
            if case .success(let new) = opened { fd = new }
            return opened
        }
        switch outcome {
        case .success(let fd): return fd
        case .failure(let error): throw FileSystemError(operation: operation, path: path, errno: error.code)
        }
    }

    /// The folder `name` right below the root, opened (as ``openFolder(in:_:path:operation:onTheWay:)``
    /// does) the first time and held from then on.
    private func heldTopFolder(_ name: String, in root: Int32, path: String, operation: String) throws(FileSystemError) -> Int32 {
        if let fd = topFolders.withLock({ $0[name] }) { return fd }
        let fd = try openFolder(in: root, name, path: path, operation: operation, onTheWay: true)
        return topFolders.withLock { folders in
            // Another thread may have opened it meanwhile: keep one.
            if let existing = folders[name] {
                Platform.close(fd)
                return existing
            }
            folders[name] = fd
            return fd
        }
    }

    /// Opens the folder `name` in `directory` without following a link; a link or anything else
    /// but a folder throws, saying what it is. A file `onTheWay` to a longer path is a plain
    /// `ENOTDIR` (nothing is there); a link never is.
    private func openFolder(
        in directory: Int32, _ name: String, path: String, operation: String, onTheWay: Bool = false
    ) throws(FileSystemError) -> Int32 {
        switch Platform.open(in: directory, name, Platform.OpenMode(directory: true, followLink: false)) {
        case .success(let fd):
            return fd
        case .failure(let error) where error == .tooManyLinks || error == .notDirectory:
            // ELOOP (a link, O_NOFOLLOW) or ENOTDIR: say what is there instead.
            if case .success(let status) = Platform.status(in: directory, name, followLink: false), status.kind != .directory,
                status.kind == .symbolicLink || !onTheWay
            {
                throw FileSystemError.unexpected(path, is: Self.describe(status.kind), expected: "a folder")
            }
            throw FileSystemError(operation: operation, path: path, errno: error.code)
        case .failure(let error):
            throw FileSystemError(operation: operation, path: path, errno: error.code)
        }
    }

    /// Opens the directory `path` itself (following it only at or above the root).
    private func openDirectory(_ path: String, operation: String) throws(FileSystemError) -> Int32 {
        try withLocation(path, operation: operation) { location throws(FileSystemError) in
            if location.followsLink {
                return try check(Platform.open(in: location.directory, location.name, Platform.OpenMode(directory: true)), operation, path)
            }
            return try openFolder(in: location.directory, location.name, path: path, operation: operation)
        }
    }

    /// Opens `path` with `mode` (non-blocking, not following a link below the root) and checks
    /// with `fstat` that it is a regular file; anything else is closed again and refused.
    private func openRegularFile(_ path: String, mode: Platform.OpenMode, operation: String) throws(FileSystemError) -> Int32 {
        try withLocation(path, operation: operation) { location throws(FileSystemError) in
            var mode = mode
            mode.followLink = location.followsLink
            let fd: Int32
            switch Platform.open(in: location.directory, location.name, mode) {
            case .success(let opened):
                fd = opened
            case .failure(let error) where error == .tooManyLinks && !location.followsLink:
                throw FileSystemError.unexpected(path, is: FileKind.symbolicLinkText, expected: "a regular file")
            case .failure(let error):
                throw FileSystemError(operation: operation, path: path, errno: error.code)
            }
            switch Platform.status(fd) {
            case .success(let status) where status.kind == .regularFile:
                return fd
            case .success(let status):
                Platform.close(fd)
                throw FileSystemError.unexpected(path, is: Self.describe(status.kind), expected: "a regular file")
            case .failure(let error):
                Platform.close(fd)
                throw FileSystemError(operation: "stat", path: path, errno: error.code)
            }
        }
    }

    private func remove(_ path: String, isDirectory: Bool, operation: String) throws(FileSystemError) {
        do {
            try withLocation(path, operation: operation) { location throws(FileSystemError) in
                _ = try check(Platform.unlink(in: location.directory, location.name, isDirectory: isDirectory), operation, path)
            }
        } catch where Self.isMissing(error) && error.errno == Platform.Errno.noEntry.code {
            return
        }
    }

    /// Whether a failed lookup means "nothing is there" (`ENOENT`, `ENOTDIR`), not a failure to look.
    private static func isMissing(_ error: FileSystemError) -> Bool {
        error.detail == nil && (error.errno == Platform.Errno.noEntry.code || error.errno == Platform.Errno.notDirectory.code)
    }

    private static func kind(_ status: Platform.Status) -> FileKind {
        switch status.kind {
        case .directory: .directory
        case .regularFile: .regularFile(size: status.size)
        default: .other(describe(status.kind))
        }
    }

    /// What a kind of file is called in messages.
    static func describe(_ kind: Platform.Status.Kind) -> String {
        switch kind {
        case .regularFile: "a regular file"
        case .directory: "a folder"
        case .symbolicLink: FileKind.symbolicLinkText
        case .fifo: "a FIFO (named pipe)"
        case .characterDevice: "a character device"
        case .blockDevice: "a block device"
        case .socket: "a socket"
        case .unknown: "a file of unknown type"
        }
    }
}

/// The value of a C call, or a ``FileSystemError`` naming `operation` and `path`.
func check<T>(_ outcome: Platform.Outcome<T>, _ operation: String, _ path: String) throws(FileSystemError) -> T {
    switch outcome {
    case .success(let value): return value
    case .failure(let error): throw FileSystemError(operation: operation, path: path, errno: error.code)
    }
}

/// The descriptors of a held store lock (the root, and `store.lock` if it exists).
final class PosixLock: HeldLock {
    private let descriptors: Locked<[Int32]>

    init(descriptors: [Int32]) {
        self.descriptors = Locked(descriptors)
    }

    deinit { close() }

    func close() {
        descriptors.withLock { fds in
            fds.forEach(Platform.close)
            fds = []
        }
    }
}

/// A regular file open for reading and writing. Not synchronized, and `@unchecked Sendable`
/// because the store never uses one from two threads at once: a journal is leased through its
/// user's `JournalHandle` and used under that user's lock (the pool closes only handles nobody
/// holds), and every other file (snapshots, temporary copies, backups) lives and dies in one
/// function on one thread.
final class PosixOpenFile: OpenFile, @unchecked Sendable {
    let path: String
    private let appleSyncMethod: FileStateStore.AppleSyncMethod
    private var fd: Int32

    init(fd: Int32, path: String, appleSyncMethod: FileStateStore.AppleSyncMethod) {
        self.fd = fd
        self.path = path
        self.appleSyncMethod = appleSyncMethod
    }

    deinit { close() }

    func write(_ bytes: [UInt8], at offset: Int64) throws(FileSystemError) {
        var done = 0
        while done < bytes.count {
            let outcome = bytes.withUnsafeBytes { buffer in
                Platform.write(fd, UnsafeRawBufferPointer(rebasing: buffer[done...]), at: offset + Int64(done))
            }
            done += try check(outcome, "write", path)
        }
    }

    func read(at offset: Int64, count: Int) throws(FileSystemError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let outcome = bytes.withUnsafeMutableBytes { buffer in
                Platform.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]), at: offset + Int64(done))
            }
            let n = try check(outcome, "read", path)
            if n == 0 { break }
            done += n
        }
        bytes.removeLast(count - done)
        return bytes
    }

    func size() throws(FileSystemError) -> Int64 {
        try check(Platform.status(fd), "stat", path).size
    }

    func sync(dataOnly: Bool) throws(FileSystemError) {
        _ = try check(Platform.sync(fd, dataOnly ? .data : .everything, apple: appleSyncMethod), "sync", path)
    }

    func startWriteback(offset: Int64, length: Int64) {
        Platform.startWriteback(fd, offset: offset, length: length)
    }

    func finishWriteback(offset: Int64, length: Int64) {
        Platform.finishWriteback(fd, offset: offset, length: length)
    }

    func truncate(to length: Int64) throws(FileSystemError) {
        _ = try check(Platform.truncate(fd, to: length), "truncate", path)
    }

    func close() {
        if fd >= 0 { Platform.close(fd) }
        fd = -1
    }
}
