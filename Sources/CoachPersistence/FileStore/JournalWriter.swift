/// Appending records to a user's journal: the only place a save touches the disk.
enum JournalWriter {
    /// Appends `line` to the journal of `state`, creating the user's folder and journal first if
    /// needed. With `sync`, the record is `fdatasync`ed and every folder that gained an entry is
    /// `fsync`ed before this returns (durability rules 4 and 6); without it, the folders that
    /// still need a sync are returned for a later flush.
    ///
    /// On failure `state` may hold a half-written record: the caller must drop it and re-read
    /// the user from disk (durability rule 10).
    static func append(
        _ line: [UInt8], to state: inout UserState, paths: UserPaths, fileSystem fs: any FileSystem, sync: Bool
    ) throws(FileSystemError) -> [String] {
        var unsyncedDirectories: [String] = []
        if !state.folderExists {
            try fs.makeDirectory(paths.directory)
            state.folderExists = true
            unsyncedDirectories.append(paths.layout.usersDirectory)
        }
        if state.journal == nil {
            let journal = try fs.openFile(paths.journal, create: true, truncate: false)
            state.journal = journal
            let isNew = state.journalLength == 0 ? try journal.size() == 0 : false
            if isNew {
                unsyncedDirectories.insert(paths.directory, at: 0)
            }
        }
        try state.journal!.write(line, at: Int64(state.journalLength))
        state.journalLength += line.count
        state.journalRecords += 1
        guard sync else { return unsyncedDirectories }
        try state.journal!.sync(dataOnly: true)
        for directory in unsyncedDirectories { try fs.syncDirectory(directory) }
        return []
    }
}
