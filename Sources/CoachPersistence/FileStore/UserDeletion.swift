/// Deleting a user's folder so that a crash never leaves half a user: the folder is first
/// renamed into the trash (atomic, synced), then emptied. A trash folder left by a crash is
/// emptied by the next writable listing (see `UserListing`).
enum UserDeletion {
    static func delete(paths: UserPaths, fileSystem fs: any FileSystem) throws(FileSystemError) {
        let trash = paths.layout.trash(paths.folder)
        guard try fs.directoryExists(paths.directory) else {
            // Already gone, perhaps by an earlier attempt whose sync failed: make that durable.
            try fs.syncDirectory(paths.layout.usersDirectory)
            if try fs.directoryExists(trash) { try empty(trash, fs) }
            return
        }
        if try fs.directoryExists(trash) { try empty(trash, fs) }
        try fs.rename(paths.directory, to: trash)
        try fs.syncDirectory(paths.layout.usersDirectory)
        try empty(trash, fs)
    }

    /// Removes a trash folder and its files.
    static func empty(_ trash: String, _ fs: any FileSystem) throws(FileSystemError) {
        for name in try fs.listDirectory(trash) { try fs.removeFile(StorePath.join(trash, name)) }
        try fs.removeDirectory(trash)
    }
}
