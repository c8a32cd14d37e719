/// Appending records to a user's journal: the only place a save touches the disk.
enum JournalWriter {
    /// Appends `line` to the journal of `state`, creating the user's folder and journal first if
    /// needed. With `sync`, the record is `fdatasync`ed, and on the first append since the user
    /// was loaded the user's folder and `users/` are `fsync`ed too, before this returns
    /// (durability rules 4 and 6); without it, the folders that still need a sync are returned
    /// for a later flush.
    ///
    /// On failure `state` may hold a half-written record: the caller must drop it and re-read
    /// the user from disk (durability rule 10).
    static func append(
        _ line: [UInt8], to state: inout UserState, paths: UserPaths, fileSystem fs: any FileSystem, sync: Bool
    ) throws(FileSystemError) -> [String] {
        if !state.folderExists {
            try fs.makeDirectory(paths.directory)
            state.folderExists = true
        }
        if state.journal == nil {
            state.journal = try fs.openFile(paths.journal, create: true, truncate: false)
        }
        try state.journal!.write(line, at: Int64(state.journalLength))
        state.journalLength += line.count
        state.journalRecords += 1
        let unsyncedDirectories = state.directoriesSynced ? [] : [paths.directory, paths.layout.usersDirectory]
        guard sync else {
            state.directoriesSynced = true  // the caller's flush syncs them
            return unsyncedDirectories
        }
        try state.journal!.sync(dataOnly: true)
        for directory in unsyncedDirectories { try fs.syncDirectory(directory) }
        state.directoriesSynced = true
        return []
    }
}
