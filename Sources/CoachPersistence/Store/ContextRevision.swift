/// A version of one user's stored context, fit for an HTTP `ETag`.
///
/// Two equal revisions of a user mean the same stored context. A revision is derived from the
/// user's saves (a sequence number and a 64-bit hash chained over every saved record), so it is
/// deterministic: the same saves give the same revisions. It survives compaction, reopening and
/// restarts, and a revision taken before a delete does not match a user re-created with other
/// content. Its text form is `<sequence>-<16 hex digits>`, for example `42-9f3c2a1b0c4d5e6f`.
public struct ContextRevision: Hashable, Sendable, LosslessStringConvertible, Codable {
    /// How many saves the user's context has had since it was created (or re-created).
    public let sequence: UInt64
    /// The hash chained over those saves.
    public let hash: UInt64

    /// A revision from its parts.
    public init(sequence: UInt64, hash: UInt64) {
        self.sequence = sequence
        self.hash = hash
    }

    /// Parses the text form, `<sequence>-<16 hex digits>`.
    public init?(_ description: String) {
        let parts = description.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].utf8.count == 16,
            parts[0].utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let sequence = UInt64(parts[0]), let hash = UInt64(parts[1], radix: 16)
        else { return nil }
        self.init(sequence: sequence, hash: hash)
    }

    /// `<sequence>-<16 hex digits>`.
    public var description: String {
        let hex = String(hash, radix: 16)
        return "\(sequence)-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let revision = ContextRevision(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a revision: \(text)"))
        }
        self = revision
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
