import Glibc
import Testing
@testable import CoachPersistence

/// The simulated disk keeps exactly what a power cut would keep: the other suites are only as
/// good as this model.
@Suite("Simulated disk")
struct SimulatedDiskTests {
    private let bytes = Array("0123456789".utf8)

    /// `/d/f` holding `bytes`, everything synced.
    private func syncedFile() throws -> (SimulatedFileSystem, any OpenFile) {
        let fs = SimulatedFileSystem()
        try fs.makeDirectory("/d")
        try fs.syncDirectory("/")
        let file = try fs.openFile("/d/f", create: true, truncate: false)
        try file.write(bytes, at: 0)
        try file.sync(dataOnly: true)
        try fs.syncDirectory("/d")
        return (fs, file)
    }

    @Test("synced data survives a power cut; data written since is lost")
    func unsyncedDataIsLost() throws {
        let (fs, file) = try syncedFile()
        try file.write(Array("abc".utf8), at: 10)
        #expect(try fs.readFile("/d/f")?.count == 13)
        #expect(fs.disk.afterPowerCut(.strict).files() == ["/d/f": bytes])
    }

    @Test("a new file, or a rename, is undone unless its directory was synced")
    func unsyncedEntriesAreUndone() throws {
        let (fs, file) = try syncedFile()
        let other = try fs.openFile("/d/g", create: true, truncate: false)
        try other.write(bytes, at: 0)
        try other.sync(dataOnly: false)
        try fs.rename("/d/f", to: "/d/h")
        try file.write(Array("x".utf8), at: 0)
        #expect(fs.disk.files().keys.sorted() == ["/d/g", "/d/h"])
        #expect(fs.disk.afterPowerCut(.strict).files() == ["/d/f": bytes])

        try fs.syncDirectory("/d")
        #expect(fs.disk.afterPowerCut(.strict).files() == ["/d/g": bytes, "/d/h": bytes])
    }

    @Test("a folder made since its parent's last sync disappears with its synced files")
    func unsyncedFolderIsUndone() throws {
        let (fs, _) = try syncedFile()
        try fs.makeDirectory("/d/sub")
        let file = try fs.openFile("/d/sub/f", create: true, truncate: false)
        try file.write(bytes, at: 0)
        try file.sync(dataOnly: true)
        try fs.syncDirectory("/d/sub")
        #expect(fs.disk.afterPowerCut(.strict).files() == ["/d/f": bytes])
    }

    @Test("partly kept, torn and filled writes change only the unsynced range")
    func lastWriteVariants() throws {
        let (fs, file) = try syncedFile()
        let tail = [UInt8](repeating: 0x41, count: 64)
        try file.write(tail, at: 10)
        for data in PowerCut.UnsyncedData.allCases {
            for seed in 0..<20 as Range<UInt64> {
                let survivor = fs.disk.afterPowerCut(PowerCut(data: data, keepsSomeEntryChanges: false, seed: seed)).files()["/d/f"]!
                #expect(Array(survivor.prefix(10)) == bytes, "\(data)")
                #expect(survivor.count <= 74, "\(data)")
                if data == .lastWritePartlyKept { #expect(Array(survivor.dropFirst(10)) == Array(tail.prefix(survivor.count - 10))) }
                if data == .grownSpaceZeroed { #expect(survivor == bytes + [UInt8](repeating: 0, count: 64)) }
            }
        }
    }

    @Test("a failed writeback forgets the data: reads see it, no later sync makes it durable")
    func forgottenData() throws {
        let (fs, file) = try syncedFile()
        try file.write(Array("abc".utf8), at: 10)
        (file as? SimulatedFile)?.forgetUnsyncedData()
        try file.sync(dataOnly: true)
        #expect(try fs.readFile("/d/f") == bytes + Array("abc".utf8))
        #expect(fs.disk.afterPowerCut(.strict).files() == ["/d/f": bytes])
    }

    @Test("at the crash point, that mutation and every later one fail with EIO; reads go on")
    func crashPoint() throws {
        let fs = SimulatedFileSystem(crashAt: 2)
        try fs.makeDirectory("/d")
        #expect(throws: FileSystemError.self) { try fs.syncDirectory("/") }
        #expect(throws: FileSystemError.self) { try fs.makeDirectory("/e") }
        #expect(fs.hasCrashed && fs.mutationCount == 3)
        #expect(fs.isDirectory("/d"))
        #expect(fs.disk.afterPowerCut(.strict).files().isEmpty && !fs.disk.afterPowerCut(.strict).isDirectory("/d"))
    }

    @Test("rename follows POSIX: an open file keeps its inode, a non-empty folder is not replaced")
    func renameRules() throws {
        let (fs, file) = try syncedFile()
        try fs.rename("/d/f", to: "/d/g")
        try file.write(Array("x".utf8), at: 0)
        #expect(try fs.readFile("/d/g")?.first == UInt8(ascii: "x"))
        try fs.makeDirectory("/e")
        #expect(throws: FileSystemError(operation: "rename to /d", path: "/e", errno: ENOTEMPTY)) { try fs.rename("/e", to: "/d") }
        #expect(throws: FileSystemError(operation: "rename to /e", path: "/d/g", errno: EISDIR)) { try fs.rename("/d/g", to: "/e") }
    }

    @Test("one lock holder at a time, until it closes")
    func locks() throws {
        let fs = SimulatedFileSystem()
        try fs.makeDirectory("/store")
        let first = try #require(try fs.lockStore("/store", legacyLockFile: "/store/store.lock"))
        #expect(try fs.lockStore("/store", legacyLockFile: "/store/store.lock") == nil)
        first.close()
        #expect(try fs.lockStore("/store", legacyLockFile: "/store/store.lock") != nil)
    }
}
