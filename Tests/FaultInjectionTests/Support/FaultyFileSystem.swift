import Foundation
import Glibc
@testable import CoachPersistence

/// A `FileSystem` that passes every call to `base` and fails the Nth call of one kind of
/// operation with an errno: once, or that one and every later one until ``clear()``.
///
/// A failed `write` with `ENOSPC` first writes half its bytes, as a `pwrite` loop that runs out
/// of space does. A failed `sync` can also forget the file's unsynced data on a
/// ``SimulatedFileSystem`` (Linux marks the pages clean after a writeback error: "fsyncgate").
final class FaultyFileSystem: FileSystem, @unchecked Sendable {
    /// The kinds of operation a fault can target.
    enum Operation: String, CaseIterable, Sendable {
        /// `openFile`, `lockStore`.
        case open
        /// `kind(of:)`: the existence checks.
        case stat
        /// `readFile`, `listDirectory`, `OpenFile.read`.
        case read
        case write, sync, truncate, rename
        /// `removeFile`, `removeDirectory`.
        case remove
        case syncDirectory, makeDirectory
    }

    /// Which call fails, and how.
    struct Fault: Sendable, CustomStringConvertible {
        var operation: Operation
        /// 1 for the first call of ``operation``.
        var occurrence: Int
        var errno: Int32
        /// Whether every later call of ``operation`` fails too, until ``FaultyFileSystem/clear()``.
        var persists = false
        /// For `sync`: whether the file's unsynced data is forgotten, not kept for the next sync.
        var losesUnsyncedData = false

        var description: String {
            let name = errno == ENOSPC ? "ENOSPC" : errno == EIO ? "EIO" : "errno \(errno)"
            return "\(operation) #\(occurrence) → \(name)\(persists ? " until cleared" : " once")"
                + (losesUnsyncedData ? ", unsynced data lost" : "")
        }
    }

    let base: any FileSystem
    private let lock = NSLock()
    private var fault: Fault?
    private var calls: [Operation: Int] = [:]
    private var injected = 0

    init(base: any FileSystem, fault: Fault? = nil) {
        self.base = base
        self.fault = fault
    }

    /// How many calls of each kind were made.
    var callCounts: [Operation: Int] { lock.withLock { calls } }
    /// How many calls failed on purpose.
    var injectedFaults: Int { lock.withLock { injected } }
    /// Whether a fault is still to come, or still going on.
    var isArmed: Bool { lock.withLock { fault != nil } }

    /// Ends the fault: every later call succeeds.
    func clear() { lock.withLock { fault = nil } }

    /// Sets a new fault, counting calls from zero again.
    func arm(_ fault: Fault) {
        lock.withLock {
            self.fault = fault
            calls = [:]
        }
    }

    /// Counts a call; throws if it is one the fault fails.
    fileprivate func check(_ operation: Operation, _ path: String) throws(FileSystemError) {
        lock.lock()
        defer { lock.unlock() }
        calls[operation, default: 0] += 1
        guard let fault, fault.operation == operation else { return }
        let count = calls[operation]!
        guard count == fault.occurrence || (fault.persists && count > fault.occurrence) else { return }
        if !fault.persists { self.fault = nil }
        injected += 1
        throw FileSystemError(operation: "\(operation) (injected)", path: path, errno: fault.errno)
    }

    fileprivate var losesUnsyncedData: Bool { lock.withLock { fault?.losesUnsyncedData ?? false } }

    // MARK: FileSystem

    func readFile(_ path: String) throws(FileSystemError) -> [UInt8]? {
        try check(.read, path)
        return try base.readFile(path)
    }

    func listDirectory(_ path: String) throws(FileSystemError) -> [String] {
        try check(.read, path)
        return try base.listDirectory(path)
    }

    func kind(of path: String) throws(FileSystemError) -> FileKind? {
        try check(.stat, path)
        return try base.kind(of: path)
    }

    func makeDirectory(_ path: String) throws(FileSystemError) -> Bool {
        try check(.makeDirectory, path)
        return try base.makeDirectory(path)
    }

    func openFile(_ path: String, create: Bool, truncate: Bool) throws(FileSystemError) -> any OpenFile {
        try check(.open, path)
        return FaultyFile(try base.openFile(path, create: create, truncate: truncate), fileSystem: self)
    }

    func rename(_ source: String, to destination: String) throws(FileSystemError) {
        try check(.rename, source)
        try base.rename(source, to: destination)
    }

    func removeFile(_ path: String) throws(FileSystemError) {
        try check(.remove, path)
        try base.removeFile(path)
    }

    func removeDirectory(_ path: String) throws(FileSystemError) {
        try check(.remove, path)
        try base.removeDirectory(path)
    }

    func syncDirectory(_ path: String) throws(FileSystemError) {
        try check(.syncDirectory, path)
        try base.syncDirectory(path)
    }

    func lockStore(_ root: String, legacyLockFile: String) throws(FileSystemError) -> (any HeldLock)? {
        try check(.open, root)
        return try base.lockStore(root, legacyLockFile: legacyLockFile)
    }
}

/// An open file whose operations go through the faults of its ``FaultyFileSystem``.
private final class FaultyFile: OpenFile, @unchecked Sendable {
    let file: any OpenFile
    let fileSystem: FaultyFileSystem
    var path: String { file.path }

    init(_ file: any OpenFile, fileSystem: FaultyFileSystem) {
        self.file = file
        self.fileSystem = fileSystem
    }

    func write(_ bytes: [UInt8], at offset: Int64) throws(FileSystemError) {
        do {
            try fileSystem.check(.write, path)
        } catch {
            if error.errno == ENOSPC { try? file.write(Array(bytes.prefix(bytes.count / 2)), at: offset) }
            throw error
        }
        try file.write(bytes, at: offset)
    }

    func read(at offset: Int64, count: Int) throws(FileSystemError) -> [UInt8] {
        try fileSystem.check(.read, path)
        return try file.read(at: offset, count: count)
    }

    func size() throws(FileSystemError) -> Int64 { try file.size() }

    func sync(dataOnly: Bool) throws(FileSystemError) {
        let losesData = fileSystem.losesUnsyncedData
        do {
            try fileSystem.check(.sync, path)
        } catch {
            if losesData { (file as? SimulatedFile)?.forgetUnsyncedData() }
            throw error
        }
        try file.sync(dataOnly: dataOnly)
    }

    func startWriteback(offset: Int64, length: Int64) { file.startWriteback(offset: offset, length: length) }

    func truncate(to length: Int64) throws(FileSystemError) {
        try fileSystem.check(.truncate, path)
        try file.truncate(to: length)
    }

    func close() { file.close() }
}
