import CoachTestSupport
import Foundation
import Testing

@testable import CoachPersistence

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A full disk while `repair` or `seal` writes its backup: no partial backup is left that could
/// pass for the real one (issue 15, finding 4), and the user's files are unchanged.
@Suite("Maintenance backups on a full disk")
struct BackupFailureTests {
    /// The real file system, except that writing a file whose name contains `marker` writes
    /// half of the bytes and then fails with `ENOSPC`, as a disk that fills up does.
    struct DiskFullFileSystem: FileSystem {
        let base: PosixFileSystem
        let marker: String

        init(root: URL, marker: String) {
            base = PosixFileSystem(root: root.standardizedFileURL.path)
            self.marker = marker
        }

        final class HalfWrites: OpenFile, @unchecked Sendable {
            let file: any OpenFile
            init(_ file: any OpenFile) { self.file = file }
            var path: String { file.path }
            func write(_ bytes: [UInt8], at offset: Int64) throws(FileSystemError) {
                try file.write(Array(bytes.prefix(bytes.count / 2)), at: offset)
                throw FileSystemError(operation: "write", path: path, errno: ENOSPC)
            }
            func read(at offset: Int64, count: Int) throws(FileSystemError) -> [UInt8] { try file.read(at: offset, count: count) }
            func size() throws(FileSystemError) -> Int64 { try file.size() }
            func sync(dataOnly: Bool) throws(FileSystemError) { try file.sync(dataOnly: dataOnly) }
            func truncate(to length: Int64) throws(FileSystemError) { try file.truncate(to: length) }
            func close() { file.close() }
        }

        func readFile(_ path: String) throws(FileSystemError) -> [UInt8]? { try base.readFile(path) }
        func listDirectory(_ path: String) throws(FileSystemError) -> [String] { try base.listDirectory(path) }
        func kind(of path: String) throws(FileSystemError) -> FileKind? { try base.kind(of: path) }
        func makeDirectory(_ path: String) throws(FileSystemError) -> Bool { try base.makeDirectory(path) }
        func openFile(_ path: String, create: Bool, truncate: Bool) throws(FileSystemError) -> any OpenFile {
            let file = try base.openFile(path, create: create, truncate: truncate)
            return path.contains(marker) ? HalfWrites(file) : file
        }
        func rename(_ source: String, to destination: String) throws(FileSystemError) { try base.rename(source, to: destination) }
        func removeFile(_ path: String) throws(FileSystemError) { try base.removeFile(path) }
        func removeDirectory(_ path: String) throws(FileSystemError) { try base.removeDirectory(path) }
        func syncDirectory(_ path: String) throws(FileSystemError) { try base.syncDirectory(path) }
        func lockStore(_ root: String, legacyLockFile: String) throws(FileSystemError) -> (any HeldLock)? {
            try base.lockStore(root, legacyLockFile: legacyLockFile)
        }
    }

    private func userFolder(_ dir: TemporaryDirectory, _ user: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path("users/\(user)")).sorted()
    }

    @Test("a repair whose backup cannot be written removes the partial backup and leaves the journal as it was")
    func repairBackup() async throws {
        let dir = TemporaryDirectory("repair-disk-full")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        try alter(dir.url.appendingPathComponent("users/alice/journal.jsonl"), line: 3, replacing: "turn 3", with: "turn 8")
        let before = try treeContents(dir.url)
        let fs = DiskFullFileSystem(root: dir.url, marker: ".repair-backup")
        for _ in 1...3 {
            #expect(throws: StateStoreError.self) {
                try StoreRepair.repair(userID: "alice", in: dir.url, lockWait: .seconds(1), fileSystem: fs)
            }
        }
        #expect(try userFolder(dir, "alice") == ["journal.jsonl"], "no .repair-backup, .2, .3 left behind")
        var after = try treeContents(dir.url)
        after["store.lock"] = before["store.lock"]
        #expect(after == before)
        // Once there is space, the repair works and its backup is whole.
        let report = try StoreRepair.repair(userID: "alice", in: dir.url)
        #expect(report.backup.map { StorePath.lastComponent(of: $0) } == "journal.jsonl.repair-backup")
    }

    @Test("a seal whose backup cannot be written leaves no backup and changes no file")
    func sealBackup() async throws {
        let dir = TemporaryDirectory("seal-disk-full")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        try alter(dir.url.appendingPathComponent("users/bob/journal.jsonl"), line: 1, replacing: "turn 1", with: "TURN 1")
        let before = try treeContents(dir.url)
        #expect(throws: StateStoreError.self) {
            try StoreSeal.seal(userID: nil, in: dir.url, dryRun: false, lockWait: .seconds(1), fileSystem: DiskFullFileSystem(root: dir.url, marker: ".seal-backup"))
        }
        #expect(try userFolder(dir, "bob") == ["journal.jsonl"])
        var after = try treeContents(dir.url)
        after["store.lock"] = before["store.lock"]
        #expect(after == before)
    }
}
