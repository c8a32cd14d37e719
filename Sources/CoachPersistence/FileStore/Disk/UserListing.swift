/// Listing the users of a store from the names of their folders.
enum UserListing {
    /// Every user whose folder holds a snapshot or a journal with at least one whole line, sorted:
    /// exactly the users that load as a context (or as a typed error, when their files are
    /// damaged). A folder whose only content is an incomplete first record (a crash during a
    /// user's first save) loads as `nil` and is not listed. Hashed folder names are resolved by
    /// reading the id stored inside. With `cleanUp`, trash left by an interrupted delete is
    /// removed on the way.
    ///
    /// A user folder that cannot be read is still listed (its load then throws the reason): a
    /// listing never drops a user silently. Only a hashed folder whose id cannot be read makes
    /// the listing throw, since no id can stand for it.
    static func userIDs(layout: StoreLayout, fileSystem fs: any FileSystem, cleanUp: Bool) throws(StateStoreError) -> [String] {
        let names = try storeErrors { () throws(FileSystemError) in
            try fs.directoryExists(layout.usersDirectory) ? try fs.listDirectory(layout.usersDirectory) : []
        }
        var ids: [String] = []
        for name in names {
            if name.hasPrefix(StoreLayout.trashPrefix) {
                if cleanUp { try? UserDeletion.empty(layout.userDirectory(name), fs) }
                continue
            }
            let paths = UserPaths(layout: layout, folder: name)
            if let id = UserFolderName.decode(name), UserFolderName.encode(id) == name {
                if holdsData(paths, fs) ?? true { ids.append(id) }
            } else if UserFolderName.isHashed(name), holdsData(paths, fs) != false {
                guard let id = storedUserID(paths, fs) else {
                    throw .io(
                        operation: "read the user id stored in", path: paths.directory, errno: 0,
                        reason: "its files cannot be read, and its hashed name does not tell whose folder it is")
                }
                if UserFolderName.encode(id) == name { ids.append(id) }
            }
        }
        return sortedUserIDs(ids)
    }

    /// The id stored inside a folder: the snapshot's, or the first record's `contextReplaced`.
    static func storedUserID(_ paths: UserPaths, _ fs: any FileSystem) -> String? {
        if let id = snapshotUserID(paths, fs) { return id }
        if let bytes = try? fs.readFile(paths.journal) {
            for line in JournalReader.scan(bytes) {
                for case .contextReplaced(let context) in line.record?.events ?? [] { return context.userID }
            }
        }
        // As in `holdsData`: a compaction may have moved the journal's records into a snapshot
        // between the two reads.
        return snapshotUserID(paths, fs)
    }

    private static func snapshotUserID(_ paths: UserPaths, _ fs: any FileSystem) -> String? {
        guard let bytes = try? fs.readFile(paths.snapshot), let snapshot = try? SnapshotFile.decode(bytes) else { return nil }
        return snapshot.context.userID
    }

    /// How many bytes at the end of a journal the listing reads first.
    private static let tailProbe = 256

    /// Whether `journal` has a line that ends in a newline and is not blank (an editor's final
    /// empty line is not a record).
    static func holdsWholeLine(_ journal: [UInt8]) -> Bool {
        var lineStart = 0
        for (index, byte) in journal.enumerated() where byte == UInt8(ascii: "\n") {
            let line = journal[lineStart..<index]
            if !line.allSatisfy({ $0 == UInt8(ascii: "\r") }) { return true }
            lineStart = index + 1
        }
        return false
    }

    /// Whether the folder holds a user: a snapshot, or a journal with a whole line (a sound
    /// record, or damage that its load reports). `nil` when its entries cannot be read or are
    /// not what the store writes (a link, a FIFO): the user's load then reports why.
    /// Whether the journal holds a whole line. Sound records end in a newline, a torn first save
    /// has none: the journal's last bytes tell in the common case. Only a journal ending in a torn
    /// tail or in many blank lines is read whole.
    private static func journalHoldsRecord(_ paths: UserPaths, _ fs: any FileSystem) throws(FileSystemError) -> Bool {
        guard let size = try fs.regularFileSize(paths.journal), size > 0 else { return false }
        if let tail = try fs.readFile(paths.journal, lastBytes: tailProbe), holdsWholeLine(tail) { return true }
        guard size > Int64(tailProbe), let journal = try fs.readFile(paths.journal) else { return false }
        return holdsWholeLine(journal)
    }

    private static func holdsData(_ paths: UserPaths, _ fs: any FileSystem) -> Bool? {
        do throws(FileSystemError) {
            guard try fs.directoryExists(paths.directory) else { return false }
            if try fs.exists(paths.snapshot) { return true }
            if try journalHoldsRecord(paths, fs) { return true }
            // A compaction may have moved the records into a new snapshot between the two looks:
            // it renames the snapshot into place before it empties the journal, so a second look
            // at the snapshot settles it (a user is never missed while it is compacted).
            return try fs.exists(paths.snapshot)
        } catch {
            return nil
        }
    }
}
