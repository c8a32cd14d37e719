import Foundation

/// Copying a store's folder tree for ``FileStateStore/openCopy(of:options:)``.
enum FixtureCopy {
    /// The lock file, which a copy must not inherit: the copy's writer makes its own.
    static let skippedNames: Set<String> = ["store.lock"]

    /// A new, empty folder under the temporary directory, named with a fresh UUID.
    static func makeTemporaryFolder() throws(StateStoreError) -> URL {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true)
            .appendingPathComponent("coach-persistence-fixture-\(UUID().uuidString)", isDirectory: true)
        try run("create", folder.path) {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        }
        return folder
    }

    /// Copies the regular files and folders under `source` into the existing folder
    /// `destination`. Links and special files are skipped: the type comes from `lstat`
    /// (`attributesOfItem` does not follow a link), so no link is ever followed.
    static func copyTree(from source: String, to destination: String) throws(StateStoreError) {
        let fm = FileManager.default
        let names = try run("list", source) { try fm.contentsOfDirectory(atPath: source) }
        for name in names.sorted() where !skippedNames.contains(name) {
            let from = source + "/" + name, to = destination + "/" + name
            let type = try run("inspect", from) { try fm.attributesOfItem(atPath: from)[.type] as? FileAttributeType }
            switch type {
            case .typeDirectory?:
                try run("create", to) { try fm.createDirectory(atPath: to, withIntermediateDirectories: false) }
                try copyTree(from: from, to: to)
            case .typeRegular?:
                try run("copy", from) { try fm.copyItem(atPath: from, toPath: to) }
            default:
                continue  // a link or a special file: never followed, never copied
            }
        }
    }

    /// `body`, with a failure as the store's typed error naming the path.
    private static func run<T>(_ operation: String, _ path: String, _ body: () throws -> T) throws(StateStoreError) -> T {
        do {
            return try body()
        } catch {
            let code = Int32((error as NSError).userInfo[NSUnderlyingErrorKey].map { ($0 as? NSError)?.code ?? 0 } ?? 0)
            throw .io(operation: operation, path: path, errno: code, reason: error.localizedDescription)
        }
    }
}
