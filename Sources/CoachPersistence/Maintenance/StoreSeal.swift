import Foundation

/// Accepts edits a person made directly in a store's files: `coach-store seal`.
///
/// A snapshot or journal record whose checksum no longer matches its bytes is, to the store,
/// damage. After a deliberate edit (a typo fixed in `journal.jsonl` or `snapshot.json`, line
/// endings converted by an editor) sealing recomputes those checksums, so that the edit loads.
public enum StoreSeal {
    /// The suffix of the backup kept beside each file sealing replaces:
    /// `journal.jsonl.seal-backup`, `snapshot.json.seal-backup` (then `.seal-backup.2`, …).
    public static let backupSuffix = ".seal-backup"

    /// Recomputes the checksum of every snapshot and journal record of `userID` (every user when
    /// `nil`) that decodes and fits the sequence rules, and re-encodes it in the store's own form.
    ///
    /// Sealing is all or nothing: when any file holds something that does not decode, or the
    /// sealed files would not load (a sequence gap, another user's context), it throws before
    /// writing anything. Otherwise each changed file is first copied to a backup beside it
    /// (``backupSuffix``), then replaced atomically (temporary file, fsync, rename, fsync of the
    /// folder), all while holding the store's write lock, waited for up to `lockWait`. Files
    /// whose checksums hold are left byte for byte. A `dryRun` reports the same and writes nothing.
    ///
    /// - Throws: ``StateStoreError/notRepairable(userID:reason:)`` naming the file, line and
    ///   reason of what cannot be sealed, ``StateStoreError/noSuchUser(userID:directory:)``,
    ///   ``StateStoreError/locked(directory:)``, or a ``StateStoreError`` for a failed file operation.
    public static func seal(userID: String? = nil, in directory: URL, dryRun: Bool = false, lockWait: Duration = .seconds(1)) throws -> SealReport {
        try seal(userID: userID, in: directory, dryRun: dryRun, lockWait: lockWait, fileSystem: PosixFileSystem(root: StoreInspector.rootPath(directory)))
    }

    static func seal(userID: String?, in directory: URL, dryRun: Bool, lockWait: Duration, fileSystem fs: any FileSystem) throws -> SealReport {
        let inspector = try StoreInspector(directory: directory, fileSystem: fs)
        // Even a dry run takes the lock when it can: the files must not move while they are read.
        let lock = dryRun ? nil : try StoreRepair.waitForLock(inspector.layout, fs, lockWait)
        defer { lock?.close() }

        let userIDs: [String]
        if let userID {
            guard try inspector.inspect(userID) != nil else {
                throw StateStoreError.noSuchUser(userID: userID, directory: inspector.layout.root)
            }
            userIDs = [userID]
        } else {
            userIDs = try inspector.userIDs()
        }
        let plans = try userIDs.map { id throws(StateStoreError) in try plan(id, inspector) }
        var report = SealReport(users: userIDs.count, changes: plans.flatMap(\.changes), backups: [], dryRun: dryRun)
        guard !dryRun else { return report }
        for plan in plans {
            for (path, original, sealed) in plan.writes {
                report.backups.append(inspector.relativePath(try write(sealed, to: path, keeping: original, fs)))
            }
        }
        return report
    }

    /// What sealing one user would write.
    private struct Plan {
        var changes: [SealReport.Change] = []
        /// Each file to replace: its path, its bytes now, its sealed bytes.
        var writes: [(path: String, original: [UInt8], sealed: [UInt8])] = []
    }

    private static func plan(_ userID: String, _ inspector: StoreInspector) throws(StateStoreError) -> Plan {
        let paths = inspector.paths(for: userID)
        let files = try UserFiles.read(paths, fileSystem: inspector.fileSystem)
        var plan = Plan()
        func refuse(_ file: String, _ line: Int?, _ reason: String) -> StateStoreError {
            let place = inspector.relativePath(file) + (line.map { ":\($0)" } ?? "")
            return .notRepairable(userID: userID, reason: "\(place) cannot be sealed: \(reason)")
        }

        var snapshotBytes = files.snapshot
        var snapshotSequence: UInt64 = 0
        if let original = files.snapshot {
            let sealed = try sealSnapshot(original, userID: userID) { reason in refuse(paths.snapshot, nil, reason) }
            snapshotSequence = sealed.sequence
            if sealed.bytes != original {
                snapshotBytes = sealed.bytes
                plan.writes.append((paths.snapshot, original, sealed.bytes))
                plan.changes.append(change(userID, inspector.relativePath(paths.snapshot), nil, original, sealed.bytes))
            }
        }

        var journalBytes = files.journal
        if let original = files.journal {
            var sealedJournal: [UInt8] = []
            for line in JournalReader.scan(original) {
                let bytes = Array(original[line.range])
                if line.record != nil && bytes.last == UInt8(ascii: "\n") {
                    sealedJournal += bytes
                    continue
                }
                guard let sealed = try sealRecord(bytes, { reason in refuse(paths.journal, line.number, reason) }) else {
                    plan.changes.append(SealReport.Change(
                        userID: userID, file: inspector.relativePath(paths.journal), line: line.number, action: "empty line removed"))
                    continue
                }
                sealedJournal += sealed
                plan.changes.append(change(userID, inspector.relativePath(paths.journal), line.number, bytes, sealed))
            }
            if sealedJournal != original {
                journalBytes = sealedJournal
                plan.writes.append((paths.journal, original, sealedJournal))
            }
        }
        guard !plan.writes.isEmpty else { return plan }

        // The sealed files must load as a whole: sequence order over the snapshot, and the owner.
        let lines = JournalReader.scan(journalBytes ?? [])
        do {
            _ = try JournalReplay(lines: lines, snapshotSequence: snapshotSequence)
        } catch {
            throw refuse(paths.journal, error.line, error.reason)
        }
        let after = UserFiles(paths: paths, snapshot: snapshotBytes, journal: journalBytes)
        do {
            _ = try UserRecovery.recover(userID: userID, from: after, fileSystem: inspector.fileSystem, writable: false)
        } catch {
            throw .notRepairable(userID: userID, reason: "after sealing, it would still not load: \(error.description)")
        }
        return plan
    }

    /// The record a journal line holds, in the store's own encoding with its checksum; `nil` for
    /// a blank line (an editor's extra newline), which sealing drops.
    private static func sealRecord(_ line: [UInt8], _ refuse: (String) -> StateStoreError) throws(StateStoreError) -> [UInt8]? {
        var body = line[...]
        while let last = body.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { body.removeLast() }
        if body.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { return nil }
        let wire: RecordWire
        do {
            // The stale `crc` key is ignored: the record is what the line's JSON says.
            wire = try JSONCoding.decoder().decode(RecordWire.self, from: Data(body))
        } catch {
            throw refuse("it does not decode as a record (\(JSONCoding.reason(error))); fix it by hand, or cut it with repair")
        }
        let encoded: [UInt8]
        do {
            encoded = try JournalRecord(sequence: wire.seq, events: wire.events).encodedLine()
        } catch {
            throw refuse("a number in it cannot be written (\(error))")
        }
        guard case .success = JournalRecord.decode(line: encoded.dropLast()[...], decoder: JSONCoding.decoder()) else {
            throw refuse("the record does not read back after sealing")
        }
        return encoded
    }

    /// The snapshot in the store's own encoding with its checksum, and its sequence.
    private static func sealSnapshot(
        _ bytes: [UInt8], userID: String, _ refuse: (String) -> StateStoreError
    ) throws(StateStoreError) -> (bytes: [UInt8], sequence: UInt64) {
        if let sound = try? SnapshotFile.decode(bytes), sound.context.userID == userID {
            return (bytes, sound.sequence)
        }
        let wire: SnapshotWire
        do {
            // The stale `checksum` key is ignored: the snapshot is what the file's JSON says.
            wire = try JSONCoding.decoder().decode(SnapshotWire.self, from: Data(bytes))
        } catch {
            throw refuse("it does not decode as a snapshot (\(JSONCoding.reason(error))); fix it by hand")
        }
        guard wire.format <= SnapshotFile.currentFormat else {
            throw refuse("it was written by a newer version (format \(wire.format))")
        }
        guard wire.context.userID == userID else {
            throw refuse("it holds user '\(wire.context.userID)', not '\(userID)'")
        }
        let encoded: [UInt8]
        do {
            // A hand edit is a new version of the context, so it gets a revision of its own: an
            // app still holding the old revision gets a conflict rather than overwriting the edit.
            let previous = wire.revision.flatMap(ContextRevision.init)?.hash ?? RevisionHash.origin
            let edited = try SnapshotFile(context: wire.context, sequence: wire.sequence).encoded()
            let revision = ContextRevision(sequence: wire.sequence, hash: RevisionHash.chain(previous, edited))
            encoded = try SnapshotFile(context: wire.context, sequence: wire.sequence, revision: revision.description).encoded()
        } catch {
            throw refuse("it cannot be written (\(JSONCoding.reason(error)))")
        }
        guard (try? SnapshotFile.decode(encoded)) != nil else { throw refuse("the snapshot does not read back after sealing") }
        return (encoded, wire.sequence)
    }

    private static func change(_ userID: String, _ file: String, _ line: Int?, _ old: [UInt8], _ new: [UInt8]) -> SealReport.Change {
        var action = "checksum recomputed"
        let crlf = old.contains(UInt8(ascii: "\r")) && !new.contains(UInt8(ascii: "\r"))
        if crlf { action += ", CRLF line endings made LF" }
        if line != nil && old.last != UInt8(ascii: "\n") { action += ", final newline added" }
        return SealReport.Change(userID: userID, file: file, line: line, action: action)
    }

    /// Copies `original` to the first free backup name beside `path`, then replaces `path` with
    /// `sealed`; returns the backup's path. A backup that could not be written whole is removed.
    private static func write(_ sealed: [UInt8], to path: String, keeping original: [UInt8], _ fs: any FileSystem) throws(StateStoreError) -> String {
        let backup: String
        do throws(FileSystemError) {
            backup = try StoreRepair.freeName(path + backupSuffix, fs)
            try fs.replaceFileDurably(backup, with: original, temporaryPath: backup + ".tmp")
            try fs.replaceFileDurably(path, with: sealed, temporaryPath: path + ".tmp")
        } catch {
            throw StateStoreError(error)
        }
        return backup
    }

    /// A journal line's JSON; the `crc` key is not read.
    private struct RecordWire: Decodable {
        var seq: UInt64
        var events: [JournalEvent]
    }

    /// A snapshot's JSON; the `checksum` key is not read.
    private struct SnapshotWire: Decodable {
        var context: CoachContext
        var format: Int
        var revision: String?
        var sequence: UInt64
    }
}
