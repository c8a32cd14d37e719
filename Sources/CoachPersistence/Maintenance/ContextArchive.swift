import Foundation

/// Contexts as portable JSON: what `coach-store export` writes and `coach-store import` reads.
///
/// One context is exported as its JSON object, several as a JSON array of them; both are
/// pretty-printed with sorted keys, like snapshots, and end with a newline. ``decode(_:)`` reads
/// either form back into contexts equal to the ones encoded.
public enum ContextArchive {
    /// One context as a pretty-printed JSON object.
    public static func encode(_ context: CoachContext) throws -> Data {
        try encodeValue(context, userID: context.userID)
    }

    /// Contexts as a pretty-printed JSON array.
    public static func encode(_ contexts: [CoachContext]) throws -> Data {
        try encodeValue(contexts, userID: contexts.first?.userID ?? "")
    }

    /// The contexts in an export: a single context object or an array of them.
    ///
    /// Timestamps may be in any ISO 8601 form with a zone (`2026-01-01T00:00:00Z`,
    /// `2026-01-01T02:00:00.5+02:00`); they are read as the same instants, at whole milliseconds,
    /// and written back in the store's canonical form (`2026-01-01T00:00:00.000Z`).
    ///
    /// - Throws: ``StateStoreError/notAnExport(reason:)`` with what is wrong and where.
    public static func decode(_ data: Data) throws -> [CoachContext] {
        do {
            return try decodeExactly(data)
        } catch {
            // Only when the canonical form fails: a second pass with the timestamps rewritten.
            if let canonical = TimestampCanonicalizer.canonicalize(data), canonical != data,
                let contexts = try? decodeExactly(canonical) {
                return contexts
            }
            throw error
        }
    }

    private static func decodeExactly(_ data: Data) throws -> [CoachContext] {
        let first = data.first { !Set(" \t\r\n".utf8).contains($0) }
        let decoder = JSONCoding.decoder()
        do {
            switch first {
            case UInt8(ascii: "["): return try decoder.decode([CoachContext].self, from: data)
            case UInt8(ascii: "{"): return [try decoder.decode(CoachContext.self, from: data)]
            case nil: throw StateStoreError.notAnExport(reason: "it is empty")
            default: throw StateStoreError.notAnExport(reason: "it is not a JSON object or array")
            }
        } catch let error as StateStoreError {
            throw error
        } catch {
            throw StateStoreError.notAnExport(reason: reason(error))
        }
    }

    /// A decoding error as a phrase that names the field: `[2].userID is missing`.
    private static func reason(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            var text = ""
            for key in keys + (last.map { [$0] } ?? []) {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? "the top level" : text
        }
        var text: String
        switch error {
        case DecodingError.keyNotFound(let key, let c): text = "\(path(c.codingPath, key)) is missing"
        case DecodingError.valueNotFound(_, let c): text = "\(path(c.codingPath)) is null"
        case DecodingError.typeMismatch(let type, let c): text = "\(path(c.codingPath)) is not \(type == String.self ? "a string" : "of type \(type)")"
        case DecodingError.dataCorrupted(let c):
            let underlying = (c.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            text = c.codingPath.isEmpty ? "it is not valid JSON" + (underlying.map { " (\($0))" } ?? "") : "\(path(c.codingPath)): \(c.debugDescription)"
        default: text = JSONCoding.reason(error)
        }
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// What ``save(_:to:)`` did.
    public struct ImportReport: Hashable, Sendable {
        /// Contexts saved.
        public var saved: Int
        /// Of those, users the store did not have before.
        public var added: Int
        /// Of those, users whose stored context was replaced.
        public var replaced: Int
        /// Contexts equal to what the store already held: nothing was written for them.
        public var unchanged: Int = 0
    }

    /// Saves `contexts` through `store`, each replacing whatever the store held for its user
    /// (a context listed twice: the later one wins), and returns the counts.
    ///
    /// A context equal to the stored one is left alone: re-importing an export writes no byte.
    /// Each user saved is then compacted, so that it is stored as a readable `snapshot.json`
    /// rather than as one long journal line.
    public static func save(_ contexts: [CoachContext], to store: FileStateStore) async throws -> ImportReport {
        var latest: [ExactString: CoachContext] = [:]
        var order: [ExactString] = []
        for context in contexts {
            let id = ExactString(context.userID)
            if latest.updateValue(context, forKey: id) == nil { order.append(id) }
        }
        var report = ImportReport(saved: 0, added: 0, replaced: 0)
        for id in order {
            let context = latest[id]!
            let stored = try await store.loadStoredContext(userID: context.userID)
            if let stored, stored.context == context {
                report.unchanged += 1
                continue
            }
            _ = try await store.saveContext(context, ifRevision: stored?.revision)
            try await store.compact(userID: context.userID)
            report.saved += 1
            if stored == nil { report.added += 1 } else { report.replaced += 1 }
        }
        return report
    }

    private static func encodeValue<T: Encodable>(_ value: T, userID: String) throws -> Data {
        do {
            var data = try JSONCoding.prettyEncoder().encode(value)
            data.append(UInt8(ascii: "\n"))
            return data
        } catch {
            throw StateStoreError.encodingFailed(userID: userID, reason: JSONCoding.reason(error))
        }
    }
}
