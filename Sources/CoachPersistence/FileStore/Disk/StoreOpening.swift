/// Opening a store's root: the lock, `store.json`, and the `users/` folder.
enum StoreOpening {
    /// Prepares the root and returns the lock (`nil` when read-only: a read-only open takes no
    /// lock and writes nothing).
    static func open(layout: StoreLayout, fileSystem fs: any FileSystem, readOnly: Bool) throws(StateStoreError) -> (any HeldLock)? {
        do {
            return readOnly ? try openReadOnly(layout, fs) : try openWritable(layout, fs)
        } catch let error as StateStoreError {
            throw error
        } catch let error as FileSystemError {
            throw StateStoreError(error)
        } catch {
            throw .notAStore(directory: layout.root, reason: "\(error)")
        }
    }

    private static func openReadOnly(_ layout: StoreLayout, _ fs: any FileSystem) throws -> (any HeldLock)? {
        guard try fs.directoryExists(layout.root) else {
            throw StateStoreError.notAStore(directory: layout.root, reason: "there is no such directory")
        }
        guard let manifest = try fs.readFile(layout.manifest) else {
            throw StateStoreError.notAStore(directory: layout.root, reason: "it has no store.json")
        }
        try StoreManifest.validate(manifest, layout: layout)
        return nil
    }

    private static func openWritable(_ layout: StoreLayout, _ fs: any FileSystem) throws -> (any HeldLock)? {
        try makeDirectories(layout.root, fs)
        // The lock is on the root folder itself (and on store.lock only if an earlier version
        // made one): deleting store.lock cannot let a second writer in, and opening a store
        // creates no lock file (a fixture checked into git stays as it is).
        guard let lock = try fs.lockStore(layout.root, legacyLockFile: layout.lockFile) else {
            throw StateStoreError.locked(directory: layout.root)
        }
        do {
            if let manifest = try fs.readFile(layout.manifest) {
                try StoreManifest.upgradeIfOlder(manifest, layout: layout, fileSystem: fs)
            } else {
                // A crash while a new store wrote store.json leaves its temporary file: ignore it.
                try fs.removeFile(layout.temporary(for: layout.manifest))
                let strangers = try fs.listDirectory(layout.root).filter { $0 != "store.lock" && $0 != "users" }
                guard strangers.isEmpty else {
                    throw StateStoreError.notAStore(
                        directory: layout.root, reason: "it has no store.json but holds other files (\(strangers.sorted().prefix(3).joined(separator: ", ")))")
                }
                try fs.replaceFileDurably(
                    layout.manifest, with: try StoreManifest.current.encoded(), temporaryPath: layout.temporary(for: layout.manifest))
            }
            if try fs.makeDirectory(layout.usersDirectory) { try fs.syncDirectory(layout.root) }
            return lock
        } catch {
            lock.close()
            throw error
        }
    }

    /// `mkdir -p`, syncing each parent that gained a folder.
    private static func makeDirectories(_ path: String, _ fs: any FileSystem) throws {
        if try fs.directoryExists(path) { return }
        let parent = StorePath.parent(of: path)
        if parent != path { try makeDirectories(parent, fs) }
        if try fs.makeDirectory(path) { try fs.syncDirectory(parent) }
    }
}
