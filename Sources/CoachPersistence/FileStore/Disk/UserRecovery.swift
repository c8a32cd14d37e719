import Foundation

/// Loading one user from disk: the snapshot, then the journal replayed over it, with the torn
/// tail repaired when the store is writable. Implements the recovery rules of the format page.
enum UserRecovery {
    /// What a load found besides the state: a torn tail, if there was one.
    struct Outcome {
        var state: UserState
        var tornTail: TornTailCut?
    }

    /// A torn tail that recovery found: cut off when writable (``copyFailure`` says why no copy
    /// was kept, if none could be), skipped in memory otherwise.
    struct TornTailCut: Sendable {
        var line: Int
        var keptBytes: Int
        var cutBytes: Int
        var copyFailure: String?
    }

    /// Reads `userID`'s files and recovers the user from them. A writable store reads them
    /// once; a read-only one reads them so they match even while a writer compacts (see ``UserFiles``).
    static func load(
        userID: String, paths: UserPaths, fileSystem fs: any FileSystem, writable: Bool
    ) throws(StateStoreError) -> Outcome {
        guard try storeErrors({ () throws(FileSystemError) in try fs.directoryExists(paths.directory) }) else {
            return Outcome(state: UserState(userID: userID, folder: paths.folder))
        }
        let files = writable ? try UserFiles.readOnce(paths, fileSystem: fs) : try UserFiles.read(paths, fileSystem: fs)
        return try recover(userID: userID, from: files, fileSystem: fs, writable: writable)
    }

    /// Recovers the user from bytes already read. When `writable`, a torn tail is copied to
    /// `journal.jsonl.torn`, cut off, and the journal synced, and leftover temporary files are
    /// removed; otherwise `fs` is not touched.
    static func recover(
        userID: String, from files: UserFiles, fileSystem fs: any FileSystem, writable: Bool
    ) throws(StateStoreError) -> Outcome {
        let paths = files.paths
        var state = UserState(userID: userID, folder: paths.folder)
        state.folderExists = true
        let snapshot = try decodeSnapshot(userID: userID, files: files)
        let journalBytes = files.journal ?? []
        let lines = JournalReader.scan(journalBytes)
        let replay: JournalReplay
        do {
            replay = try JournalReplay(lines: lines, snapshotSequence: snapshot?.sequence ?? 0)
        } catch {
            throw .corruptJournal(userID: userID, file: paths.journal, line: error.line, reason: error.reason)
        }
        var context = snapshot?.context
        for record in replay.records {
            for event in record.events {
                if case .contextReplaced(let replacement) = event {
                    try checkOwner(replacement.userID, userID: userID, paths: paths, file: paths.journal)
                }
                // Taken out, not copied: a copy made every append copy the whole history
                // (10,000 records took 1.9 s to replay; now 25 ms).
                var next = context.take() ?? CoachContext(userID: userID)
                event.apply(to: &next)
                context = next
            }
        }
        state.context = context
        state.revisionHash = revisionHash(snapshot: snapshot, bytes: files.snapshot, journal: journalBytes, lines: lines, replay: replay)
        state.sequence = replay.lastSequence
        state.snapshotSequence = snapshot?.sequence ?? 0
        state.journalLength = replay.soundLength
        state.journalFileLength = journalBytes.count
        state.journalRecords = replay.recordCount

        var cut: TornTailCut?
        if let torn = replay.tornTail, let line = replay.tornTailLine {
            cut = TornTailCut(line: line, keptBytes: torn.lowerBound, cutBytes: torn.count)
            if writable {
                state.journalFileLength = torn.lowerBound
                cut?.copyFailure = try cutTornTail(Array(journalBytes[torn]), at: torn.lowerBound, paths: paths, fileSystem: fs)?.description
            }
        }
        if writable { removeTemporaries(paths, fs) }
        return Outcome(state: state, tornTail: cut)
    }

    /// The user's snapshot, or `nil` if there is none.
    static func decodeSnapshot(userID: String, files: UserFiles) throws(StateStoreError) -> SnapshotFile? {
        let paths = files.paths
        guard let bytes = files.snapshot else { return nil }
        let snapshot: SnapshotFile
        do {
            snapshot = try SnapshotFile.decode(bytes)
        } catch {
            switch error {
            case .newerFormat(let found):
                throw .unsupportedFormat(file: paths.snapshot, found: found, supported: SnapshotFile.currentFormat)
            case .invalid(let reason):
                throw .corruptSnapshot(userID: userID, file: paths.snapshot, reason: reason)
            }
        }
        try checkOwner(snapshot.context.userID, userID: userID, paths: paths, file: paths.snapshot)
        return snapshot
    }

    /// The revision hash at the last sound record: the snapshot's stored one (or, for a snapshot
    /// written before revisions, a hash of its bytes), chained over each record above it.
    static func revisionHash(
        snapshot: SnapshotFile?, bytes: [UInt8]?, journal: [UInt8], lines: [JournalReader.Line], replay: JournalReplay
    ) -> UInt64 {
        var hash = RevisionHash.origin
        if let snapshot {
            hash = snapshot.revision.flatMap(ContextRevision.init).map(\.hash) ?? RevisionHash.chain(RevisionHash.origin, bytes ?? [])
        }
        let snapshotSequence = snapshot?.sequence ?? 0
        for line in lines where line.range.upperBound <= replay.soundLength {
            guard let record = line.record, record.sequence > snapshotSequence else { continue }
            hash = RevisionHash.chain(hash, recordBytes(journal[line.range]))
        }
        return hash
    }

    /// A record's line without its line ending (`\n`, or `\r\n` after an editor or git converted it).
    static func recordBytes(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var end = line.endIndex
        if end > line.startIndex, line[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        if end > line.startIndex, line[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return line[line.startIndex..<end]
    }

    /// Keeps the torn bytes for forensics, then cuts the journal to its sound part and syncs it
    /// (durability rule 2). When the copy cannot be written (a full disk), the tail is cut
    /// without it, so that the user stays loadable: the bytes are provably a save that was never
    /// acknowledged. Returns why the copy failed, if it did.
    private static func cutTornTail(
        _ torn: [UInt8], at length: Int, paths: UserPaths, fileSystem fs: any FileSystem
    ) throws(StateStoreError) -> FileSystemError? {
        var copyFailure: FileSystemError?
        do throws(FileSystemError) {
            let side = try fs.openFile(paths.tornTail, create: true, truncate: false)
            defer { side.close() }
            try side.write(torn, at: try side.size())
            try side.sync(dataOnly: false)
            try fs.syncDirectory(paths.directory)
        } catch {
            copyFailure = error
        }
        do throws(FileSystemError) {
            let journal = try fs.openFile(paths.journal, create: false, truncate: false)
            defer { journal.close() }
            try journal.truncate(to: Int64(length))
            try journal.sync(dataOnly: false)
        } catch {
            throw StateStoreError(error)
        }
        return copyFailure
    }

    private static func removeTemporaries(_ paths: UserPaths, _ fs: any FileSystem) {
        try? fs.removeFile(paths.snapshotTemporary)
        try? fs.removeFile(paths.journalTemporary)
    }

    private static func checkOwner(_ stored: String, userID: String, paths: UserPaths, file: String) throws(StateStoreError) {
        guard !ContextDiff.exactlyEqual(stored, userID) else { return }
        if UserFolderName.isHashed(paths.folder) {
            throw .folderConflict(userID: userID, folder: paths.directory, storedUserID: stored)
        }
        throw .corruptSnapshot(userID: userID, file: file, reason: "it holds the context of user '\(stored)'")
    }
}
