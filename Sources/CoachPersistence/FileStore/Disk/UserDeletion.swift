import Foundation

/// Deleting a user's folder so that a crash never leaves half a user: the folder is first
/// renamed into the trash (atomic, synced), then emptied. A trash folder left by a crash is
/// emptied by the next writable listing (see `UserListing`) or the user's next delete; the two
/// may empty the same trash at once, so a file or folder already gone is not an error.
enum UserDeletion {
    static func delete(paths: UserPaths, fileSystem fs: any FileSystem) throws(FileSystemError) {
        let trash = paths.layout.trash(paths.folder)
        guard try fs.directoryExists(paths.directory) else {
            // Already gone, perhaps by an earlier attempt whose sync failed: make that durable.
            try fs.syncDirectory(paths.layout.usersDirectory)
            try empty(trash, fs)
            return
        }
        try empty(trash, fs)
        try fs.rename(paths.directory, to: trash)
        try fs.syncDirectory(paths.layout.usersDirectory)
        try empty(trash, fs)
    }

    /// Removes a trash folder and its files; one that is already gone (or going) is not an error.
    static func empty(_ trash: String, _ fs: any FileSystem) throws(FileSystemError) {
        let names: [String]
        do throws(FileSystemError) {
            names = try fs.listDirectory(trash)
        } catch where error.errno == ENOENT {
            return
        }
        for name in names { try fs.removeFile(StorePath.join(trash, name)) }
        try fs.removeDirectory(trash)
    }
}
