import Foundation

/// Rewrites the timestamps of exported contexts from any ISO 8601 form into the store's
/// canonical one, for ``ContextArchive/decode(_:)``.
///
/// Only the model's timestamp fields are touched (`conversationHistory[].timestamp`,
/// `identities[].createdAt`): a message whose text happens to look like a date stays as it is.
enum TimestampCanonicalizer {
    /// `data` (a context or an array of them) with every timestamp field that parses as ISO 8601
    /// rewritten canonically; `nil` if `data` is not JSON.
    static func canonicalize(_ data: Data) -> Data? {
        guard var value = try? JSONCoding.decoder().decode(JSONValue.self, from: data) else { return nil }
        switch value {
        case .array(let contexts): value = .array(contexts.map(context))
        default: value = context(value)
        }
        return try? JSONCoding.compactEncoder().encode(value)
    }

    private static func context(_ value: JSONValue) -> JSONValue {
        guard case .object(var fields) = value else { return value }
        for (list, key) in [("conversationHistory", "timestamp"), ("identities", "createdAt")] {
            guard case .array(let items)? = fields[list] else { continue }
            fields[list] = .array(items.map { item in
                guard case .object(var object) = item, case .string(let text)? = object[key],
                    let canonical = canonicalText(text) else { return item }
                object[key] = .string(canonical)
                return .object(object)
            })
        }
        return .object(fields)
    }

    /// `text` as `2026-01-01T00:00:00.000Z` if it is an ISO 8601 date and time with a zone.
    static func canonicalText(_ text: String) -> String? {
        if Timestamp.milliseconds(text: text) != nil { return text }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = plain.date(from: text) ?? fractional.date(from: text) else { return nil }
        return Timestamp.text(milliseconds: Timestamp.milliseconds(date))
    }
}
