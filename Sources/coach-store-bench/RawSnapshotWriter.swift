import Foundation
import Glibc

/// The file system's own cost of what compaction writes, with nothing of the store in it: a
/// thread writing a file of the snapshot's size with plain system calls while raw appends go on.
/// It tells how much of the compaction figure is the disk and the kernel.
final class RawSnapshotWriter {
    /// What the thread writes.
    enum Kind: String, CaseIterable {
        /// What compaction does to the files, in its order (the format's floor): the snapshot
        /// replaced (`open` a new file, `pwrite` it whole, `fsync`, `close`, `rename` over the
        /// old one, freeing its blocks, `fsync` the folder), then the journal (a new file of the
        /// records compaction keeps, `fdatasync`, `rename` over the old journal, `fsync` the folder).
        case replace
        /// The least any writer of these bytes can do: `pwrite` over an existing file's blocks
        /// and `fdatasync`. No new blocks, no rename; not crash-safe, a floor only.
        case overwrite
    }

    /// What this writer's thread writes.
    let kind: Kind
    private let folder: String
    private var target: String { folder + "/snapshot.json" }
    private var temporary: String { folder + "/snapshot.json.tmp" }
    private var journal: String { folder + "/journal.jsonl" }
    private var journalTemporary: String { folder + "/journal.jsonl.tmp" }
    /// Filler bytes, made before the timed part: what matters to the disk is their count.
    private var filler: [UInt8]
    /// The size of the file `overwrite` writes over: it must never grow.
    private let overwrittenSize: Int

    /// The sizes of the files one compaction writes and drops.
    struct Sizes {
        /// The snapshot the store just wrote.
        var snapshot: Int
        /// The journal before compaction (what `replace` drops) and after (what it writes).
        var journalBefore: Int
        var journalAfter: Int
    }

    /// Creates `folder` and a first snapshot of `snapshotSize` bytes (twice that for
    /// `overwrite`, so that overwriting never extends it).
    init(kind: Kind, folder: String, snapshotSize: Int) throws {
        self.kind = kind
        self.folder = folder
        overwrittenSize = 2 * snapshotSize
        filler = Self.filler(overwrittenSize)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try write(path: target, count: kind == .overwrite ? overwrittenSize : snapshotSize, truncate: true)
        try syncFolder()
    }

    /// Before the timed part: filler for every size in `sizes`, and (`replace`) a journal of
    /// `sizes.journalBefore` bytes, synced, for the compaction to drop.
    func prepare(_ sizes: Sizes) throws {
        let largest = max(sizes.snapshot, sizes.journalBefore, sizes.journalAfter)
        if filler.count < largest { filler = Self.filler(largest) }
        switch kind {
        case .overwrite:
            guard sizes.snapshot <= overwrittenSize else {
                throw BenchError("the snapshot (\(sizes.snapshot) bytes) grew past the overwritten file (\(overwrittenSize) bytes)")
            }
        case .replace:
            try write(path: journal, count: sizes.journalBefore, truncate: true)
            try syncFolder()
        }
    }

    /// Writes the files the way ``kind`` says, on a thread of its own; `done` is set when it
    /// returns. Call ``prepare(_:)`` with the same sizes first.
    func start(_ sizes: Sizes, done: DoneFlag, failures: FailureList) {
        let handOff = UnsafeTransfer(self)
        Thread.detachNewThread {
            do { try handOff.value.write(sizes) } catch { failures.add("\(error)") }
            done.set()
        }
    }

    /// The thread's work.
    private func write(_ sizes: Sizes) throws {
        switch kind {
        case .overwrite:
            try write(path: target, count: sizes.snapshot, truncate: false)
        case .replace:
            try write(path: temporary, count: sizes.snapshot, truncate: true)
            try rename(temporary, over: target)
            try syncFolder()
            try write(path: journalTemporary, count: sizes.journalAfter, truncate: true, dataOnly: true)
            try rename(journalTemporary, over: journal)
            try syncFolder()
        }
    }

    /// `rename(2)`.
    private func rename(_ source: String, over destination: String) throws {
        guard Glibc.rename(source, destination) == 0 else { throw BenchError.posix("rename", source, errno) }
    }

    /// `fsync` of the folder, making its entries durable.
    private func syncFolder() throws {
        guard fsyncPath(folder) == 0 else { throw BenchError.posix("fsync", folder, errno) }
    }

    /// `open`, one `pwrite` of `count` filler bytes at offset 0, `fsync` (a new snapshot, as
    /// the store does) or `fdatasync` (an overwrite, a journal), `close`.
    private func write(path: String, count: Int, truncate: Bool, dataOnly: Bool? = nil) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0o644)
        guard fd >= 0 else { throw BenchError.posix("open", path, errno) }
        defer { close(fd) }
        let written = filler.withUnsafeBytes { pwrite(fd, $0.baseAddress, count, 0) }
        guard written == count else { throw BenchError.posix("pwrite", path, errno) }
        let dataOnly = dataOnly ?? !truncate
        guard (dataOnly ? fdatasync(fd) : fsync(fd)) == 0 else {
            throw BenchError.posix(dataOnly ? "fdatasync" : "fsync", path, errno)
        }
    }

    /// `count` bytes of JSON-like text.
    private static func filler(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(ascii: "a") + UInt8($0 % 26) }
    }
}

/// `fsync` of a folder (or any path) opened read-only.
private func fsyncPath(_ path: String) -> Int32 {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return -1 }
    defer { close(fd) }
    return fsync(fd)
}
