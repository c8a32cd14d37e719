/// The last step of compaction: replacing `journal.jsonl` by the records above the new
/// snapshot, in two parts so that saves wait only for a rename and a folder sync.
enum JournalSwap {
    /// A replacement journal written ahead of the swap.
    struct Prepared {
        /// `journal.jsonl.tmp`, open, holding the records copied so far, synced.
        let file: any OpenFile
        /// Bytes in `file`.
        var length: Int
        /// The offset in the live journal up to which records were copied.
        var copiedUpTo: Int
    }

    /// Part one, on the compaction thread while saves go on: copies the complete records after
    /// `boundary` into `journal.jsonl.tmp` and fdatasyncs it. `nil` if the journal is shorter
    /// than `boundary`: it is no longer the one compaction started from (the user was deleted).
    static func prepare(from boundary: Int, paths: UserPaths, fileSystem fs: any FileSystem) throws(FileSystemError) -> Prepared? {
        let bytes = try fs.readFile(paths.journal) ?? []
        guard bytes.count >= boundary else { return nil }
        // A save may be writing right now: take whole lines only (a record has one newline, its last byte).
        let end = max(boundary, bytes.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0)
        let tail = Array(bytes[boundary..<end])
        let file = try fs.openFile(paths.journalTemporary, create: true, truncate: true)
        do throws(FileSystemError) {
            try file.write(tail, at: 0)
            try file.sync(dataOnly: true)
        } catch {
            abandon(file, paths: paths, fileSystem: fs)
            throw error
        }
        return Prepared(file: file, length: tail.count, copiedUpTo: end)
    }

    /// Part two, under the user's lock: appends the records saved since part one, renames the
    /// replacement over the journal and fsyncs the folder. Returns `false` (and abandons the
    /// replacement) if the journal is not the one part one copied from. The old journal's
    /// descriptor is dropped from `pool`; the next append opens the new one.
    static func commit(
        _ prepared: Prepared, state: inout UserState, paths: UserPaths, fileSystem fs: any FileSystem,
        pool: DescriptorPool, journal: JournalHandle
    ) throws(FileSystemError) -> Bool {
        guard state.journalLength >= prepared.copiedUpTo else {
            abandon(prepared.file, paths: paths, fileSystem: fs)
            return false
        }
        var length = prepared.length
        if state.journalLength > prepared.copiedUpTo {
            let count = state.journalLength - prepared.copiedUpTo
            let delta = try readLive(paths, from: prepared.copiedUpTo, count: count, fileSystem: fs, pool: pool, journal: journal)
            guard delta.count == count else {
                abandon(prepared.file, paths: paths, fileSystem: fs)
                return false
            }
            try prepared.file.write(delta, at: Int64(length))
            try prepared.file.sync(dataOnly: true)
            length += count
        }
        try fs.rename(paths.journalTemporary, to: paths.journal)
        pool.discard(journal)
        prepared.file.close()
        try fs.syncDirectory(paths.directory)
        state.journalLength = length
        state.journalFileLength = length
        return true
    }

    /// `count` bytes of the live journal from `offset`.
    private static func readLive(
        _ paths: UserPaths, from offset: Int, count: Int, fileSystem fs: any FileSystem, pool: DescriptorPool,
        journal: JournalHandle
    ) throws(FileSystemError) -> [UInt8] {
        let lease = try pool.lease(journal) { () throws(FileSystemError) in
            try fs.openFile(paths.journal, create: false, truncate: false)
        }
        defer { journal.release() }
        return try lease.file.read(at: Int64(offset), count: count)
    }

    /// Closes and removes a replacement that will not be used.
    static func abandon(_ file: any OpenFile, paths: UserPaths, fileSystem fs: any FileSystem) {
        file.close()
        try? fs.removeFile(paths.journalTemporary)
    }
}
