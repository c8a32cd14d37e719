/// Listing the users of a store from the names of their folders.
enum UserListing {
    /// Every user with a folder that holds a snapshot or a non-empty journal, sorted. Hashed
    /// folder names are resolved by reading the id stored inside. With `cleanUp`, trash left by
    /// an interrupted delete is removed on the way.
    static func userIDs(layout: StoreLayout, fileSystem fs: any FileSystem, cleanUp: Bool) throws(StateStoreError) -> [String] {
        let names: [String]
        do {
            names = try fs.directoryExists(layout.usersDirectory) ? try fs.listDirectory(layout.usersDirectory) : []
        } catch {
            throw StateStoreError(error)
        }
        var ids: [String] = []
        for name in names {
            if name.hasPrefix(StoreLayout.trashPrefix) {
                if cleanUp { try? UserDeletion.empty(layout.userDirectory(name), fs) }
                continue
            }
            let paths = UserPaths(layout: layout, folder: name)
            guard try holdsData(paths, fs) else { continue }
            if let id = UserFolderName.decode(name), UserFolderName.encode(id) == name {
                ids.append(id)
            } else if UserFolderName.isHashed(name), let id = storedUserID(paths, fs), UserFolderName.encode(id) == name {
                ids.append(id)
            }
        }
        return sortedUserIDs(ids)
    }

    /// The id stored inside a folder: the snapshot's, or the first record's `contextReplaced`.
    static func storedUserID(_ paths: UserPaths, _ fs: any FileSystem) -> String? {
        if let bytes = try? fs.readFile(paths.snapshot), let snapshot = try? SnapshotFile.decode(bytes) {
            return snapshot.context.userID
        }
        guard let bytes = try? fs.readFile(paths.journal) else { return nil }
        for line in JournalReader.scan(bytes) {
            for case .contextReplaced(let context) in line.record?.events ?? [] { return context.userID }
        }
        return nil
    }

    private static func holdsData(_ paths: UserPaths, _ fs: any FileSystem) throws(StateStoreError) -> Bool {
        try storeErrors { () throws(FileSystemError) in
            if try fs.regularFileSize(paths.snapshot) != nil { return true }
            return try fs.regularFileSize(paths.journal) ?? 0 > 0
        }
    }
}
