import Foundation

/// The one JSON configuration every file of the store is written and read with.
enum JSONCoding {
    /// Compact, sorted keys, slashes and non-ASCII left readable: journal record payloads.
    static func compactEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Like ``compactEncoder()`` but indented: snapshots, `store.json`, exports.
    static func prettyEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return encoder
    }

    /// The decoder for every file; models decode their own dates, so defaults suffice.
    static func decoder() -> JSONDecoder { JSONDecoder() }

    /// A short reason for a coding error, for error messages (the key path and what was wrong),
    /// without a final period: callers end the sentence.
    static func reason(_ error: Error) -> String {
        var text = fullReason(error)
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }

    private static func fullReason(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c), DecodingError.keyNotFound(_, let c),
            DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? c.debugDescription : "\(path): \(c.debugDescription)"
        case EncodingError.invalidValue(_, let c):
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? c.debugDescription : "\(path): \(c.debugDescription)"
        default:
            return String(describing: error)
        }
    }
}
