import CoachTestSupport
import Foundation
import Testing

@testable import CoachPersistence

/// The real file seam on real files: what it refuses, and how it writes large files.
@Suite("PosixFileSystem")
struct PosixFileSystemTests {
    @Test("kinds: nothing, folder, file with its size, symbolic link (not followed), FIFO")
    func kinds() throws {
        let dir = TemporaryDirectory("posix-kinds")
        defer { dir.remove() }
        let fs = PosixFileSystem(root: dir.url.standardizedFileURL.path)
        try Data("12345".utf8).write(to: dir.url.appendingPathComponent("file"))
        try FileManager.default.createDirectory(atPath: dir.path("folder"), withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: dir.path("link"), withDestinationPath: dir.path("folder"))
        #expect(mkfifo(dir.path("fifo"), 0o644) == 0)
        #expect(try fs.kind(of: dir.path("missing")) == nil)
        #expect(try fs.kind(of: dir.path("file/below")) == nil)
        #expect(try fs.kind(of: dir.path("folder")) == .directory)
        #expect(try fs.kind(of: dir.path("file")) == .regularFile(size: 5))
        #expect(try fs.kind(of: dir.path("link")) == .other("a symbolic link"))
        #expect(try fs.kind(of: dir.path("fifo")) == .other("a FIFO (named pipe)"))
        // Below a link: refused, not followed.
        #expect(throws: FileSystemError.self) { try fs.kind(of: dir.path("link/x")) }
    }

    @Test("removing a symbolic link removes the link, never its target")
    func removeLink() throws {
        let dir = TemporaryDirectory("posix-unlink")
        defer { dir.remove() }
        let fs = PosixFileSystem(root: dir.url.standardizedFileURL.path)
        try Data("keep".utf8).write(to: dir.url.appendingPathComponent("target"))
        try FileManager.default.createSymbolicLink(atPath: dir.path("link"), withDestinationPath: dir.path("target"))
        try fs.removeFile(dir.path("link"))
        #expect(try fs.kind(of: dir.path("link")) == nil)
        #expect(try Data(contentsOf: dir.url.appendingPathComponent("target")) == Data("keep".utf8))
    }

    @Test("a file larger than the limit is refused without being read")
    func oversizedFile() throws {
        let dir = TemporaryDirectory("posix-big")
        defer { dir.remove() }
        let fs = PosixFileSystem(root: dir.url.standardizedFileURL.path)
        let path = dir.path("big")
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        // Sparse: no disk space used.
        #expect(truncate(path, off_t(FileSystemLimits.maximumFileSize + 1)) == 0)
        #expect(throws: FileSystemError.self) { try fs.readFile(path) }
        do {
            _ = try fs.readFile(path)
        } catch {
            #expect(error.errno == EFBIG && error.reason.contains("more than"), "\(error)")
        }
    }

    @Test("creating a folder where a file or a link is: an error saying what is there, errno kept")
    func makeDirectoryOverOther() throws {
        let dir = TemporaryDirectory("posix-mkdir")
        defer { dir.remove() }
        let fs = PosixFileSystem(root: dir.url.standardizedFileURL.path)
        try Data("x".utf8).write(to: dir.url.appendingPathComponent("file"))
        try FileManager.default.createSymbolicLink(atPath: dir.path("link"), withDestinationPath: "/tmp")
        #expect(try fs.makeDirectory(dir.path("new")) == true)
        #expect(try fs.makeDirectory(dir.path("new")) == false)
        #expect(throws: FileSystemError.self) { try fs.makeDirectory(dir.path("file")) }
        do {
            try fs.makeDirectory(dir.path("link"))
            Issue.record("made a folder over a symbolic link")
        } catch {
            #expect(error.errno == ELOOP && error.reason.contains("symbolic link"), "\(error)")
        }
    }

    @Test("a large replacement is written in chunks whose writeback starts as it goes, bounded to two chunks in flight, then synced once")
    func chunkedReplacement() throws {
        let dir = TemporaryDirectory("posix-chunks")
        defer { dir.remove() }
        let fs = RecordingFileSystem(root: dir.url)
        var random = SeededRandom(seed: 7)
        let bytes = random.bytes(3 * FileSystemLimits.writebackChunk + 123)
        let path = dir.path("snapshot.json")
        try fs.replaceFileDurably(path, with: bytes, temporaryPath: path + ".tmp")
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == bytes)
        let log = fs.log
        #expect(log.filter { $0.hasPrefix("writeback ") }.count == 4)
        // Each chunk but the last waits for the one before it: at most two chunks are queued
        // ahead of other writers' syncs.
        let chunk = FileSystemLimits.writebackChunk
        #expect(log.filter { $0.hasPrefix("writeback-wait ") }.map { Int($0.split(separator: " ").last!)! } == [0, chunk, 2 * chunk])
        #expect(log.filter { $0.hasPrefix("write ") }.count == 4)
        #expect(log.filter { $0.hasPrefix("fsync ") }.count == 1)
        // A small file is one write and no writeback.
        fs.clear()
        try fs.replaceFileDurably(path, with: [1, 2, 3], temporaryPath: path + ".tmp")
        #expect(fs.log.filter { $0.hasPrefix("writeback ") }.isEmpty)
    }

    @Test("a paced replacement waits after each chunk until it is no longer ahead of the pace")
    func pacedReplacement() throws {
        let dir = TemporaryDirectory("posix-paced")
        defer { dir.remove() }
        let fs = RecordingFileSystem(root: dir.url)
        var random = SeededRandom(seed: 9)
        let chunk = FileSystemLimits.writebackChunk
        let bytes = random.bytes(3 * chunk + chunk / 2)
        let path = dir.path("snapshot.json")
        let pace = WritePace(bytesPerSecond: 4 << 20)
        try fs.replaceFileDurably(path, with: bytes, temporaryPath: path + ".tmp", pace: pace)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == bytes)
        // The recording clock moves only by the pauses: each chunk waits its own share.
        let pauses = fs.log.filter { $0.hasPrefix("pause ") }.map { UInt64($0.split(separator: " ").last!)! }
        let perChunk = UInt64(chunk) * 1_000_000_000 / (4 << 20)
        #expect(pauses == [perChunk, perChunk, perChunk, perChunk / 2])
        // Each pause comes after its chunk's write, and the sync after the last pause.
        let kinds = fs.log.map { String($0.split(separator: " ")[0]) }.filter { ["write", "pause", "fsync"].contains($0) }
        #expect(kinds == ["write", "pause", "write", "pause", "write", "pause", "write", "pause", "fsync"])
        // Unpaced, or a file of one chunk: no pause.
        fs.clear()
        try fs.replaceFileDurably(path, with: bytes, temporaryPath: path + ".tmp")
        try fs.replaceFileDurably(path, with: Array(bytes.prefix(chunk)), temporaryPath: path + ".tmp", pace: pace)
        #expect(!fs.log.contains { $0.hasPrefix("pause ") })
    }

    @Test("a write pace waits only while the writer is ahead of it, and is never below 1 MiB/s")
    func writePaceArithmetic() {
        let pace = WritePace(bytesPerSecond: 32 << 20)
        #expect(pace.delay(afterWriting: 32 << 20, elapsed: 0) == 1_000_000_000)
        #expect(pace.delay(afterWriting: 32 << 20, elapsed: 400_000_000) == 600_000_000)
        #expect(pace.delay(afterWriting: 32 << 20, elapsed: 1_000_000_000) == 0)
        #expect(pace.delay(afterWriting: 1 << 20, elapsed: 5_000_000_000) == 0)
        #expect(WritePace(bytesPerSecond: 0).bytesPerSecond == 1 << 20)
        #expect(WritePace(bytesPerSecond: -5).delay(afterWriting: 1 << 20, elapsed: 0) == 1_000_000_000)
    }

    @Test("a path with '..' below the root is refused, not resolved")
    func dotDotRefused() throws {
        let dir = TemporaryDirectory("posix-dotdot")
        defer { dir.remove() }
        let fs = PosixFileSystem(root: dir.path("store"))
        try FileManager.default.createDirectory(atPath: dir.path("store"), withIntermediateDirectories: false)
        try Data("outside".utf8).write(to: dir.url.appendingPathComponent("secret"))
        #expect(throws: FileSystemError.self) { try fs.readFile(dir.path("store") + "/../secret") }
        #expect(throws: FileSystemError.self) { try fs.removeFile(dir.path("store") + "/../secret") }
        #expect(FileManager.default.fileExists(atPath: dir.path("secret")))
    }

    @Test("lowering the I/O priority changes the calling thread only")
    func lowerPriority() throws {
        let dir = TemporaryDirectory("posix-priority")
        defer { dir.remove() }
        let fs = PosixFileSystem(root: dir.url.standardizedFileURL.path)
        let niceValues = NiceValues()
        let thread = Thread {
            niceValues.before = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            fs.lowerCurrentThreadIOPriority()
            niceValues.after = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        }
        thread.start()
        while !thread.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        // The thread's own nice value is now 19 (on Linux the nice value is per thread), and
        // this thread's is unchanged.
        #expect(niceValues.after == 19)
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == niceValues.before)
        try fs.replaceFileDurably(dir.path("f"), with: [1], temporaryPath: dir.path("f.tmp"))
    }
}

/// Nice values seen on another thread.
private final class NiceValues: @unchecked Sendable {
    var before: Int32 = 0
    var after: Int32 = 0
}
