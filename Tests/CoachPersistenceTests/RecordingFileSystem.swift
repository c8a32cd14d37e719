@testable import CoachPersistence

/// The real file system, with a log of every operation: for tests of what the store does on
/// disk (which syncs a save makes, what an open touches).
final class RecordingFileSystem: FileSystem, @unchecked Sendable {
    private let base: PosixFileSystem
    private let lock = NSLock()
    private var _log: [String] = []

    /// Records the operations of a store at `root`.
    init(root: URL) {
        base = PosixFileSystem(root: root.standardizedFileURL.path)
    }

    /// Every operation so far, as "verb path".
    var log: [String] { lock.withLock { _log } }

    func clear() { lock.withLock { _log = [] } }

    func record(_ entry: String) { lock.withLock { _log.append(entry) } }

    func readFile(_ path: String) throws(FileSystemError) -> [UInt8]? {
        record("read \(path)")
        return try base.readFile(path)
    }

    func listDirectory(_ path: String) throws(FileSystemError) -> [String] {
        record("list \(path)")
        return try base.listDirectory(path)
    }

    /// Called after each `kind(of:)` has its answer and before it returns it: a test changes the
    /// disk there, as another thread of the store would between two checks.
    var afterKind: (@Sendable (String) -> Void)? {
        get { lock.withLock { _afterKind } }
        set { lock.withLock { _afterKind = newValue } }
    }
    private var _afterKind: (@Sendable (String) -> Void)?

    /// Called for each write in place of it, with the file's path, the bytes and a function
    /// that makes the real write: a test fails a write there, after writing part of the bytes
    /// or none, as a full disk or a torn `pwrite` would. `nil`: every write is made as asked.
    var interceptWrite: WriteInterceptor? {
        get { lock.withLock { _interceptWrite } }
        set { lock.withLock { _interceptWrite = newValue } }
    }
    typealias WriteInterceptor = @Sendable (
        _ path: String, _ bytes: [UInt8], _ write: ([UInt8]) throws(FileSystemError) -> Void
    ) throws(FileSystemError) -> Void
    private var _interceptWrite: WriteInterceptor?

    /// A clock that only pauses move: a paced writer's waits are recorded as "pause N" (in
    /// nanoseconds) and taken at once, so a test sees the exact schedule and does not sleep.
    private var _clock: UInt64 = 0

    func monotonicNanoseconds() -> UInt64 { lock.withLock { _clock } }

    func pause(nanoseconds: UInt64) {
        record("pause \(nanoseconds)")
        lock.withLock { _clock += nanoseconds }
    }

    func kind(of path: String) throws(FileSystemError) -> FileKind? {
        record("stat \(path)")
        let kind = try base.kind(of: path)
        afterKind?(path)
        return kind
    }

    func makeDirectory(_ path: String) throws(FileSystemError) -> Bool {
        record("mkdir \(path)")
        return try base.makeDirectory(path)
    }

    func openFile(_ path: String, create: Bool, truncate: Bool) throws(FileSystemError) -> any OpenFile {
        record("open \(path)")
        return RecordingOpenFile(try base.openFile(path, create: create, truncate: truncate), owner: self)
    }

    func rename(_ source: String, to destination: String) throws(FileSystemError) {
        record("rename \(source) \(destination)")
        try base.rename(source, to: destination)
    }

    func removeFile(_ path: String) throws(FileSystemError) {
        record("unlink \(path)")
        try base.removeFile(path)
    }

    func removeDirectory(_ path: String) throws(FileSystemError) {
        record("rmdir \(path)")
        try base.removeDirectory(path)
    }

    func syncDirectory(_ path: String) throws(FileSystemError) {
        record("dirsync \(path)")
        try base.syncDirectory(path)
    }

    func lockStore(_ root: String, legacyLockFile: String) throws(FileSystemError) -> (any HeldLock)? {
        record("lock \(root)")
        return try base.lockStore(root, legacyLockFile: legacyLockFile)
    }
}

private final class RecordingOpenFile: OpenFile, @unchecked Sendable {
    let file: any OpenFile
    let owner: RecordingFileSystem
    var path: String { file.path }

    init(_ file: any OpenFile, owner: RecordingFileSystem) {
        self.file = file
        self.owner = owner
    }

    func write(_ bytes: [UInt8], at offset: Int64) throws(FileSystemError) {
        owner.record("write \(path)")
        guard let intercept = owner.interceptWrite else { return try file.write(bytes, at: offset) }
        try intercept(path, bytes) { (part: [UInt8]) throws(FileSystemError) in try file.write(part, at: offset) }
    }

    func read(at offset: Int64, count: Int) throws(FileSystemError) -> [UInt8] {
        owner.record("pread \(path)")
        return try file.read(at: offset, count: count)
    }

    func size() throws(FileSystemError) -> Int64 { try file.size() }

    func sync(dataOnly: Bool) throws(FileSystemError) {
        owner.record("\(dataOnly ? "fdatasync" : "fsync") \(path)")
        try file.sync(dataOnly: dataOnly)
    }

    func startWriteback(offset: Int64, length: Int64) {
        owner.record("writeback \(path)")
        file.startWriteback(offset: offset, length: length)
    }

    func finishWriteback(offset: Int64, length: Int64) {
        owner.record("writeback-wait \(path) \(offset)")
        file.finishWriteback(offset: offset, length: length)
    }

    func truncate(to length: Int64) throws(FileSystemError) {
        owner.record("truncate \(path)")
        try file.truncate(to: length)
    }

    func close() { file.close() }
}

import Foundation
