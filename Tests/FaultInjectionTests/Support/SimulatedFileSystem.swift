import Foundation
import Glibc
@testable import CoachPersistence

/// The store's `FileSystem` over a ``SimulatedDisk``, with a power switch: the Nth mutating
/// operation (counting from 1) is the crash point. It fails with `EIO`, and so does every
/// later one, so the disk stays as it was just before; ``disk`` then feeds
/// ``SimulatedDisk/afterPowerCut(_:)``. Reads keep working on the frozen state.
///
/// Mutating operations are: `makeDirectory`, `openFile` with `create` or `truncate`, `write`,
/// `sync`, `truncate`, `rename`, `removeFile`, `removeDirectory`, `syncDirectory`,
/// `lockStore`.
final class SimulatedFileSystem: FileSystem, @unchecked Sendable {
    private let lock = NSLock()
    private var state: SimulatedDisk
    private var mutations = 0
    private let crashPoint: Int?
    private var crashed = false
    private var lockedInodes: Set<Int> = []
    private var hook: (operation: String, path: String, run: @Sendable () -> Void)?

    init(disk: SimulatedDisk = SimulatedDisk(), crashAt crashPoint: Int? = nil) {
        state = disk
        self.crashPoint = crashPoint
    }

    /// The disk as it is now.
    var disk: SimulatedDisk { lock.withLock { state } }
    /// Mutating operations attempted so far, the failed ones included.
    var mutationCount: Int { lock.withLock { mutations } }
    /// Whether the crash point was reached.
    var hasCrashed: Bool { lock.withLock { crashed } }

    /// Runs `body` once, just before the next `operation` ("open", "write", …) of a path ending
    /// in `suffix` (outside the lock, so `body` may use the file system): how a test slips a
    /// save into the middle of a compaction at a deterministic point.
    func beforeNext(_ operation: String, ofPathEndingIn suffix: String, _ body: @escaping @Sendable () -> Void) {
        lock.withLock { hook = (operation, suffix, body) }
    }

    /// Drops a pending ``beforeNext(_:ofPathEndingIn:_:)``.
    func cancelHook() {
        lock.withLock { hook = nil }
    }

    /// Counts a mutation and applies it, unless the power is off.
    fileprivate func mutate<T>(
        _ path: String, _ operation: String, _ body: (inout SimulatedDisk) throws(FileSystemError) -> T
    ) throws(FileSystemError) -> T {
        runHook(operation, path)
        lock.lock()
        defer { lock.unlock() }
        mutations += 1
        if mutations == crashPoint { crashed = true }
        if crashed { throw FileSystemError(operation: operation, path: path, errno: EIO) }
        return try body(&state)
    }

    fileprivate func inspect<T>(_ body: (SimulatedDisk) throws(FileSystemError) -> T) throws(FileSystemError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(state)
    }

    fileprivate func forget(_ inode: Int) {
        lock.withLock { state.forgetUnsyncedData(inode) }
    }

    fileprivate func unlock(_ inode: Int) {
        _ = lock.withLock { lockedInodes.remove(inode) }
    }

    private func runHook(_ operation: String, _ path: String) {
        let due: (@Sendable () -> Void)? = lock.withLock {
            guard let hook, operation == hook.operation, path.hasSuffix(hook.path) else { return nil }
            self.hook = nil
            return hook.run
        }
        due?()
    }

    // MARK: FileSystem

    func readFile(_ path: String) throws(FileSystemError) -> [UInt8]? {
        try inspect { disk throws(FileSystemError) in try disk.readFile(path) }
    }

    func listDirectory(_ path: String) throws(FileSystemError) -> [String] {
        try inspect { disk throws(FileSystemError) in try disk.listDirectory(path) }
    }

    func kind(of path: String) throws(FileSystemError) -> FileKind? {
        lock.withLock { state.kind(of: path) }
    }

    /// Whether `path` names a directory now.
    func isDirectory(_ path: String) -> Bool {
        lock.withLock { state.isDirectory(path) }
    }

    @discardableResult
    func makeDirectory(_ path: String) throws(FileSystemError) -> Bool {
        try mutate(path, "create directory") { disk throws(FileSystemError) in try disk.makeDirectory(path) }
    }

    func openFile(_ path: String, create: Bool, truncate: Bool) throws(FileSystemError) -> any OpenFile {
        let inode: Int
        if create || truncate {
            inode = try mutate(path, "open") { disk throws(FileSystemError) in
                try disk.openFile(path, create: create, truncate: truncate)
            }
        } else {
            inode = try inspect { disk throws(FileSystemError) in
                var copy = disk
                return try copy.openFile(path, create: false, truncate: false)
            }
        }
        return SimulatedFile(path: path, inode: inode, fileSystem: self, holdsLock: false)
    }

    func rename(_ source: String, to destination: String) throws(FileSystemError) {
        try mutate(source, "rename to \(destination)") { disk throws(FileSystemError) in try disk.rename(source, to: destination) }
    }

    func removeFile(_ path: String) throws(FileSystemError) {
        try mutate(path, "remove") { disk throws(FileSystemError) in try disk.removeFile(path) }
    }

    func removeDirectory(_ path: String) throws(FileSystemError) {
        try mutate(path, "remove directory") { disk throws(FileSystemError) in try disk.removeDirectory(path) }
    }

    func syncDirectory(_ path: String) throws(FileSystemError) {
        try mutate(path, "sync directory") { disk throws(FileSystemError) in try disk.syncDirectory(path) }
    }

    /// Locks the root directory's inode, and the legacy lock file's if it exists (as
    /// ``PosixFileSystem`` does: nothing is created).
    func lockStore(_ root: String, legacyLockFile: String) throws(FileSystemError) -> (any HeldLock)? {
        let inodes: [Int]? = try mutate(root, "lock") { disk throws(FileSystemError) in
            guard let directory = disk.lookup(root), disk.inodes[directory]!.isDirectory else {
                throw FileSystemError(operation: "open directory", path: root, errno: ENOENT)
            }
            let wanted = [directory] + (disk.lookup(legacyLockFile).map { [$0] } ?? [])
            guard lockedInodes.isDisjoint(with: wanted) else { return nil }
            lockedInodes.formUnion(wanted)
            return wanted
        }
        return inodes.map { SimulatedLock(inodes: $0, fileSystem: self) }
    }
}

/// A lock of a ``SimulatedFileSystem`` on some inodes.
final class SimulatedLock: HeldLock, @unchecked Sendable {
    private let inodes: [Int]
    private let fileSystem: SimulatedFileSystem
    private let closed = NSLock()
    private var isClosed = false

    fileprivate init(inodes: [Int], fileSystem: SimulatedFileSystem) {
        self.inodes = inodes
        self.fileSystem = fileSystem
    }

    deinit { close() }

    func close() {
        let wasOpen = closed.withLock {
            defer { isClosed = true }
            return !isClosed
        }
        if wasOpen { inodes.forEach(fileSystem.unlock) }
    }
}

/// An open file of a ``SimulatedFileSystem``: it follows its inode, not its path.
final class SimulatedFile: OpenFile, @unchecked Sendable {
    let path: String
    private let inode: Int
    private let fileSystem: SimulatedFileSystem
    private let holdsLock: Bool
    private let closed = NSLock()
    private var isClosed = false

    fileprivate init(path: String, inode: Int, fileSystem: SimulatedFileSystem, holdsLock: Bool) {
        self.path = path
        self.inode = inode
        self.fileSystem = fileSystem
        self.holdsLock = holdsLock
    }

    deinit { close() }

    func write(_ bytes: [UInt8], at offset: Int64) throws(FileSystemError) {
        try checkOpen("write")
        try fileSystem.mutate(path, "write") { disk in disk.write(inode, bytes, at: Int(offset)) }
    }

    func read(at offset: Int64, count: Int) throws(FileSystemError) -> [UInt8] {
        try checkOpen("read")
        return try fileSystem.inspect { disk in disk.read(inode, at: Int(offset), count: count) }
    }

    func size() throws(FileSystemError) -> Int64 {
        try checkOpen("stat")
        return try fileSystem.inspect { disk in Int64(disk.inodes[inode]!.data.count) }
    }

    func sync(dataOnly: Bool) throws(FileSystemError) {
        try checkOpen("sync")
        try fileSystem.mutate(path, "sync") { disk in disk.sync(inode) }
    }

    func truncate(to length: Int64) throws(FileSystemError) {
        try checkOpen("truncate")
        try fileSystem.mutate(path, "truncate") { disk in disk.truncate(inode, to: Int(length)) }
    }

    func close() {
        let wasOpen = closed.withLock {
            defer { isClosed = true }
            return !isClosed
        }
        if wasOpen && holdsLock { fileSystem.unlock(inode) }
    }

    /// Forgets the file's unsynced changes without making them durable: a failed writeback.
    func forgetUnsyncedData() {
        fileSystem.forget(inode)
    }

    private func checkOpen(_ operation: String) throws(FileSystemError) {
        if closed.withLock({ isClosed }) { throw FileSystemError(operation: operation, path: path, errno: EBADF) }
    }
}
