import Glibc
@testable import CoachPersistence

/// A disk in memory that remembers what a power cut would leave, modelled on inodes as POSIX
/// file systems are: a directory entry names an inode, `rename` moves the entry, and an open
/// file keeps writing to its inode whatever happens to its names.
///
/// Each inode has two states. The *volatile* one is what reads see (the page cache); the
/// *durable* one is what the platters hold. A file's durable bytes change only on `sync`,
/// a directory's durable entries only on `syncDirectory`; the changes made since are kept in
/// order, so that ``afterPowerCut(_:)`` can keep none of them, or some.
///
/// A value type: copying a disk is how tests fork a state (one per crash point, one per
/// corrupted byte). ``SimulatedFileSystem`` puts it behind the store's `FileSystem` seam.
struct SimulatedDisk: Sendable {
    /// A change to a file's bytes that no `sync` has made durable yet.
    enum DataChange: Sendable, Equatable {
        case write(offset: Int, bytes: [UInt8])
        case truncate(length: Int)
    }

    /// A change to a directory entry that no `syncDirectory` has made durable yet
    /// (`inode == nil`: the entry was removed).
    struct EntryChange: Sendable, Equatable {
        var name: String
        var inode: Int?
    }

    struct Inode: Sendable {
        var isDirectory: Bool
        var data: [UInt8] = []
        var durableData: [UInt8] = []
        var unsyncedData: [DataChange] = []
        var entries: [String: Int] = [:]
        var durableEntries: [String: Int] = [:]
        var unsyncedEntries: [EntryChange] = []
    }

    /// Every inode ever made, by number; unlinked ones stay (an open file may still use them).
    var inodes: [Int: Inode] = [Self.root: Inode(isDirectory: true)]
    var nextInode = 1

    /// The inode of `/`, which always exists and is durable.
    static let root = 0

    // MARK: Reading

    /// The inode `path` names now, if any.
    func lookup(_ path: String) -> Int? {
        var id = Self.root
        for name in path.split(separator: "/") {
            guard let directory = inodes[id], directory.isDirectory, let child = directory.entries[String(name)] else {
                return nil
            }
            id = child
        }
        return id
    }

    func isDirectory(_ path: String) -> Bool {
        lookup(path).map { inodes[$0]!.isDirectory } ?? false
    }

    func fileSize(_ path: String) -> Int64? {
        guard let id = lookup(path), !inodes[id]!.isDirectory else { return nil }
        return Int64(inodes[id]!.data.count)
    }

    /// What `path` names (the disk holds only folders and regular files).
    func kind(of path: String) -> FileKind? {
        guard let id = lookup(path) else { return nil }
        return inodes[id]!.isDirectory ? .directory : .regularFile(size: Int64(inodes[id]!.data.count))
    }

    func readFile(_ path: String) throws(FileSystemError) -> [UInt8]? {
        guard let id = lookup(path) else { return nil }
        guard !inodes[id]!.isDirectory else { throw FileSystemError(operation: "read", path: path, errno: EISDIR) }
        return inodes[id]!.data
    }

    func listDirectory(_ path: String) throws(FileSystemError) -> [String] {
        guard let id = lookup(path) else { throw FileSystemError(operation: "list", path: path, errno: ENOENT) }
        guard inodes[id]!.isDirectory else { throw FileSystemError(operation: "list", path: path, errno: ENOTDIR) }
        return Array(inodes[id]!.entries.keys)
    }

    func read(_ id: Int, at offset: Int, count: Int) -> [UInt8] {
        let data = inodes[id]!.data
        guard offset < data.count else { return [] }
        return Array(data[offset..<min(data.count, offset + count)])
    }

    /// Every regular file's bytes as reads see them, by path: for comparing whole trees.
    func files() -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        var pending = [("", Self.root)]
        while let (path, id) = pending.popLast() {
            let inode = inodes[id]!
            guard inode.isDirectory else {
                result[path] = inode.data
                continue
            }
            for (name, child) in inode.entries { pending.append((path + "/" + name, child)) }
        }
        return result
    }

    // MARK: Changing

    /// `mkdir`; `false` if the directory already exists.
    mutating func makeDirectory(_ path: String) throws(FileSystemError) -> Bool {
        let (parent, name) = try parentAndName(path, operation: "create directory")
        if let existing = inodes[parent]!.entries[name] {
            guard inodes[existing]!.isDirectory else {
                throw FileSystemError(operation: "create directory", path: path, errno: EEXIST)
            }
            return false
        }
        setEntry(name, in: parent, to: makeInode(isDirectory: true))
        return true
    }

    /// `open(O_RDWR [| O_CREAT] [| O_TRUNC])`: the inode of the file.
    mutating func openFile(_ path: String, create: Bool, truncate: Bool) throws(FileSystemError) -> Int {
        let (parent, name) = try parentAndName(path, operation: "open")
        let id: Int
        if let existing = inodes[parent]!.entries[name] {
            guard !inodes[existing]!.isDirectory else { throw FileSystemError(operation: "open", path: path, errno: EISDIR) }
            id = existing
        } else {
            guard create else { throw FileSystemError(operation: "open", path: path, errno: ENOENT) }
            id = makeInode(isDirectory: false)
            setEntry(name, in: parent, to: id)
        }
        if truncate { change(id, .truncate(length: 0)) }
        return id
    }

    /// `pwrite`, growing the file with zeros if `offset` is past its end.
    mutating func write(_ id: Int, _ bytes: [UInt8], at offset: Int) {
        change(id, .write(offset: offset, bytes: bytes))
    }

    /// `ftruncate`.
    mutating func truncate(_ id: Int, to length: Int) {
        change(id, .truncate(length: length))
    }

    /// `fsync` / `fdatasync`: the file's bytes become durable (not its names).
    mutating func sync(_ id: Int) {
        var inode = inodes[id]!
        for change in inode.unsyncedData { Self.apply(change, to: &inode.durableData) }
        inode.unsyncedData = []
        inodes[id] = inode
    }

    /// What Linux does after a failed writeback ("fsyncgate"): the unsynced changes are
    /// forgotten as if written, so reads still see them but no later sync makes them durable.
    mutating func forgetUnsyncedData(_ id: Int) {
        inodes[id]!.unsyncedData = []
    }

    /// `fsync` of a directory: its entries become durable.
    mutating func syncDirectory(_ path: String) throws(FileSystemError) {
        guard let id = lookup(path), inodes[id]!.isDirectory else {
            throw FileSystemError(operation: "open directory", path: path, errno: ENOENT)
        }
        inodes[id]!.durableEntries = inodes[id]!.entries
        inodes[id]!.unsyncedEntries = []
    }

    /// `rename`, with its POSIX rules for what may be replaced.
    mutating func rename(_ source: String, to destination: String) throws(FileSystemError) {
        let operation = "rename to \(destination)"
        let (fromParent, fromName) = try parentAndName(source, operation: operation)
        let (toParent, toName) = try parentAndName(destination, operation: operation)
        guard let moving = inodes[fromParent]!.entries[fromName] else {
            throw FileSystemError(operation: operation, path: source, errno: ENOENT)
        }
        if let replaced = inodes[toParent]!.entries[toName] {
            if replaced == moving { return }
            let (from, to) = (inodes[moving]!, inodes[replaced]!)
            if from.isDirectory != to.isDirectory {
                throw FileSystemError(operation: operation, path: source, errno: from.isDirectory ? ENOTDIR : EISDIR)
            }
            if to.isDirectory && !to.entries.isEmpty {
                throw FileSystemError(operation: operation, path: source, errno: ENOTEMPTY)
            }
        }
        setEntry(fromName, in: fromParent, to: nil)
        setEntry(toName, in: toParent, to: moving)
    }

    /// `unlink`; a missing file is not an error.
    mutating func removeFile(_ path: String) throws(FileSystemError) {
        let (parent, name) = try parentAndName(path, operation: "remove")
        guard let id = inodes[parent]!.entries[name] else { return }
        guard !inodes[id]!.isDirectory else { throw FileSystemError(operation: "remove", path: path, errno: EISDIR) }
        setEntry(name, in: parent, to: nil)
    }

    /// `rmdir`; a missing directory is not an error.
    mutating func removeDirectory(_ path: String) throws(FileSystemError) {
        let (parent, name) = try parentAndName(path, operation: "remove directory")
        guard let id = inodes[parent]!.entries[name] else { return }
        guard inodes[id]!.isDirectory else { throw FileSystemError(operation: "remove directory", path: path, errno: ENOTDIR) }
        guard inodes[id]!.entries.isEmpty else {
            throw FileSystemError(operation: "remove directory", path: path, errno: ENOTEMPTY)
        }
        setEntry(name, in: parent, to: nil)
    }

    /// Replaces a file's bytes, durably, bypassing the store: how tests damage files.
    mutating func overwrite(_ path: String, with bytes: [UInt8]) {
        let id = lookup(path)!
        inodes[id]!.data = bytes
        inodes[id]!.durableData = bytes
        inodes[id]!.unsyncedData = []
    }

    // MARK: Helpers

    static func apply(_ change: DataChange, to data: inout [UInt8]) {
        switch change {
        case .write(let offset, let bytes):
            if data.count < offset + bytes.count { data += [UInt8](repeating: 0, count: offset + bytes.count - data.count) }
            data.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
        case .truncate(let length):
            if data.count > length {
                data.removeLast(data.count - length)
            } else {
                data += [UInt8](repeating: 0, count: length - data.count)
            }
        }
    }

    private mutating func change(_ id: Int, _ change: DataChange) {
        Self.apply(change, to: &inodes[id]!.data)
        inodes[id]!.unsyncedData.append(change)
    }

    private mutating func setEntry(_ name: String, in directory: Int, to inode: Int?) {
        inodes[directory]!.entries[name] = inode
        inodes[directory]!.unsyncedEntries.append(EntryChange(name: name, inode: inode))
    }

    private mutating func makeInode(isDirectory: Bool) -> Int {
        defer { nextInode += 1 }
        inodes[nextInode] = Inode(isDirectory: isDirectory)
        return nextInode
    }

    /// The directory that holds `path`, and the last component.
    private func parentAndName(_ path: String, operation: String) throws(FileSystemError) -> (Int, String) {
        let name = StorePath.lastComponent(of: path)
        guard !name.isEmpty, let parent = lookup(StorePath.parent(of: path)) else {
            throw FileSystemError(operation: operation, path: path, errno: ENOENT)
        }
        guard inodes[parent]!.isDirectory else { throw FileSystemError(operation: operation, path: path, errno: ENOTDIR) }
        return (parent, name)
    }
}
