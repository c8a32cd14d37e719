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
    /// - Throws: ``StateStoreError/notAnExport(reason:)`` with what is wrong and where.
    public static func decode(_ data: Data) throws -> [CoachContext] {
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
    }

    /// Saves `contexts` through `store`, each replacing whatever the store held for its user
    /// (a context listed twice: the later one wins), and returns the counts.
    public static func save(_ contexts: [CoachContext], to store: FileStateStore) async throws -> ImportReport {
        let existing = Set(try await store.userIDs().map(ExactString.init))
        var seen = Set<ExactString>()
        var report = ImportReport(saved: 0, added: 0, replaced: 0)
        for context in contexts {
            try await store.saveContext(context)
            report.saved += 1
            let id = ExactString(context.userID)
            guard seen.insert(id).inserted else { continue }
            if existing.contains(id) { report.replaced += 1 } else { report.added += 1 }
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
