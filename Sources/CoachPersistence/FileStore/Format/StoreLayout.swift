/// Where every file of a store lives. The tree, from the root:
///
/// ```
/// store.json                  format name and version (StoreManifest)
/// store.lock                  only from versions before the root-folder lock; flock'ed if present
/// users/<folder>/snapshot.json
/// users/<folder>/journal.jsonl
/// users/<folder>/journal.jsonl.torn    torn tails cut off by recovery, kept for forensics
/// users/<folder>/*.tmp                 a replacement being written (ignored; removed when a
///                                      writable store first loads the user)
/// users/.trash-<folder>/               a user being deleted (ignored; removed by a writable
///                                      store's next listing, or the user's next delete)
/// ```
struct StoreLayout: Sendable {
    /// The store's root directory, absolute, without a trailing `/`.
    let root: String

    var manifest: String { StorePath.join(root, "store.json") }
    var lockFile: String { StorePath.join(root, "store.lock") }
    var usersDirectory: String { StorePath.join(root, "users") }

    /// The folder of the user whose folder name is `folder`.
    func userDirectory(_ folder: String) -> String { StorePath.join(usersDirectory, folder) }
    func snapshot(_ folder: String) -> String { StorePath.join(userDirectory(folder), Self.snapshotName) }
    func journal(_ folder: String) -> String { StorePath.join(userDirectory(folder), Self.journalName) }
    func tornTail(_ folder: String) -> String { StorePath.join(userDirectory(folder), "journal.jsonl.torn") }
    func temporary(for path: String) -> String { path + ".tmp" }
    /// Where a folder goes while it is being deleted.
    func trash(_ folder: String) -> String { StorePath.join(usersDirectory, Self.trashPrefix + folder) }

    static let snapshotName = "snapshot.json"
    static let journalName = "journal.jsonl"
    static let trashPrefix = ".trash-"

    /// The path relative to the root, for messages a person reads.
    func relative(_ path: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }
}
