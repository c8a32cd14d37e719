import Foundation

/// Reads a store's files for a person: users and their summaries, contexts, journal records as
/// stored, statistics, and a full check (``verify(userID:)``).
///
/// An inspector never writes: it takes no lock, creates nothing, cuts no torn tail and removes
/// no leftover file, so it may look at a store that a running ``FileStateStore`` holds open for
/// writing, and leaves every byte as it was. Each user's snapshot and journal are read so that
/// they match even while that writer appends and compacts.
public struct StoreInspector: Sendable {
    /// The store's root directory.
    public let directory: URL

    let layout: StoreLayout
    let fileSystem: any FileSystem

    /// Opens the store at `directory` for reading.
    ///
    /// - Throws: ``StateStoreError/notAStore(directory:reason:)`` if there is no store there,
    ///   ``StateStoreError/unsupportedFormat(file:found:supported:)`` if a newer version wrote it.
    public init(directory: URL) throws {
        try self.init(directory: directory, fileSystem: PosixFileSystem(root: Self.rootPath(directory)))
    }

    init(directory: URL, fileSystem: any FileSystem) throws(StateStoreError) {
        self.directory = directory.standardizedFileURL
        self.fileSystem = fileSystem
        layout = StoreLayout(root: Self.rootPath(directory))
        _ = try StoreOpening.open(layout: layout, fileSystem: fileSystem, readOnly: true)
    }

    // MARK: Users

    /// Every user with data in the store, sorted like ``StateStore/userIDs()``.
    public func userIDs() throws -> [String] {
        try UserListing.userIDs(layout: layout, fileSystem: fileSystem, cleanUp: false)
    }

    /// A summary of `userID`, or `nil` if the store has no data for that user. A user whose
    /// files are damaged still gets a summary, with the reason in ``UserSummary/problem``.
    public func summary(userID: String) throws -> UserSummary? {
        try inspect(userID)?.summary
    }

    /// A summary of every user, sorted by user id. A user whose files cannot be read at all (an
    /// I/O error, a file where a folder belongs) is listed too, with the reason in
    /// ``UserSummary/problem``, so that one bad user never hides the others.
    public func summaries() throws -> [UserSummary] {
        try userIDs().compactMap { userID -> UserSummary? in
            do throws(StateStoreError) {
                return try inspect(userID)?.summary
            } catch {
                return unreadableSummary(userID, error)
            }
        }
    }

    /// The summary of a user whose files could not be read.
    func unreadableSummary(_ userID: String, _ error: StateStoreError) -> UserSummary {
        UserSummary(
            userID: userID, folder: layout.relative(paths(for: userID).directory), state: nil, messageCount: 0,
            lastActivity: nil, sequence: 0, snapshotSequence: 0, journalRecords: 0, journalBytes: 0,
            snapshotBytes: nil, problem: error.description)
    }

    /// The stored context of `userID` as a load would return it, or `nil` if there is none.
    ///
    /// - Throws: the ``StateStoreError`` a load would throw when the user's files are damaged.
    public func context(userID: String) throws -> CoachContext? {
        guard let inspection = try inspect(userID) else { return nil }
        return try inspection.loaded.get().context
    }

    /// Every stored context, sorted by user id.
    ///
    /// - Throws: the first ``StateStoreError`` of a user whose files are damaged.
    public func contexts() throws -> [CoachContext] {
        try userIDs().compactMap { try context(userID: $0) }
    }

    /// Every line of the journal of `userID`, as stored; `nil` if the store has no data for that
    /// user, empty if the user has only a snapshot.
    public func journal(userID: String) throws -> [JournalEntry]? {
        guard let inspection = try inspect(userID) else { return nil }
        let bytes = inspection.files.journal ?? []
        let snapshotSequence = inspection.snapshotSequence ?? 0
        return JournalReader.scan(bytes).map { JournalEntry($0, bytes: bytes, snapshotSequence: snapshotSequence) }
    }

    /// The files a save of `userID` changes (`users/<folder>/journal.jsonl` and
    /// `snapshot.json`), absolute, whether they exist or not: what a watcher looks at.
    public func files(userID: String) -> [String] {
        let paths = paths(for: userID)
        return [paths.journal, paths.snapshot]
    }

    /// The path of `file` relative to the store's root, for messages (`users/maya/journal.jsonl`).
    public func relativePath(_ file: String) -> String { layout.relative(file) }

    // MARK: Reading one user

    /// What reading one user's files found.
    struct Inspection {
        var summary: UserSummary
        var files: UserFiles
        /// The snapshot's sequence, if the snapshot can be read.
        var snapshotSequence: UInt64?
        /// The recovered state, or why recovery fails.
        var loaded: Result<UserState, StateStoreError>
    }

    func paths(for userID: String) -> UserPaths {
        UserPaths(layout: layout, folder: UserFolderName.encode(userID))
    }

    func inspect(_ userID: String) throws(StateStoreError) -> Inspection? {
        try inspect(userID, paths: paths(for: userID))
    }

    func inspect(_ userID: String, paths: UserPaths) throws(StateStoreError) -> Inspection? {
        guard try storeErrors({ () throws(FileSystemError) in try fileSystem.directoryExists(paths.directory) }) else { return nil }
        let files = try UserFiles.read(paths, fileSystem: fileSystem)
        guard files.snapshot != nil || !(files.journal ?? []).isEmpty else { return nil }
        let snapshotSequence = files.snapshot.flatMap { try? SnapshotFile.decode($0).sequence }
        let loaded = Result { () throws(StateStoreError) in
            try UserRecovery.recover(userID: userID, from: files, fileSystem: fileSystem, writable: false).state
        }
        var summary = UserSummary(
            userID: userID, folder: layout.relative(paths.directory), state: nil, messageCount: 0, lastActivity: nil,
            sequence: snapshotSequence ?? 0, snapshotSequence: snapshotSequence ?? 0, journalRecords: 0,
            journalBytes: files.journal?.count ?? 0, snapshotBytes: files.snapshot?.count, problem: nil)
        switch loaded {
        case .success(let state):
            summary.state = state.context?.currentState
            summary.messageCount = state.context?.conversationHistory.count ?? 0
            summary.lastActivity = state.context?.conversationHistory.map(\.timestamp).max()
            summary.sequence = state.sequence
            summary.snapshotSequence = state.snapshotSequence
            summary.journalRecords = state.journalRecords
        case .failure(let error):
            let lines = JournalReader.scan(files.journal ?? [])
            summary.journalRecords = lines.filter { $0.record != nil }.count
            summary.sequence = max(summary.snapshotSequence, lines.compactMap { $0.record?.sequence }.max() ?? 0)
            summary.problem = error.description
        }
        return Inspection(summary: summary, files: files, snapshotSequence: snapshotSequence, loaded: loaded)
    }

    static func rootPath(_ directory: URL) -> String {
        var path = directory.standardizedFileURL.path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }
}
