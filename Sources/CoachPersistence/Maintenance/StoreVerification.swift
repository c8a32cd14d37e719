import Foundation

/// What ``StoreInspector/verify(userID:)`` found: how much it checked, and every problem.
public struct StoreVerification: Hashable, Sendable {
    /// One thing wrong with a store's files.
    public struct Problem: Hashable, Sendable, CustomStringConvertible {
        /// What kind of problem it is.
        public enum Kind: String, Hashable, Sendable {
            /// A journal line is damaged or undecodable with sound records after it, or the
            /// sequence numbers are out of order: loads of the user fail.
            case corruptJournal
            /// The journal ends in a half-written record, as a crash leaves it. A writable open
            /// cuts it off by itself (it was never acknowledged); `repair` does it explicitly.
            case tornTail
            /// The snapshot is damaged or holds another user's context: loads of the user fail.
            case corruptSnapshot
            /// A file was written by a newer version of the format.
            case unsupportedFormat
            /// A folder holds a user whose id maps to a different folder, so the store never
            /// finds that user's data there.
            case misplacedFolder
            /// A folder under `users/` whose user cannot be told from its name or its files.
            case unknownFolder
            /// An entry under `users/` that cannot be read: a file or a dangling link where a
            /// user's folder belongs, or a folder whose files fail to read (an I/O error).
            case unreadableFolder
        }

        /// What kind of problem it is.
        public var kind: Kind
        /// The user concerned, when it is known.
        public var userID: String?
        /// The file or folder concerned, absolute.
        public var file: String
        /// The same, relative to the store's root (`users/maya/journal.jsonl`).
        public var relativePath: String
        /// The 1-based line of the file, when the problem sits on one line.
        public var line: Int?
        /// What is wrong, as a phrase.
        public var reason: String
        /// Whether `coach-store repair` (``StoreRepair/repair(userID:in:lockWait:)``) fixes it.
        public var isRepairable: Bool { kind == .corruptJournal || kind == .tornTail }

        /// `users/maya/journal.jsonl:3: checksum mismatch (…)`: the file, the line, the reason.
        public var description: String {
            "\(relativePath)\(line.map { ":\($0)" } ?? ""): \(reason)"
        }
    }

    /// How many users were checked.
    public var users: Int
    /// How many snapshots were checked.
    public var snapshots: Int
    /// How many journal lines were checked.
    public var lines: Int
    /// Every problem found, by folder, then file, then line.
    public var problems: [Problem]
    /// Whether nothing is wrong.
    public var isClean: Bool { problems.isEmpty }
}

extension StoreInspector {
    /// Checks every snapshot and every journal record of `userID`, or of every user when `nil`:
    /// checksums, decoding, sequence order, whose context each file holds, and folder names.
    /// Unlike a load, it goes on past the first problem and reports each one.
    ///
    /// - Throws: ``StateStoreError/noSuchUser(userID:directory:)`` if `userID` has no data.
    public func verify(userID: String? = nil) throws -> StoreVerification {
        var report = StoreVerification(users: 0, snapshots: 0, lines: 0, problems: [])
        if let userID {
            let paths = paths(for: userID)
            guard try check(userID: userID, paths: paths, into: &report) else {
                throw StateStoreError.noSuchUser(userID: userID, directory: layout.root)
            }
            return report
        }
        let names: [String]
        do {
            names = try fileSystem.directoryExists(layout.usersDirectory) ? try fileSystem.listDirectory(layout.usersDirectory) : []
        } catch {
            throw StateStoreError(error)
        }
        for name in names.sorted() where !name.hasPrefix(StoreLayout.trashPrefix) {
            let paths = UserPaths(layout: layout, folder: name)
            let isFolder: Bool
            do {
                isFolder = try fileSystem.directoryExists(paths.directory)
            } catch {
                // Anything but a folder here is a user the store cannot read: say so, go on.
                report.problems.append(
                    problem(.unreadableFolder, UserFolderName.decode(name), paths.directory, nil,
                            "is not a folder the store can read: \(error.reason)"))
                continue
            }
            guard isFolder else { continue }
            let id = UserFolderName.decode(name) ?? UserListing.storedUserID(paths, fileSystem)
            guard let id else {
                let holdsData = try storeErrors { () throws(FileSystemError) in
                    if try fileSystem.regularFileSize(paths.snapshot) != nil { return true }
                    return try fileSystem.regularFileSize(paths.journal) ?? 0 > 0
                }
                if holdsData {
                    report.problems.append(
                        problem(.unknownFolder, nil, paths.directory, nil,
                                "no user can be read from this folder's name or files"))
                }
                continue
            }
            if !ContextDiff.exactlyEqual(UserFolderName.encode(id), name) {
                report.problems.append(
                    problem(.misplacedFolder, id, paths.directory, nil,
                            "holds user '\(id)', whose folder is users/\(UserFolderName.encode(id)); the store never reads this one"))
            }
            try check(userID: id, paths: paths, into: &report)
        }
        return report
    }

    /// Checks one user's files; `false` if the user has no data.
    @discardableResult
    private func check(userID: String, paths: UserPaths, into report: inout StoreVerification) throws(StateStoreError) -> Bool {
        let files: UserFiles
        do {
            guard try storeErrors({ () throws(FileSystemError) in try fileSystem.directoryExists(paths.directory) }) else { return false }
            files = try UserFiles.read(paths, fileSystem: fileSystem)
        } catch {
            // One unreadable user is a problem to report, not the end of the check.
            report.users += 1
            report.problems.append(problem(.unreadableFolder, userID, paths.directory, nil, "cannot be read: \(error.description)"))
            return true
        }
        guard files.snapshot != nil || !(files.journal ?? []).isEmpty else { return false }
        report.users += 1
        let before = report.problems.count
        var problems: [StoreVerification.Problem] = []

        // The snapshot: checksum, format, owner.
        var snapshotSequence: UInt64? = 0
        if files.snapshot != nil {
            report.snapshots += 1
            do {
                snapshotSequence = try UserRecovery.decodeSnapshot(userID: userID, files: files)?.sequence ?? 0
            } catch {
                snapshotSequence = nil
                problems.append(problem(for: error, userID: userID, paths: paths))
            }
        }

        // Every journal line on its own: frame, checksum, decoding.
        let lines = JournalReader.scan(files.journal ?? [])
        report.lines += lines.count
        var lineProblems: [Int: StoreVerification.Problem] = [:]
        for line in lines {
            switch line.result {
            case .success: continue
            case .failure(.damaged(let reason)):
                lineProblems[line.number] = problem(.corruptJournal, userID, paths.journal, line.number, reason)
            case .failure(.undecodable(let reason)):
                lineProblems[line.number] = problem(.corruptJournal, userID, paths.journal, line.number, "record cannot be decoded: \(reason)")
            }
        }

        // The lines together: sequence order over the snapshot, and which damage is a torn tail.
        // Without a readable snapshot the sequence check would only echo the snapshot's problem.
        if let snapshotSequence {
            do {
                let replay = try JournalReplay(lines: lines, snapshotSequence: snapshotSequence)
                if replay.endsInEmptyLine { lineProblems[lines.count] = nil }  // an editor's final newline
                if let torn = replay.tornTail, let first = replay.tornTailLine {
                    let reason = lineProblems[first]?.reason ?? "damaged"
                    let span = lines.count > first ? "lines \(first)–\(lines.count), " : ""
                    for number in first...lines.count { lineProblems[number] = nil }
                    lineProblems[first] = problem(
                        .tornTail, userID, paths.journal, first,
                        "torn tail (\(span)\(torn.count) bytes): \(reason); \(Self.acknowledgement(replay.tornTailKind)), and the next writable open or `repair` cuts it off")
                }
            } catch {
                if let existing = lineProblems[error.line] {
                    lineProblems[error.line]?.reason = error.reason.hasPrefix(existing.reason) ? error.reason : existing.reason
                } else {
                    lineProblems[error.line] = problem(.corruptJournal, userID, paths.journal, error.line, error.reason)
                }
            }
        }
        problems += lineProblems.keys.sorted().map { lineProblems[$0]! }

        // Finally the whole load, for what only replay sees (a record holding another user's context).
        if problems.isEmpty {
            do {
                _ = try UserRecovery.recover(userID: userID, from: files, fileSystem: fileSystem, writable: false)
            } catch {
                problems.append(problem(for: error, userID: userID, paths: paths))
            }
        }
        report.problems.insert(contentsOf: problems, at: before)
        return true
    }

    private func problem(for error: StateStoreError, userID: String, paths: UserPaths) -> StoreVerification.Problem {
        switch error {
        case .corruptSnapshot(_, let file, let reason):
            return problem(.corruptSnapshot, userID, file, nil, reason)
        case .corruptJournal(_, let file, let line, let reason):
            return problem(.corruptJournal, userID, file, line, reason)
        case .unsupportedFormat(let file, let found, let supported):
            return problem(.unsupportedFormat, userID, file, nil, "format version \(found), newer than \(supported), the newest this code reads")
        case .folderConflict(_, let folder, let stored):
            return problem(.misplacedFolder, userID, folder, nil, "holds user '\(stored)', not '\(userID)'")
        default:
            return problem(.corruptSnapshot, userID, paths.directory, nil, error.description)
        }
    }

    private func problem(
        _ kind: StoreVerification.Problem.Kind, _ userID: String?, _ file: String, _ line: Int?, _ reason: String
    ) -> StoreVerification.Problem {
        StoreVerification.Problem(kind: kind, userID: userID, file: file, relativePath: layout.relative(file), line: line, reason: reason)
    }

    /// What a torn tail of this kind proves about the save it held (format page, "What a torn tail proves").
    static func acknowledgement(_ kind: JournalReplay.TornTailKind?) -> String {
        kind == .incompleteLine
            ? "an interrupted append: under .durable it was never acknowledged (.batched and .unsynced may lose acknowledged saves this way)"
            : "bytes a file system leaves after a crash (or bit rot): whether a save was acknowledged cannot be proved"
    }
}
