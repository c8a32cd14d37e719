import Foundation

/// Which store a deployment uses, parseable from one string (an environment variable):
///
/// | string | store |
/// |---|---|
/// | `memory:` | ``InMemoryStateStore`` |
/// | `file:///var/lib/coach` | ``FileStateStore`` at `/var/lib/coach` |
/// | `file:///var/lib/coach?durability=batched&readOnly=true` | the same, with options |
/// | `/var/lib/coach`, `./coach-data` | a plain path: ``FileStateStore`` there |
///
/// Query options of `file:` URLs, one per property of ``FileStateStore/Options`` and named for
/// it: `readOnly` and `automaticCompaction` (`true`/`false`), `durability` (`durable`,
/// `batched`, `unsynced`), `appleSyncMethod` (`fullSync`, `barrier`), and
/// `compactionThresholdBytes`, `compactionThresholdRecords`, `cachedUserLimit`, `maxOpenFiles`
/// and `compactionWriteRate` (bytes per second), positive whole numbers.
public enum StateStoreConfiguration: Hashable, Sendable {
    /// An ``InMemoryStateStore``.
    case memory
    /// A ``FileStateStore`` at `directory`.
    case file(directory: URL, options: FileStateStore.Options)

    /// Parses a configuration string; throws ``StateStoreError/invalidConfiguration(_:reason:)``
    /// with the reason when it is malformed.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        func invalid(_ reason: String) -> StateStoreError { .invalidConfiguration(text, reason: reason) }
        guard !trimmed.isEmpty else { throw invalid("it is empty; use 'memory:', 'file:///path' or a path") }
        if trimmed.lowercased() == "memory:" || trimmed.lowercased() == "memory://" {
            self = .memory
        } else if trimmed.lowercased().hasPrefix("memory:") {
            throw invalid("'memory:' takes nothing after the colon")
        } else if trimmed.lowercased().hasPrefix("file:") {
            self = try Self.parseFileURL(trimmed, invalid)
        } else if let scheme = trimmed.range(of: "^[A-Za-z][A-Za-z0-9+.-]*://", options: .regularExpression) {
            throw invalid("the scheme '\(trimmed[scheme].dropLast(3))' is not supported; use 'memory:' or 'file:'")
        } else {
            self = .file(directory: URL(fileURLWithPath: trimmed), options: FileStateStore.Options())
        }
    }

    /// Opens the configured store.
    public func makeStore() throws -> any StateStore {
        switch self {
        case .memory: InMemoryStateStore()
        case .file(let directory, let options): try FileStateStore(directory: directory, options: options)
        }
    }

    private static func parseFileURL(_ text: String, _ invalid: (String) -> StateStoreError) throws -> Self {
        guard let components = URLComponents(string: text), components.scheme?.lowercased() == "file" else {
            throw invalid("it is not a well-formed file URL (spaces and '%' must be percent-encoded)")
        }
        guard components.host == nil || components.host == "" || components.host == "localhost" else {
            throw invalid("file URLs must name a local path (file:///path), not the host '\(components.host!)'")
        }
        let path = components.path
        guard path.hasPrefix("/") else { throw invalid("the path must be absolute: file:///path") }
        var options = FileStateStore.Options()
        for item in components.queryItems ?? [] {
            try apply(item, to: &options, invalid)
        }
        return .file(directory: URL(fileURLWithPath: path, isDirectory: true), options: options)
    }

    /// The query options, in the order the error for an unknown one lists them.
    static let optionKeys = [
        "readOnly", "durability", "compactionThresholdBytes", "compactionThresholdRecords", "automaticCompaction",
        "cachedUserLimit", "maxOpenFiles", "appleSyncMethod", "compactionWriteRate",
    ]

    private static func apply(_ item: URLQueryItem, to options: inout FileStateStore.Options, _ invalid: (String) -> StateStoreError) throws {
        let value = item.value ?? ""
        func number() throws -> Int {
            guard let n = Int(value), n > 0 else { throw invalid("\(item.name) must be a positive whole number, not '\(value)'") }
            return n
        }
        func flag() throws -> Bool {
            guard let flag = Bool(value) else { throw invalid("\(item.name) must be true or false, not '\(value)'") }
            return flag
        }
        switch item.name {
        case "readOnly": options.readOnly = try flag()
        case "durability":
            switch value {
            case "durable": options.durability = .durable
            case "batched": options.durability = .batched
            case "unsynced": options.durability = .unsynced
            default: throw invalid("durability must be durable, batched or unsynced, not '\(value)'")
            }
        case "compactionThresholdBytes": options.compactionThresholdBytes = try number()
        case "compactionThresholdRecords": options.compactionThresholdRecords = try number()
        case "automaticCompaction": options.automaticCompaction = try flag()
        case "cachedUserLimit": options.cachedUserLimit = try number()
        case "maxOpenFiles": options.maxOpenFiles = try number()
        case "appleSyncMethod":
            switch value {
            case "fullSync": options.appleSyncMethod = .fullSync
            case "barrier": options.appleSyncMethod = .barrier
            default: throw invalid("appleSyncMethod must be fullSync or barrier, not '\(value)'")
            }
        case "compactionWriteRate": options.compactionWriteRate = try number()
        default:
            throw invalid("unknown option '\(item.name)' (known: \(optionKeys.joined(separator: ", ")))")
        }
    }
}
