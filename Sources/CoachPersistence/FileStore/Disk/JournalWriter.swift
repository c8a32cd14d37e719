/// Appending records to a user's journal: the only place a save touches the disk.
enum JournalWriter {
    /// Where a write goes and how far it is synced.
    struct Target {
        let paths: UserPaths
        let fileSystem: any FileSystem
        let pool: DescriptorPool
        /// The user's journal descriptor in `pool`.
        let journal: JournalHandle
        /// `fdatasync` the record (and sync new folder entries) before returning.
        let sync: Bool
    }

    /// Appends `bytes` (whole records) at `offset`, the journal's sound length, creating the
    /// user's folder and journal first if needed. With `target.sync`, the records are
    /// `fdatasync`ed, and on the first append since the user was loaded the user's folder and
    /// `users/` are `fsync`ed too, before this returns (durability rules 4 and 6); without it,
    /// the folders that still need a sync are returned for a later flush.
    ///
    /// It never writes over bytes it did not write: a journal it opens must be exactly as long as
    /// `state.journalFileLength` (the sound records, and at most an empty last line that the
    /// record overwrites), or nothing is written. On failure the journal is cut back to `offset` (best
    /// effort), its descriptor is dropped, and a folder this call created is removed again; the
    /// caller drops the cached state and re-reads the user from disk (durability rule 10).
    static func append(
        _ bytes: [UInt8], at offset: Int, state: inout UserState, to target: Target
    ) throws(StateStoreError) -> [String] {
        let paths = target.paths
        let fs = target.fileSystem
        var createdFolder = false
        do throws(FileSystemError) {
            if !state.folderExists {
                createdFolder = try fs.makeDirectory(paths.directory)
                state.folderExists = true
            }
        } catch {
            throw StateStoreError(error)
        }
        let lease: (file: any OpenFile, fresh: Bool)
        do {
            lease = try target.pool.lease(target.journal) { () throws(FileSystemError) in
                try fs.openFile(paths.journal, create: true, truncate: false)
            }
        } catch {
            if createdFolder { removeCreated(paths, fs, &state) }
            throw StateStoreError(error)
        }
        if lease.fresh, let size = try? lease.file.size(), size != Int64(state.journalFileLength) {
            target.journal.release()
            target.pool.discard(target.journal)
            throw .io(
                operation: "append to", path: paths.journal, errno: 0,
                reason: "it holds \(size) bytes where the store expected \(state.journalFileLength): it was changed outside this store, so nothing was written and the user is read again before the next write")
        }
        do throws(FileSystemError) {
            try lease.file.write(bytes, at: Int64(offset))
            let unsynced = state.directoriesSynced ? [] : [paths.directory, paths.layout.usersDirectory]
            state.directoriesSynced = true
            if target.sync {
                try lease.file.sync(dataOnly: true)
                for directory in unsynced { try fs.syncDirectory(directory) }
            }
            state.journalFileLength = offset + bytes.count
            target.journal.release()
            return target.sync ? [] : unsynced  // without sync, the caller's flush syncs them
        } catch {
            // Best effort to leave the journal as it was; the next load re-reads it either way.
            try? lease.file.truncate(to: Int64(offset))
            target.journal.release()
            target.pool.discard(target.journal)
            if createdFolder { removeCreated(paths, fs, &state) }
            throw StateStoreError(error)
        }
    }

    /// Removes the folder (and journal) a failed first save created, so that a full disk does
    /// not fill up with empty users.
    private static func removeCreated(_ paths: UserPaths, _ fs: any FileSystem, _ state: inout UserState) {
        try? fs.removeFile(paths.journal)
        try? fs.removeDirectory(paths.directory)
        state.folderExists = false
        state.directoriesSynced = false
    }
}
