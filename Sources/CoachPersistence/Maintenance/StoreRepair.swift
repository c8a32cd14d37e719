import Foundation

/// The explicit fix for a corrupt journal, for a person who has looked at `coach-store verify`.
public enum StoreRepair {
    /// Cuts the journal of `userID` back to the last sound record before its first damaged,
    /// undecodable or out-of-sequence line, so that the user loads again with every save made
    /// before the damage.
    ///
    /// The bytes cut are first copied to `journal.jsonl.repair-backup` beside the journal
    /// (`.repair-backup.2`, `.3`… when earlier backups exist) and synced; then the journal is
    /// truncated and synced. Repair takes the store's write lock for the whole time, so it never
    /// runs under a live writer; it waits up to `lockWait` for a lock that is only briefly held
    /// (a store closing, a process being spawned). A sound journal is left alone. Nothing is
    /// written when cutting could not make the user load (a damaged snapshot, for example).
    ///
    /// - Throws: ``StateStoreError/locked(directory:)`` if a writer still has the store open
    ///   after `lockWait`,
    ///   ``StateStoreError/noSuchUser(userID:directory:)``, ``StateStoreError/notRepairable(userID:reason:)``,
    ///   or a ``StateStoreError`` for a failed file operation.
    public static func repair(userID: String, in directory: URL, lockWait: Duration = .seconds(1)) throws -> RepairReport {
        try repair(userID: userID, in: directory, lockWait: lockWait, fileSystem: PosixFileSystem(root: directory.standardizedFileURL.path))
    }

    static func repair(userID: String, in directory: URL, lockWait: Duration, fileSystem fs: any FileSystem) throws -> RepairReport {
        // Open read-only first: repair must not turn a mistyped path into a new store.
        let inspector = try StoreInspector(directory: directory, fileSystem: fs)
        let lock = try waitForLock(inspector.layout, fs, lockWait)
        defer { lock?.close() }

        let paths = inspector.paths(for: userID)
        guard let inspection = try inspector.inspect(userID, paths: paths) else {
            throw StateStoreError.noSuchUser(userID: userID, directory: inspector.layout.root)
        }
        let files = inspection.files
        let snapshot: SnapshotFile?
        do {
            snapshot = try UserRecovery.decodeSnapshot(userID: userID, files: files)
        } catch {
            throw StateStoreError.notRepairable(userID: userID, reason: reason(error, inspector))
        }
        let snapshotSequence = snapshot?.sequence ?? 0
        let journal = files.journal ?? []
        let lines = JournalReader.scan(journal)

        var damage: (line: Int, reason: String)?
        do {
            let replay = try JournalReplay(lines: lines, snapshotSequence: snapshotSequence)
            if let line = replay.tornTailLine, case .failure(let error) = lines[line - 1].result {
                damage = (line, "torn tail: \(describe(error))")
            }
        } catch {
            damage = (error.line, error.reason)
        }
        guard let damage else {
            if case .failure(let error) = inspection.loaded {
                throw StateStoreError.notRepairable(userID: userID, reason: reason(error, inspector))
            }
            return RepairReport(
                userID: userID, journal: paths.journal, backup: nil, damagedLine: nil, reason: nil,
                keptRecords: lines.count, keptBytes: journal.count, lastKeptSequence: inspection.summary.sequence,
                cutLines: 0, cutBytes: 0, cutSequences: [])
        }

        let kept = lines[..<(damage.line - 1)]
        let keptLength = kept.last?.range.upperBound ?? 0
        let cut = Array(journal[keptLength...])
        // Check the result before writing anything: the kept part must load.
        let after = UserFiles(paths: paths, snapshot: files.snapshot, journal: Array(journal[..<keptLength]))
        let state: UserState
        do {
            state = try UserRecovery.recover(userID: userID, from: after, fileSystem: fs, writable: false).state
        } catch {
            throw StateStoreError.notRepairable(userID: userID, reason: reason(error, inspector))
        }

        let backup: String
        do throws(FileSystemError) {
            backup = try freeName(paths.journal + ".repair-backup", fs)
            try writeBackup(cut, to: backup, in: paths.directory, fs)
            let journalFile = try fs.openFile(paths.journal, create: false, truncate: false)
            defer { journalFile.close() }
            try journalFile.truncate(to: Int64(keptLength))
            try journalFile.sync(dataOnly: false)
        } catch {
            throw StateStoreError(error)
        }
        return RepairReport(
            userID: userID, journal: paths.journal, backup: backup, damagedLine: damage.line, reason: damage.reason,
            keptRecords: kept.count, keptBytes: keptLength, lastKeptSequence: state.sequence,
            cutLines: lines.count - kept.count, cutBytes: cut.count,
            cutSequences: lines[kept.count...].compactMap { $0.record?.sequence })
    }

    /// The store's write lock, retried every 20 ms until `wait` has passed.
    static func waitForLock(_ layout: StoreLayout, _ fs: any FileSystem, _ wait: Duration) throws(StateStoreError) -> (any HeldLock)? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: wait)
        while true {
            do {
                return try StoreOpening.open(layout: layout, fileSystem: fs, readOnly: false)
            } catch .locked(let directory) {
                guard clock.now < deadline else { throw .locked(directory: directory) }
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }

    /// Writes and syncs the bytes a repair cuts. If any step fails (a full disk), the partial
    /// file is removed: a truncated `.repair-backup` would look like the real one.
    private static func writeBackup(_ bytes: [UInt8], to backup: String, in folder: String, _ fs: any FileSystem) throws(FileSystemError) {
        do throws(FileSystemError) {
            let file = try fs.openFile(backup, create: true, truncate: true)
            defer { file.close() }
            try file.write(bytes, at: 0)
            try file.sync(dataOnly: false)
            try fs.syncDirectory(folder)
        } catch {
            try? fs.removeFile(backup)
            throw error
        }
    }

    /// `base`, or the first of `base.2`, `base.3`… that does not exist yet.
    static func freeName(_ base: String, _ fs: any FileSystem) throws(FileSystemError) -> String {
        var candidate = base
        var n = 1
        while try fs.exists(candidate) {
            n += 1
            candidate = "\(base).\(n)"
        }
        return candidate
    }

    private static func describe(_ error: JournalRecord.LineError) -> String {
        switch error {
        case .damaged(let reason): reason
        case .undecodable(let reason): "record cannot be decoded: \(reason)"
        }
    }

    private static func reason(_ error: StateStoreError, _ inspector: StoreInspector) -> String {
        switch error {
        case .corruptSnapshot(_, let file, let reason):
            return "\(inspector.relativePath(file)) cannot be read (\(reason)); restore it from a backup or an export"
        case .unsupportedFormat(let file, let found, _):
            return "\(inspector.relativePath(file)) was written by a newer version (format \(found)); upgrade instead"
        default:
            var text = error.description
            if text.hasSuffix(".") { text.removeLast() }
            return text
        }
    }
}
